package stream

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// CreateTopic creates topic with partitions partitions, replication factor 1.
func CreateTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = topic, int32(partitions), 1
	req.Topics = append(req.Topics, t)
	req.TimeoutMillis = 30000
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	for _, rt := range resp.Topics {
		if rt.ErrorCode != 0 {
			msg := ""
			if rt.ErrorMessage != nil {
				msg = *rt.ErrorMessage
			}
			return fmt.Errorf("create topic %s: error %d %s", topic, rt.ErrorCode, msg)
		}
	}
	return nil
}

// DeleteTopic deletes topic, reporting a failure on stderr (it runs on
// the way out, where there is nothing else to do about it).
func DeleteTopic(cl *kgo.Client, topic string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TopicNames = []string{topic}
	t := kmsg.NewDeleteTopicsRequestTopic()
	t.Topic = &topic
	req.Topics = append(req.Topics, t)
	req.TimeoutMillis = 30000
	if _, err := req.RequestWith(ctx, cl); err != nil {
		fmt.Fprintf(os.Stderr, "delete topic %s: %v\n", topic, err)
	}
}

// Stream is a new topic with a Producer writing to it.
type Stream struct {
	Topic    string
	Producer *Producer
	admin    *kgo.Client
}

// Start creates a topic named prefix plus the time, of partitions
// partitions, and starts writing rate records/s to it.
func Start(ctx context.Context, bs []string, prefix string, partitions, rate int) (*Stream, error) {
	s := &Stream{Topic: fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())}
	var err error
	if s.admin, err = kgo.NewClient(kgo.SeedBrokers(bs...)); err != nil {
		return nil, err
	}
	if err := CreateTopic(ctx, s.admin, s.Topic, partitions); err != nil {
		s.admin.Close()
		return nil, err
	}
	if s.Producer, err = StartProducer(bs, s.Topic, partitions, rate); err != nil {
		DeleteTopic(s.admin, s.Topic)
		s.admin.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the producer and deletes the topic.
func (s *Stream) Close() {
	s.Producer.Stop()
	DeleteTopic(s.admin, s.Topic)
	s.admin.Close()
}

package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func init() {
	clients["librdkafka"] = drainLibrdkafka
	libVersions = append(libVersions, func() string {
		_, v := kafka.LibraryVersion()
		return "librdkafka " + v
	})
}

// drainLibrdkafka consumes with confluent-kafka-go, which links a static
// librdkafka. confluent-kafka-go insists on a group.id, but with Assign and
// no Subscribe the group is never joined, and nothing is committed.
//
// Each Poll is one cgo call that returns one message whose key and value
// were copied into Go memory: that is the cost of librdkafka from Go, and
// part of what this measures.
func drainLibrdkafka(ctx context.Context, o options) (counts, error) {
	cfg := kafka.ConfigMap{
		"bootstrap.servers":          strings.Join(o.brokers, ","),
		"group.id":                   fmt.Sprintf("rawkafka-bench-%d", os.Getpid()),
		"enable.auto.commit":         false,
		"enable.auto.offset.store":   false,
		"enable.partition.eof":       false,
		"fetch.max.bytes":            int(o.fetchMaxBytes),
		"fetch.message.max.bytes":    int(o.partitionMaxBytes), // per partition
		"fetch.wait.max.ms":          int(o.maxWait.Milliseconds()),
		"queued.max.messages.kbytes": int(max(o.bufferBytes/1024, 1)),
		"check.crcs":                 o.checkCRC,
		// librdkafka's receive buffer must hold a whole fetch response.
		"receive.message.max.bytes": int(o.fetchMaxBytes) + (1 << 20),
	}
	if o.verbose {
		cfg["debug"] = "consumer,fetch"
	}
	c, err := kafka.NewConsumer(&cfg)
	if err != nil {
		return counts{}, err
	}
	defer c.Close()

	md, err := c.GetMetadata(&o.topic, false, 10000)
	if err != nil {
		return counts{}, err
	}
	t, ok := md.Topics[o.topic]
	if !ok || t.Error.Code() != kafka.ErrNoError || len(t.Partitions) == 0 {
		return counts{}, fmt.Errorf("librdkafka: topic %s: %v", o.topic, t.Error)
	}
	var tps []kafka.TopicPartition
	for _, p := range t.Partitions {
		tps = append(tps, kafka.TopicPartition{Topic: &o.topic, Partition: p.ID, Offset: kafka.OffsetBeginning})
	}
	if err := c.Assign(tps); err != nil {
		return counts{}, err
	}

	var n counts
	for n.records < o.records {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		switch e := c.Poll(100).(type) {
		case *kafka.Message:
			if e.TopicPartition.Error != nil {
				return n, e.TopicPartition.Error
			}
			n.records++
			n.bytes += int64(len(e.Key) + len(e.Value))
		case kafka.Error:
			if e.IsFatal() {
				return n, e
			}
			if o.verbose {
				fmt.Fprintln(os.Stderr, "librdkafka:", e)
			}
		}
	}
	return n, nil
}

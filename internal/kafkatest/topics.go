package kafkatest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

var topicSeq atomic.Int64

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// TopicName returns a topic name unique to this test and this run:
// rawkafka-<test name>-<time>-<n>, within Kafka's 249 characters.
func TopicName(t testing.TB) string {
	name := unsafeChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 150 {
		name = name[:150]
	}
	return fmt.Sprintf("rawkafka-%s-%d-%d", name, time.Now().UnixNano()%1e10, topicSeq.Add(1))
}

// CreateTopic creates a topic on the test broker with rawkafka's own
// CreateTopics request and returns its name; name "" picks a unique one with
// TopicName. It returns once every broker's metadata shows a leader for each
// partition, and fails the test on any error.
func CreateTopic(t testing.TB, name string, partitions, replicationFactor int) string {
	t.Helper()
	e := Get(t)
	if name == "" {
		name = TopicName(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cn, err := cl.Any(ctx)
	if err != nil {
		t.Fatalf("kafkatest: create topic %s: %v", name, err)
	}
	resp, err := cn.Do(ctx, &protocol.CreateTopicsRequest{TimeoutMs: 30000, Topics: []protocol.CreateTopicsRequestTopic{{
		Name: name, NumPartitions: int32(partitions), ReplicationFactor: int16(replicationFactor)}}})
	if err != nil {
		t.Fatalf("kafkatest: create topic %s: %v", name, err)
	}
	for _, tr := range resp.(*protocol.CreateTopicsResponse).Topics {
		if err := protocol.ErrorWithMessage(tr.ErrorCode, tr.ErrorMessage); err != nil {
			t.Fatalf("kafkatest: create topic %s: %v", tr.Name, err)
		}
	}
	if err := waitForLeaders(ctx, cl, name, partitions); err != nil {
		t.Fatalf("kafkatest: topic %s: %v", name, err)
	}
	return name
}

// waitForLeaders polls every broker until each knows a leader for every
// partition of topic.
func waitForLeaders(ctx context.Context, cl *conn.Cluster, topic string, partitions int) error {
	md, err := cl.Refresh(ctx)
	if err != nil {
		return err
	}
	for id := range md.Brokers {
		// A broker of a cluster that has just started (on a busy machine)
		// may not accept connections yet: keep asking until ctx ends.
		var last error
		for {
			cn, err := cl.Broker(ctx, id)
			if err == nil {
				var resp protocol.Response
				resp, err = cn.Do(ctx, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &topic}}})
				if err == nil && ready(resp.(*protocol.MetadataResponse), partitions) {
					break
				}
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				if last != nil {
					return fmt.Errorf("broker %d: %w (last error: %v)", id, ctx.Err(), last)
				}
				return fmt.Errorf("broker %d shows no leader for every partition: %w", id, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func ready(md *protocol.MetadataResponse, partitions int) bool {
	if len(md.Topics) != 1 || md.Topics[0].ErrorCode != 0 || len(md.Topics[0].Partitions) != partitions {
		return false
	}
	for _, p := range md.Topics[0].Partitions {
		if p.ErrorCode != 0 || p.LeaderId < 0 {
			return false
		}
	}
	return true
}

// Record is a record to produce with Produce.
type Record struct {
	Key, Value []byte
	Partition  int32 // -1 lets the partitioner choose
}

// Produce writes records to topic with kcat (`kcat -P`, installed by
// scripts/deps), waiting for every acknowledgement. Keys and values must not
// contain the delimiter byte 0x1e or 0x1f.
func Produce(t testing.TB, brokers, topic string, records ...Record) {
	t.Helper()
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		unavailable(t, "kcat not found (run scripts/deps)")
	}
	byPartition := map[int32][]Record{}
	var order []int32
	for _, r := range records {
		if _, ok := byPartition[r.Partition]; !ok {
			order = append(order, r.Partition)
		}
		byPartition[r.Partition] = append(byPartition[r.Partition], r)
	}
	for _, p := range order {
		var in bytes.Buffer
		for _, r := range byPartition[p] {
			if bytes.ContainsAny(r.Key, "\x1e\x1f") || bytes.ContainsAny(r.Value, "\x1e\x1f") {
				t.Fatalf("kafkatest: record contains a delimiter byte")
			}
			in.Write(r.Key)
			in.WriteByte(0x1f)
			in.Write(r.Value)
			in.WriteByte(0x1e)
		}
		args := []string{"-P", "-b", brokers, "-t", topic, "-K", "\x1f", "-D", "\x1e", "-X", "acks=all", "-X", "linger.ms=0"}
		if p >= 0 {
			args = append(args, "-p", fmt.Sprint(p))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, kcat, args...)
		cmd.Stdin = &in
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		if err != nil || strings.Contains(out.String(), "ERROR") {
			t.Fatalf("kafkatest: kcat produce to %s: %v\n%s", topic, err, out.String())
		}
	}
}

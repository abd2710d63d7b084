package kafkatest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// CreateTopic creates a topic on the test broker and returns its name; name
// "" picks a unique one with TopicName. It fails the test on error.
//
// Until rawkafka's CreateTopics codec exists this runs the broker's own
// TopicCommand through `scripts/kafka java-tool`.
func CreateTopic(t testing.TB, name string, partitions, replicationFactor int) string {
	t.Helper()
	e := Get(t)
	if name == "" {
		name = TopicName(t)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), "java-tool", "TopicCommand",
		"--bootstrap-server", e.Bootstrap, "--create", "--topic", name,
		"--partitions", fmt.Sprint(partitions), "--replication-factor", fmt.Sprint(replicationFactor))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("kafkatest: create topic %s: %v\n%s", name, err, out.String())
	}
	return name
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

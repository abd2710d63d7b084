package kafkatest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
)

// MoveLeader makes broker to, one of the partition's replicas, its leader,
// with the Java admin tools scripts/kafka runs (java-tool): a reassignment
// that only reorders the replicas so that to comes first (kafka-reassign-
// partitions), then a preferred leader election (kafka-leader-election).
// It returns once the metadata names the new leader, and fails the test on
// any error. The broker it talks to is the one scripts/kafka env describes.
func MoveLeader(t testing.TB, topic string, partition int32, replicas []int32, to int32) {
	t.Helper()
	e := Get(t)
	if !slices.Contains(replicas, to) {
		t.Fatalf("kafkatest: move leader of %s/%d to %d: not a replica of %v", topic, partition, to, replicas)
	}
	order := append([]int32{to}, slices.DeleteFunc(slices.Clone(replicas), func(r int32) bool { return r == to })...)
	plan, err := json.Marshal(map[string]any{"version": 1, "partitions": []map[string]any{
		{"topic": topic, "partition": partition, "replicas": order}}})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "reassign.json")
	if err := os.WriteFile(file, plan, 0o644); err != nil {
		t.Fatal(err)
	}
	bootstrap := strings.Split(e.Bootstrap, ",")[0]
	javaTool(t, "org.apache.kafka.tools.reassign.ReassignPartitionsCommand", "--bootstrap-server", bootstrap,
		"--reassignment-json-file", file, "--execute")

	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cl.Metadata(ctx, topic); err != nil { // so that refreshes include the topic
		t.Fatal(err)
	}
	for {
		// The election fails while the reordering is still in progress;
		// repeat it until the metadata shows the new leader.
		javaTool(t, "org.apache.kafka.tools.LeaderElectionCommand", "--bootstrap-server", bootstrap,
			"--election-type", "PREFERRED", "--topic", topic, "--partition", strconv.Itoa(int(partition)))
		md, err := cl.Refresh(ctx)
		if err == nil {
			if p, ok := md.Partition(topic, partition); ok && p.Leader == to {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("kafkatest: %s/%d: broker %d did not become the leader: %v", topic, partition, to, err)
		case <-time.After(time.Second):
		}
	}
}

// javaTool runs `scripts/kafka java-tool class args...`; a failure fails the
// test, except that a leader election reports elections it did not need as
// failures, which are not.
func javaTool(t testing.TB, class string, args ...string) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), append([]string{"java-tool", class}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Logf("kafkatest: %s: %v: %s", class, err, lastLines(out.String(), 5))
		if !strings.Contains(class, "LeaderElection") {
			t.FailNow()
		}
	}
}

// CommitOffset makes group's committed offset of a partition offset, with
// the Java tool kafka-consumer-groups (--reset-offsets --to-offset
// --execute, through scripts/kafka java-tool): an independent writer of
// committed offsets. The group must have no active members.
func CommitOffset(t testing.TB, group, topic string, partition int32, offset int64) {
	t.Helper()
	e := Get(t)
	javaTool(t, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", strings.Split(e.Bootstrap, ",")[0],
		"--group", group, "--topic", topic+":"+strconv.Itoa(int(partition)), "--reset-offsets",
		"--to-offset", strconv.FormatInt(offset, 10), "--execute")
}

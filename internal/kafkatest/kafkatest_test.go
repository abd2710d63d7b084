package kafkatest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

func TestFromEnviron(t *testing.T) {
	vars := map[string]string{"RAWKAFKA_BOOTSTRAP": "h:1", "RAWKAFKA_SASL_BOOTSTRAP": "h:2", "RAWKAFKA_SCRAM512_PASSWORD": "pw"}
	e := fromEnviron(func(k string) string { return vars[k] })
	if e.Bootstrap != "h:1" || e.SASLBootstrap != "h:2" || e.Scram512 != (Credentials{"scram512", "pw"}) || e.Plain.User != "alice" {
		t.Fatalf("%+v", e)
	}
	vars["RAWKAFKA_BROKERS"] = "h:9"
	if e := fromEnviron(func(k string) string { return vars[k] }); e.Bootstrap != "h:9" {
		t.Fatalf("RAWKAFKA_BROKERS does not win: %+v", e)
	}
}

func TestTopicNameUnique(t *testing.T) {
	a, b := TopicName(t), TopicName(t)
	if a == b || !strings.HasPrefix(a, "rawkafka-TestTopicNameUnique-") {
		t.Fatalf("%q %q", a, b)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot %s: %v", root, err)
	}
}

func TestCreateTopicAndProduce(t *testing.T) {
	brokers := Brokers(t)
	topic := CreateTopic(t, "", 4, 1)
	Produce(t, brokers, topic, Record{Key: []byte("a"), Value: []byte("1"), Partition: 3}, Record{Value: []byte("2"), Partition: 3})

	cn, err := conn.Dial(context.Background(), strings.Split(brokers, ",")[0], conn.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cn.Do(ctx, &protocol.ListOffsetsRequest{ReplicaId: -1, Topics: []protocol.ListOffsetsRequestTopic{{
		Name: topic, Partitions: []protocol.ListOffsetsRequestPartition{{PartitionIndex: 3, CurrentLeaderEpoch: -1, Timestamp: -1, MaxNumOffsets: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := resp.(*protocol.ListOffsetsResponse).Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.Offset != 2 {
		t.Fatalf("partition 3 of %s: %+v, want end offset 2", topic, p)
	}
}

package commit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestIntegrationCommitted reads, at each OffsetFetch layout (v1, the
// single-group v7 and the batched v8+), offsets the Java tools committed:
// one partition committed, one not, and a group with no offsets at all.
func TestIntegrationCommitted(t *testing.T) {
	e := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 8)
	group := kafkatest.TopicName(t) + "-group"
	kafkatest.CommitOffset(t, group, topic, 0, 5)
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	parts := []protocol.TopicPartition{{Topic: topic, Partition: 0}, {Topic: topic, Partition: 1}}
	for _, v := range []int16{1, 7, 9} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			c, err := New(cl, group, Config{MaxOffsetFetchVersion: v})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := c.Committed(ctx, Member{}, parts, v >= 7)
			if err != nil {
				t.Fatal(err)
			}
			if o := got[parts[0]]; o.Offset != 5 || o.Err != nil {
				t.Errorf("partition 0: %+v, want offset 5", o)
			}
			if o := got[parts[1]]; o.Offset != -1 || o.LeaderEpoch != -1 || o.Err != nil {
				t.Errorf("partition 1: %+v, want nothing committed", o)
			}
			none, err := Committed(ctx, cl, group+"-unknown", parts[:1], false)
			if err != nil || none[parts[0]].Offset != -1 {
				t.Errorf("a group that committed nothing: %+v, %v", none, err)
			}
		})
	}
}

// TestCommittedNeedsGroup: an empty group id is refused before anything is
// sent.
func TestCommittedNeedsGroup(t *testing.T) {
	if _, err := Committed(context.Background(), nil, "", nil, false); err == nil || !strings.Contains(err.Error(), "group.id") {
		t.Fatalf("err = %v", err)
	}
}

// TestIntegrationCommit commits at each OffsetCommit layout (v2 with a
// retention time, v5, v6 with the leader epoch, v8+ flexible) and reads the
// offsets back; metadata over the broker's offset.metadata.max.bytes is
// refused for that partition alone.
func TestIntegrationCommit(t *testing.T) {
	e := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tp0, tp1 := protocol.TopicPartition{Topic: topic, Partition: 0}, protocol.TopicPartition{Topic: topic, Partition: 1}
	for _, v := range []int16{2, 5, 6, 9} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			group := fmt.Sprintf("%s-v%d", kafkatest.TopicName(t), v)
			c, err := New(cl, group, Config{MaxOffsetCommitVersion: v})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Commit(ctx, Member{}, map[protocol.TopicPartition]protocol.CommittedOffset{
				tp0: {Offset: int64(10 + v), LeaderEpoch: 0, Metadata: "m"},
				tp1: {Offset: 3, LeaderEpoch: -1}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := Committed(ctx, cl, group, []protocol.TopicPartition{tp0, tp1}, false)
			if err != nil {
				t.Fatal(err)
			}
			wantEpoch := int32(-1) // before v6 the epoch is not sent
			if v >= 6 {
				wantEpoch = 0
			}
			if o := got[tp0]; o.Offset != int64(10+v) || o.Metadata != "m" || o.LeaderEpoch != wantEpoch {
				t.Errorf("partition 0: %+v, want offset %d, metadata m, leader epoch %d", o, 10+v, wantEpoch)
			}
			if o := got[tp1]; o.Offset != 3 {
				t.Errorf("partition 1: %+v, want offset 3", o)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	group := kafkatest.TopicName(t) + "-big"
	err = Commit(ctx, cl, group, map[protocol.TopicPartition]protocol.CommittedOffset{
		tp0: {Offset: 1, LeaderEpoch: -1, Metadata: strings.Repeat("x", 5000)},
		tp1: {Offset: 2, LeaderEpoch: -1}})
	var pe *PartitionErrors
	if !errors.As(err, &pe) || len(pe.Errors) != 1 || !errors.Is(pe.Errors[tp0], protocol.ErrOffsetMetadataTooLarge) {
		t.Fatalf("err = %v, want OFFSET_METADATA_TOO_LARGE for partition 0 alone", err)
	}
	if !errors.Is(err, protocol.ErrOffsetMetadataTooLarge) {
		t.Fatalf("errors.Is does not see the partition's error in %v", err)
	}
	got, err := Committed(ctx, cl, group, []protocol.TopicPartition{tp0, tp1}, false)
	if err != nil || got[tp0].Offset != -1 || got[tp1].Offset != 2 {
		t.Fatalf("after a partly refused commit: %+v, %v; want -1 and 2", got, err)
	}
}

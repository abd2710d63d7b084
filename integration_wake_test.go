package rawkafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationNoOffsetWakesPoll: with auto.offset.reset=none and no
// offset, a partition assigned None stops with ErrNoOffset, and a Poll
// that is already waiting returns it at once. Before the stop woke Poll
// itself, 40 rounds of this missed it 3-5 times against a real broker, the
// Poll waiting until its context ended.
func TestIntegrationNoOffsetWakesPoll(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	c := newTestConsumer(t, map[string]string{"auto.offset.reset": "none"})
	tp := TopicPartition{Topic: topic, Partition: 0}
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		if err := c.Assign(map[TopicPartition]StartPosition{tp: Default}); err != nil {
			t.Fatal(err)
		}
		fs, err := c.Poll(ctx)
		cancel()
		if err != nil || !errors.Is(fs.Err(), ErrNoOffset) {
			t.Fatalf("round %d: poll after %v: %v, %v; want ErrNoOffset", i, time.Since(start), err, fs.Err())
		}
		if err := c.Assign(nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIntegrationRevokeCommitsLast: with auto-commits starting at almost
// every Poll (auto.commit.interval.ms=1), revoking a partition commits its
// final position and the group holds exactly that afterwards: past every
// record Poll returned and no further. (Against one broker the commits of
// one consumer travel in order on the coordinator connection anyway, so
// this checks the result; that revoke waits for the background commit is
// TestCommitsSerialised's to show.)
func TestIntegrationRevokeCommitsLast(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 50)
	group := kafkatest.TopicName(t) + "-group"
	tp := TopicPartition{Topic: topic, Partition: 0}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := newTestConsumer(t, map[string]string{"group.id": group, "auto.offset.reset": "earliest",
		"auto.commit.interval.ms": "1", "max.poll.records": "3"})
	if err := c.Assign(map[TopicPartition]StartPosition{tp: Committed}); err != nil {
		t.Fatal(err)
	}
	var last int64 = -1
	for last < 20 {
		fs, err := c.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for r := range fs.Records() {
			last = r.Offset
		}
		time.Sleep(2 * time.Millisecond) // paces Polls so auto-commits start; any pace must pass
	}
	if err := c.revoke(ctx, tp); err != nil {
		t.Fatal(err)
	}
	if a := c.Assignment(); len(a) != 0 {
		t.Fatalf("assigned after revoke: %v", a)
	}
	// A stray background commit would land by now (an absence: a later one
	// would escape this check, never fail it wrongly).
	time.Sleep(200 * time.Millisecond)
	co, err := c.Committed(ctx, tp)
	if err != nil || co[tp].Offset != last+1 {
		t.Fatalf("committed %+v, %v; want %d, past the last record returned", co, err, last+1)
	}
	if m := c.Metrics(); m.Group.Commits < 2 {
		t.Fatalf("%d commits counted; want the auto-commits and the revocation's", m.Group.Commits)
	}
}

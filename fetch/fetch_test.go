package fetch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func TestPollEveryRecordOnce(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	// Values are named by offset: v<offset>, so record i of recs("v", 0, 5) is v0...
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	fc.appendBatch("t", 0, -1, recs("v", 5, 3)...)
	f := newTestFetcher(t, fc, Config{})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, errs := pollUntil(t, f, 8, 3)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	checkSeq(t, rs, tp, 0, "v")
	fc.appendBatch("t", 0, -1, recs("v", 8, 4)...)
	t.Cleanup(func() { dumpFetches(t, fc) })
	rs, _ = pollUntil(t, f, 4, 0)
	checkSeq(t, rs, tp, 8, "v")
	if pos, err := f.Position(context.Background(), tp); err != nil || pos != 12 {
		t.Fatalf("position = %d, %v; want 12", pos, err)
	}
	m := f.Metrics()
	if m.RecordsConsumed != 12 || m.Partitions[tp].HighWatermark != 12 || m.Partitions[tp].Lag != 0 {
		t.Fatalf("metrics: %+v", m)
	}
}

func TestHeadersAndTimestamps(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, rec{"a", "b"}, rec{"c", "d"})
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	fs, err := f.Poll(context.Background(), 0)
	if err != nil || fs.NumRecords() != 2 {
		t.Fatalf("poll: %v, %d records", err, fs.NumRecords())
	}
	r := fs.Partitions[0].Records[1]
	if string(r.Key) != "c" || string(r.Value) != "d" || len(r.Headers) != 1 || string(r.Headers[0].Key) != "h" ||
		string(r.Headers[0].Value) != "d" || r.Timestamp.UnixMilli() != 1700000000001 || r.LeaderEpoch != 0 {
		t.Fatalf("record: %+v", r)
	}
	if fs.Partitions[0].HighWatermark != 2 {
		t.Fatalf("high watermark %d", fs.Partitions[0].HighWatermark)
	}
}

func TestStartPositions(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 7)
	for p := range int32(7) {
		fc.appendBatch("t", p, -1, recs("v", 0, 10)...)
	}
	f := newTestFetcher(t, fc, Config{})
	tp := func(p int32) protocol.TopicPartition { return protocol.TopicPartition{Topic: "t", Partition: p} }
	f.Add(map[protocol.TopicPartition]Start{
		tp(0): StartEarliest,
		tp(1): StartLatest,
		tp(2): StartAt(7),
		tp(3): StartAtTime(time.UnixMilli(1700000000004)), // offset 4 has that timestamp in the fake
		tp(4): StartAtTime(time.UnixMilli(1800000000000)), // after every record: latest
		tp(5): StartDefault,                               // the reset policy: latest
		tp(6): StartNone,
	})
	want := map[int32]int64{0: 0, 1: 10, 2: 7, 3: 4, 4: 10, 5: 10}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for p, w := range want {
		if pos, err := f.Position(ctx, tp(p)); err != nil || pos != w {
			t.Errorf("partition %d: position %d, %v; want %d", p, pos, err, w)
		}
	}
	if _, err := f.Position(ctx, tp(6)); !errors.Is(err, ErrNoOffset) {
		t.Errorf("partition 6 (none): %v, want ErrNoOffset", err)
	}
	rs, errs := pollUntil(t, f, 10+3+6, 0)
	var pe *PartitionError
	if len(errs) != 1 || !errors.Is(errs[0], ErrNoOffset) || !errors.As(errs[0], &pe) || pe.TopicPartition != tp(6) {
		t.Fatalf("errors %v, want one ErrNoOffset of partition 6", errs)
	}
	byTP := map[protocol.TopicPartition][]got{}
	for _, r := range rs {
		byTP[r.tp] = append(byTP[r.tp], r)
	}
	checkSeq(t, byTP[tp(0)], tp(0), 0, "v")
	checkSeq(t, byTP[tp(2)], tp(2), 7, "v")
	checkSeq(t, byTP[tp(3)], tp(3), 4, "v")
	if len(byTP[tp(0)]) != 10 || len(byTP[tp(2)]) != 3 || len(byTP[tp(3)]) != 6 || len(byTP) != 3 {
		t.Fatalf("records per partition: %v", byTP)
	}
	// A Seek restarts the stopped partition.
	if err := f.Seek(tp(6), StartAt(8)); err != nil {
		t.Fatal(err)
	}
	rs, _ = pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp(6), 8, "v")
}

func TestByDurationStart(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 3)...)
	var asked []int64
	fc.onListOffsets = func(_ int32, req *protocol.ListOffsetsRequest) *protocol.ListOffsetsResponse {
		for _, p := range req.Topics[0].Partitions {
			asked = append(asked, p.Timestamp)
		}
		return nil
	}
	d, err := ParseISODuration("P3650D") // ten years ago: the first record
	if err != nil {
		t.Fatal(err)
	}
	f := newTestFetcher(t, fc, Config{Reset: StartByDuration(d)})
	before := time.Now()
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartDefault, {Topic: "t", Partition: 1}: StartByDuration(time.Millisecond)})
	if pos, err := f.Position(context.Background(), protocol.TopicPartition{Topic: "t", Partition: 0}); err != nil || pos != 0 {
		t.Fatalf("position %d, %v; want 0", pos, err)
	}
	if pos, err := f.Position(context.Background(), protocol.TopicPartition{Topic: "t", Partition: 1}); err != nil || pos != 3 {
		t.Fatalf("position %d, %v; want 3 (no record that recent: latest)", pos, err)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	century := before.Add(-d).UnixMilli() // (ten years)
	found := false
	for _, ts := range asked {
		found = found || (ts >= century-60000 && ts <= century+60000)
	}
	if !found {
		t.Fatalf("ListOffsets timestamps %v, want one near %d", asked, century)
	}
}

// TestStartCommitted: StartCommitted starts at the group's committed offset
// (validated with its leader epoch), falls back to the reset policy where
// nothing is committed, retries after a failed lookup (reporting an error
// that is not retriable), and without a lookup function stops with
// ErrNoGroup.
func TestStartCommitted(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 3)
	for p := range int32(3) {
		fc.appendBatch("t", p, -1, recs("v", 0, 6)...)
	}
	asked := countOFLE(fc)
	var mu sync.Mutex
	lookups := 0
	committed := func(ctx context.Context, tps []protocol.TopicPartition) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
		mu.Lock()
		defer mu.Unlock()
		lookups++
		if lookups == 1 {
			return nil, protocol.ErrGroupAuthorizationFailed
		}
		out := map[protocol.TopicPartition]protocol.CommittedOffset{}
		for _, tp := range tps {
			switch tp.Partition {
			case 0:
				out[tp] = protocol.CommittedOffset{Offset: 4, LeaderEpoch: 0}
			case 1:
				out[tp] = protocol.CommittedOffset{Offset: -1, LeaderEpoch: -1}
			default:
				out[tp] = protocol.CommittedOffset{Offset: 2, LeaderEpoch: -1}
			}
		}
		return out, nil
	}
	f := newTestFetcher(t, fc, Config{Committed: committed, Reset: StartEarliest})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartCommitted, {Topic: "t", Partition: 1}: StartCommitted, {Topic: "t", Partition: 2}: StartCommitted})
	rs, errs := pollUntil(t, f, 2+6+4, 0)
	if len(errs) != 3 {
		t.Fatalf("errors %v: want the GROUP_AUTHORIZATION_FAILED of the first lookup, once per partition", errs)
	}
	for _, err := range errs {
		if !errors.Is(err, protocol.ErrGroupAuthorizationFailed) {
			t.Fatalf("error %v", err)
		}
	}
	parts := split(rs)
	checkSeq(t, parts[protocol.TopicPartition{Topic: "t", Partition: 0}], protocol.TopicPartition{Topic: "t", Partition: 0}, 4, "v")
	checkSeq(t, parts[protocol.TopicPartition{Topic: "t", Partition: 1}], protocol.TopicPartition{Topic: "t", Partition: 1}, 0, "v")
	checkSeq(t, parts[protocol.TopicPartition{Topic: "t", Partition: 2}], protocol.TopicPartition{Topic: "t", Partition: 2}, 2, "v")
	fc.mu.Lock()
	if len(*asked) != 1 || (*asked)[0] != 0 {
		t.Errorf("OffsetForLeaderEpoch asked for epochs %v, want [0]: only partition 0 has a committed epoch", *asked)
	}
	fc.mu.Unlock()

	f2 := newTestFetcher(t, fc, Config{})
	f2.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartCommitted})
	if err, _ := pollErr(t, f2, ErrNoGroup); err == nil {
		t.Fatal("no ErrNoGroup without a committed-offset lookup")
	}
}

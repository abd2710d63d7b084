package fetch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func split(rs []got) map[protocol.TopicPartition][]got {
	out := map[protocol.TopicPartition][]got{}
	for _, r := range rs {
		out[r.tp] = append(out[r.tp], r)
	}
	return out
}

func TestPauseResume(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	p0, p1 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 3)...)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{p0: StartEarliest, p1: StartEarliest})
	if err := f.Pause(p0); err != nil {
		t.Fatal(err)
	}
	rs, _ := pollUntil(t, f, 3, 0)
	checkSeq(t, rs, p1, 0, "v")
	// Paused stays paused: more data, more polls, nothing from p0.
	fc.appendBatch("t", 0, -1, recs("v", 3, 2)...)
	expectNothing(t, f, 200*time.Millisecond)
	if got := f.Paused(); len(got) != 1 || got[0] != p0 {
		t.Fatalf("paused %v", got)
	}
	if err := f.Resume(p0); err != nil {
		t.Fatal(err)
	}
	rs, _ = pollUntil(t, f, 5, 0)
	checkSeq(t, rs, p0, 0, "v")

	// Pausing a partition with data already buffered keeps the data for
	// after Resume.
	fc.appendBatch("t", 1, -1, recs("v", 3, 2)...)
	waitFor(t, "buffered data", func() bool { return f.Metrics().BufferedBytes > 0 })
	f.Pause(p1)
	expectNothing(t, f, 150*time.Millisecond)
	f.Resume(p1)
	rs, _ = pollUntil(t, f, 2, 0)
	checkSeq(t, rs, p1, 3, "v")
	if err := f.Pause(protocol.TopicPartition{Topic: "t", Partition: 9}); !errors.Is(err, ErrNotAssigned) {
		t.Fatalf("pause of an unassigned partition: %v", err)
	}
}

// TestAddRemoveWhileFetching: partitions come and go while another keeps
// delivering every record exactly once.
func TestAddRemoveWhileFetching(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 3)
	p0, p1, p2 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}, protocol.TopicPartition{Topic: "t", Partition: 2}
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{p0: StartEarliest, p1: StartEarliest})
	var all []got
	pollFor := func(want map[protocol.TopicPartition]int) {
		t.Helper()
		for {
			by := split(all)
			done := true
			for tp, n := range want {
				done = done && len(by[tp]) >= n
			}
			if done {
				return
			}
			rs, _ := pollUntil(t, f, 1, 0)
			all = append(all, rs...)
		}
	}
	next := 0
	for round := 0; round < 6; round++ {
		fc.appendBatch("t", 0, -1, recs("v", next, 2)...)
		fc.appendBatch("t", 1, -1, recs("v", next, 2)...)
		fc.appendBatch("t", 2, -1, recs("v", next, 2)...)
		next += 2
		switch round {
		case 1:
			f.Remove(p1)
		case 3:
			f.Add(map[protocol.TopicPartition]Start{p2: StartEarliest})
		}
		want := map[protocol.TopicPartition]int{p0: next}
		if round == 0 {
			want[p1] = 2
		}
		if round >= 3 {
			want[p2] = next
		}
		pollFor(want)
	}
	expectNothing(t, f, 100*time.Millisecond)
	by := split(all)
	checkSeq(t, by[p0], p0, 0, "v")
	if len(by[p0]) != 12 {
		t.Fatalf("partition 0: %d records", len(by[p0]))
	}
	checkSeq(t, by[p1], p1, 0, "v")
	checkSeq(t, by[p2], p2, 0, "v")
	if len(by[p2]) != 12 || len(by[p1]) > 4 {
		t.Fatalf("partition 1 %d, partition 2 %d records", len(by[p1]), len(by[p2]))
	}
	if got := f.Assigned(); len(got) != 2 || got[0] != p0 || got[1] != p2 {
		t.Fatalf("assigned %v", got)
	}
}

// TestNextFetchWhileUserHandlesRecords: once Poll has handed out a
// partition's data, its next fetch goes out before the next Poll.
func TestNextFetchWhileUserHandlesRecords(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	pollUntil(t, f, 3, 3) // max.poll.records ends exactly with the data
	waitFor(t, "a fetch from offset 3 before the next Poll", func() bool {
		for _, fe := range fc.fetchLog() {
			for _, ft := range fe.req.Topics {
				for _, p := range ft.Partitions {
					if p.FetchOffset == 3 {
						return true
					}
				}
			}
		}
		return false
	})
}

// TestBufferBudget: with a budget smaller than one response, each broker
// has its share of it in flight, nothing more is fetched until Poll makes
// room, and every record still arrives once.
func TestBufferBudget(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 2) // partition 0 on broker 0, 1 on broker 1
	for i := 0; i < 5; i++ {
		fc.appendBatch("t", 0, -1, recs("v", i*4, 4)...)
		fc.appendBatch("t", 1, -1, recs("v", i*4, 4)...)
	}
	f := newTestFetcher(t, fc, Config{BufferMaxBytes: 100})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest, {Topic: "t", Partition: 1}: StartEarliest})
	waitFor(t, "buffered data", func() bool { return f.Metrics().BufferedBytes >= 100 })
	// Room for fetches that should not happen (an absence: a late one
	// would escape this check, never fail it wrongly).
	time.Sleep(200 * time.Millisecond)
	if n := len(fc.fetchLog()); n > 2 {
		dumpFetches(t, fc)
		t.Fatalf("%d fetches with the budget used up, want at most one per broker", n)
	}
	for _, fe := range fc.fetchLog() {
		if fe.req.MaxBytes > 100 {
			t.Fatalf("fetch max bytes %d, above the budget", fe.req.MaxBytes)
		}
	}
	rs, _ := pollUntil(t, f, 40, 0)
	by := split(rs)
	checkSeq(t, by[protocol.TopicPartition{Topic: "t", Partition: 0}], protocol.TopicPartition{Topic: "t", Partition: 0}, 0, "v")
	checkSeq(t, by[protocol.TopicPartition{Topic: "t", Partition: 1}], protocol.TopicPartition{Topic: "t", Partition: 1}, 0, "v")
	if m := f.Metrics(); m.BufferedBytes > 1000 {
		t.Fatalf("buffered %d bytes", m.BufferedBytes)
	}
}

// TestDisconnectAndUnknownPartition: the broker hangs up mid-fetch, then
// answers UNKNOWN_TOPIC_OR_PARTITION once; the fetcher refreshes metadata
// and goes on without losing or repeating a record.
func TestDisconnectAndUnknownPartition(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 3, 0)
	fc.mu.Lock()
	fc.hangUps = 1
	fc.mu.Unlock()
	unknown := 1
	fc.editFetch = func(_ int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if unknown > 0 && len(d.Records) > 0 {
					unknown--
					*d = protocol.FetchResponsePartitionData{PartitionIndex: d.PartitionIndex, ErrorCode: protocol.ErrUnknownTopicOrPartition.Code,
						HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1}
				}
			}
		}
	}
	fc.appendBatch("t", 0, -1, recs("v", 3, 3)...)
	more, errs := pollUntil(t, f, 3, 0)
	checkSeq(t, append(rs, more...), tp, 0, "v")
	if len(errs) > 0 || unknown > 0 {
		t.Fatalf("errors %v, unknown left %d", errs, unknown)
	}
	if m := f.Metrics(); m.FetchErrors == 0 {
		t.Fatalf("the hang-up was not counted: %+v", m)
	}
}

func TestTopicAuthorizationReported(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	denied := 1
	fc.editFetch = func(_ int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if denied > 0 {
					denied--
					*d = protocol.FetchResponsePartitionData{PartitionIndex: d.PartitionIndex, ErrorCode: protocol.ErrTopicAuthorizationFailed.Code,
						HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1}
				}
			}
		}
	}
	f := newTestFetcher(t, fc, Config{})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	err, _ := pollErr(t, f, protocol.ErrTopicAuthorizationFailed)
	var pe *PartitionError
	if !errors.As(err, &pe) || pe.TopicPartition != tp {
		t.Fatalf("error %v", err)
	}
	// Retried: the data arrives once access is granted.
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 0, "v")
}

func TestCloseUnblocksPoll(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	done := make(chan error)
	go func() {
		_, err := f.Poll(context.Background(), 0)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // Close during Poll's wait, or before it: both return ErrClosed
	f.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("poll after close: %v", err)
	}
	if _, err := f.Position(context.Background(), protocol.TopicPartition{Topic: "t", Partition: 0}); !errors.Is(err, ErrClosed) {
		t.Fatalf("position after close: %v", err)
	}
}

// TestCaughtUpPartitionDoesNotHoldUpData: once Poll has handed out all of
// p0 (at its end) while p1 still has buffered records and more at the
// broker, a fetch of p0 alone would wait at the broker for fetch.max.wait,
// and with one fetch in flight per broker p1's next fetch would wait
// behind it. The caught-up partition is fetched with p1 instead, once
// p1's buffered records are handed out. MaxWait is far longer than
// pollUntil's bound, so a fetch held for it fails the test.
func TestCaughtUpPartitionDoesNotHoldUpData(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	p0, p1 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
	fc.appendBatch("t", 0, -1, recs("v", 0, 1)...)
	for i := 0; i < 5; i++ {
		fc.appendBatch("t", 1, -1, recs("v", i*10, 10)...)
	}
	// One batch of p1 per fetch.
	f := newTestFetcher(t, fc, Config{MaxWait: time.Minute, PartitionMaxBytes: 1})
	f.Add(map[protocol.TopicPartition]Start{p0: StartEarliest, p1: StartEarliest})
	waitFor(t, "both partitions buffered", func() bool {
		m := f.Metrics()
		return m.Partitions[p0].HighWatermark == 1 && m.Partitions[p1].HighWatermark == 50 && m.BufferedBytes > 0
	})
	// One record a Poll, until p0's is out: p1 keeps most of its first batch.
	var all []got
	for len(split(all)[p0]) == 0 {
		rs, _ := pollUntil(t, f, 1, 1)
		all = append(all, rs...)
	}
	rs, _ := pollUntil(t, f, 51-len(all), 0)
	all = append(all, rs...)
	by := split(all)
	checkSeq(t, by[p0], p0, 0, "v")
	checkSeq(t, by[p1], p1, 0, "v")
	if len(by[p1]) != 50 {
		t.Fatalf("p1: got %d records, want 50", len(by[p1]))
	}
}

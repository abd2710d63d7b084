package fetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// txnLog writes: 0-1 plain; 2-3 pid 7 (aborted); 4-5 pid 8 (committed);
// 6 ABORT pid 7; 7 COMMIT pid 8; 8-9 pid 7 again (committed); 10 COMMIT
// pid 7; 11 plain.
func txnLog(fc *fakeCluster) {
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	fc.appendBatch("t", 0, 7, recs("v", 2, 2)...)
	fc.appendBatch("t", 0, 8, recs("v", 4, 2)...)
	fc.appendControl("t", 0, 7, true)
	fc.appendControl("t", 0, 8, false)
	fc.appendBatch("t", 0, 7, recs("v", 8, 2)...)
	fc.appendControl("t", 0, 7, false)
	fc.appendBatch("t", 0, -1, recs("v", 11, 1)...)
	fc.withPart("t", 0, func(p *fakePart) {
		p.aborted = []fakeAborted{{pid: 7, first: 2, last: 6}}
	})
}

func offsets(rs []got) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.offset)
		if want := fmt.Sprintf("v%d", r.offset); r.value != want {
			panic(fmt.Sprintf("offset %d has value %s", r.offset, r.value))
		}
	}
	return out
}

func TestIsolationLevels(t *testing.T) {
	for _, tt := range []struct {
		iso  IsolationLevel
		want []int64
	}{
		{ReadCommitted, []int64{0, 1, 4, 5, 8, 9, 11}},
		{ReadUncommitted, []int64{0, 1, 2, 3, 4, 5, 8, 9, 11}},
	} {
		t.Run(tt.iso.String(), func(t *testing.T) {
			fc := newFakeCluster(t, 1)
			fc.addTopic("t", 1)
			txnLog(fc)
			tp := protocol.TopicPartition{Topic: "t", Partition: 0}
			f := newTestFetcher(t, fc, Config{IsolationLevel: tt.iso})
			f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
			rs, errs := pollUntil(t, f, len(tt.want), 2)
			if got := offsets(rs); fmt.Sprint(got) != fmt.Sprint(tt.want) || len(errs) > 0 {
				t.Fatalf("offsets %v, errors %v; want %v", got, errs, tt.want)
			}
			if pos, err := f.Position(context.Background(), tp); pos != 12 || err != nil {
				t.Fatalf("position %d, %v; want 12", pos, err)
			}
			// Nothing more, and nothing twice.
			expectNothing(t, f, 150*time.Millisecond)
			for _, fe := range fc.fetchLog() {
				if fe.req.IsolationLevel != int8(tt.iso) {
					t.Fatalf("fetch with isolation level %d", fe.req.IsolationLevel)
				}
			}
		})
	}
}

// TestReadCommittedFetchedInPieces: the same log fetched one batch per
// response, so aborted transactions span responses.
func TestReadCommittedFetchedInPieces(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	txnLog(fc)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{IsolationLevel: ReadCommitted, PartitionMaxBytes: 1})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 7, 0)
	if got := fmt.Sprint(offsets(rs)); got != "[0 1 4 5 8 9 11]" {
		t.Fatalf("offsets %s", got)
	}
}

// TestPartialBatchFetchedAgain: a response cut inside its last batch (as
// max bytes does) hands out the complete batches and fetches the rest.
func TestPartialBatchFetchedAgain(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	for i := 0; i < 4; i++ {
		fc.appendBatch("t", 0, -1, recs("v", i*3, 3)...)
	}
	cuts := 0
	fc.editFetch = func(_ int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if len(d.Records) > 200 && cuts < 3 {
					cuts++
					d.Records = d.Records[:len(d.Records)-7]
				}
			}
		}
	}
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 12, 5)
	checkSeq(t, rs, tp, 0, "v")
	expectNothing(t, f, 150*time.Millisecond)
	if cuts == 0 {
		t.Fatal("no response was cut")
	}
}

func TestCorruptBatchStopsPartition(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	fc.appendBatch("t", 0, -1, recs("v", 3, 3)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 3)...)
	corrupted := false
	fc.editFetch = func(_ int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if d.PartitionIndex == 0 && len(d.Records) > 100 && !corrupted {
					corrupted = true
					d.Records = append([]byte(nil), d.Records...)
					d.Records[len(d.Records)-1] ^= 0xff // in the second batch
				}
			}
		}
	}
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest, {Topic: "t", Partition: 1}: StartEarliest})
	err, rs := pollErr(t, f, record.ErrCorrupt)
	var p0 []got
	for _, r := range rs {
		if r.tp == tp {
			p0 = append(p0, r)
		}
	}
	checkSeq(t, p0, tp, 0, "v")
	if len(p0) != 3 {
		t.Fatalf("records before the corrupt batch: %v", p0)
	}
	if pos, perr := f.Position(context.Background(), tp); pos != 3 || !errors.Is(perr, record.ErrCorrupt) {
		t.Fatalf("position %d, %v (poll error %v)", pos, perr, err)
	}
	// Seek retries it (the broker's copy is intact).
	f.Seek(tp, StartAt(3))
	more, _ := pollUntil(t, f, 3, 0)
	var again []got
	for _, r := range append(rs, more...) {
		if r.tp == tp && r.offset >= 3 {
			again = append(again, r)
		}
	}
	checkSeq(t, again, tp, 3, "v")
}

// TestPreferredReadReplica: with a rack, the leader names a follower and
// fetches go there; an OFFSET_OUT_OF_RANGE from the follower sends the
// partition back to the leader without an offset reset.
func TestPreferredReadReplica(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 1)
	fc.withPart("t", 0, func(p *fakePart) { p.preferred = 1 })
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{Rack: "rack-1"})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 3, 0)
	checkSeq(t, rs, tp, 0, "v")
	log := fc.fetchLog()
	if log[0].broker != 0 || log[0].req.RackId != "rack-1" || log[len(log)-1].broker != 1 {
		dumpFetches(t, fc)
		t.Fatalf("fetches did not move from leader 0 to replica 1")
	}
	if m := f.Metrics(); m.Partitions[tp].PreferredReplica != 1 {
		t.Fatalf("metrics %+v", m.Partitions[tp])
	}
	oor := 1
	fc.editFetch = func(broker int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if broker == 1 && oor > 0 && len(d.Records) > 0 {
					oor--
					*d = protocol.FetchResponsePartitionData{PartitionIndex: d.PartitionIndex, ErrorCode: protocol.ErrOffsetOutOfRange.Code,
						HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1}
				}
			}
		}
	}
	n := len(fc.fetchLog())
	fc.appendBatch("t", 0, -1, recs("v", 3, 2)...)
	rs, errs := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 3, "v")
	if len(errs) > 0 || oor != 0 {
		t.Fatalf("errors %v, out of range injected: %v", errs, oor == 0)
	}
	log = fc.fetchLog()[n:]
	var brokers []int32
	for _, fe := range log {
		brokers = append(brokers, fe.broker)
	}
	// replica (out of range), leader (names the replica again), replica. The
	// fetch that got the error may have been sent, and logged, before n was
	// taken, so the log from n on holds at least: leader, then replica.
	back := slices.Index(brokers, 0)
	if back < 0 || brokers[len(brokers)-1] != 1 || back == len(brokers)-1 {
		t.Fatalf("brokers fetched after the error: %v; want the leader (0), then the replica (1) again", brokers)
	}
	if m := f.Metrics(); m.OffsetResets != 0 {
		t.Fatalf("out of range on a follower reset the offset: %+v", m)
	}
}

// TestReplicaUnreachable: a preferred replica that cannot be reached sends
// the partition back to its leader.
func TestReplicaErrorsGoBackToLeader(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 1)
	fc.withPart("t", 0, func(p *fakePart) { p.preferred = 1 })
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fails := 2
	fc.editFetch = func(broker int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if broker == 1 && fails > 0 {
					fails--
					*d = protocol.FetchResponsePartitionData{PartitionIndex: d.PartitionIndex, ErrorCode: protocol.ErrNotLeaderOrFollower.Code,
						HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1}
				}
			}
		}
	}
	f := newTestFetcher(t, fc, Config{Rack: "rack-1"})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, errs := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 0, "v")
	if len(errs) > 0 || fails != 0 {
		t.Fatalf("errors %v, fails left %d", errs, fails)
	}
}

// TestPreferredReplicaExpires: after metadata.max.age the leader is asked
// again (and names the replica again).
func TestPreferredReplicaExpires(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 1)
	fc.withPart("t", 0, func(p *fakePart) { p.preferred = 1 })
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f := newTestFetcher(t, fc, Config{Rack: "rack-1", MetadataMaxAge: 300 * time.Millisecond})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	waitFor(t, "leader, replica, leader again", func() bool {
		var seq []int32
		for _, fe := range fc.fetchLog() {
			if len(seq) == 0 || seq[len(seq)-1] != fe.broker {
				seq = append(seq, fe.broker)
			}
		}
		return len(seq) >= 3 && seq[0] == 0 && seq[1] == 1 && seq[2] == 0
	})
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 0, "v")
	f.checkBoard(t)
}

// TestCompressedRecordsStayValid: the records of compressed batches point
// into decompression buffers that Poll reuses; every record a Poll returns
// stays as it was until the next Poll, when a Poll spans several batches
// and fetches, and when a batch is handed out over several Polls.
func TestCompressedRecordsStayValid(t *testing.T) {
	for _, codec := range []record.Codec{record.CodecLZ4, record.CodecZstd, record.CodecGzip} {
		t.Run(codec.String(), func(t *testing.T) {
			fc := newFakeCluster(t, 1)
			fc.codec = codec
			fc.addTopic("t", 2)
			p0, p1 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
			for i := range 20 {
				fc.appendBatch("t", 0, -1, recs("v", i*7, 7)...)
				fc.appendBatch("t", 1, -1, recs("v", i*7, 7)...)
			}
			f := newTestFetcher(t, fc, Config{PartitionMaxBytes: 300}) // a few batches per fetch
			f.Add(map[protocol.TopicPartition]Start{p0: StartEarliest, p1: StartEarliest})
			var all []got
			for _, max := range []int{5, 11} { // pollUntil reads every record as soon as Poll returns
				rs, _ := pollUntil(t, f, 60, max)
				all = append(all, rs...)
			}
			rs, _ := pollUntil(t, f, 280-len(all), 0)
			by := split(append(all, rs...))
			checkSeq(t, by[p0], p0, 0, "v")
			checkSeq(t, by[p1], p1, 0, "v")
			if len(by[p0]) != 140 || len(by[p1]) != 140 {
				t.Fatalf("got %d and %d records, want 140 each", len(by[p0]), len(by[p1]))
			}
		})
	}
}

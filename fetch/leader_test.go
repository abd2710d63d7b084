package fetch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// countOFLE counts OffsetForLeaderEpoch requests and records the epochs asked.
func countOFLE(fc *fakeCluster) *[]int32 {
	var asked []int32
	fc.onOFLE = func(_ int32, req *protocol.OffsetForLeaderEpochRequest) *protocol.OffsetForLeaderEpochResponse {
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				asked = append(asked, p.LeaderEpoch)
			}
		}
		return nil
	}
	return &asked
}

// readFiveFromBroker0 makes t/0 on broker 0 of a 2-broker fake hold five
// records and reads them with a new Fetcher; asked records the epochs of
// OffsetForLeaderEpoch requests.
func readFiveFromBroker0(t *testing.T, fc *fakeCluster) (f *Fetcher, tp protocol.TopicPartition, asked *[]int32) {
	t.Helper()
	fc.addTopic("t", 1)
	asked = countOFLE(fc)
	tp = protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	f = newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 5, 0)
	checkSeq(t, rs, tp, 0, "v")
	return f, tp, asked
}

// moveToBroker1AndRead makes broker 1 the leader of t/0 at epoch 1, appends
// three records there and reads them, without a partition error.
func moveToBroker1AndRead(t *testing.T, fc *fakeCluster, f *Fetcher, tp protocol.TopicPartition) {
	t.Helper()
	fc.withPart("t", 0, func(p *fakePart) { p.leader, p.epoch = 1, 1 })
	fc.appendBatch("t", 0, -1, recs("v", 5, 3)...)
	rs, errs := pollUntil(t, f, 3, 0)
	checkSeq(t, rs, tp, 5, "v")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
}

func TestLeaderChangeValidates(t *testing.T) {
	fc := newFakeCluster(t, 2)
	f, tp, asked := readFiveFromBroker0(t, fc)
	moveToBroker1AndRead(t, fc, f, tp)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(*asked) == 0 || (*asked)[0] != 0 {
		t.Fatalf("OffsetForLeaderEpoch asked for epochs %v, want [0]", *asked)
	}
	last := fc.fetches[len(fc.fetches)-1]
	if e := requestEpoch(last.req); last.broker != 1 || e != -2 && e != 1 {
		t.Fatalf("last fetch went to broker %d: %+v", last.broker, last.req)
	}
	if m := f.Metrics(); m.Truncations != 0 || m.OffsetResets != 0 || m.Partitions[tp].Leader != 1 {
		t.Fatalf("metrics %+v", m)
	}
}

// requestEpoch returns the CurrentLeaderEpoch a fetch request sent for the
// one partition of these tests, or -2 when the request does not name it (an
// incremental fetch may carry no partitions at all).
func requestEpoch(req *protocol.FetchRequest) int32 {
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			return p.CurrentLeaderEpoch
		}
	}
	return -2
}

// TestFencedAndUnknownLeaderEpoch: the leader stays but its epoch moves on
// (FENCED_LEADER_EPOCH), and a broker lagging behind the metadata answers
// UNKNOWN_LEADER_EPOCH for a while; both are retried after a refresh.
func TestFencedAndUnknownLeaderEpoch(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 0, "v")
	unknown := 3
	// Answers without an error come only for epoch 2 once it is set: named
	// in the request, or held by the fetch session (an incremental fetch
	// after an error need not name the partition again).
	fc.editFetch = func(_ int32, req *protocol.FetchRequest, resp *protocol.FetchResponse) {
		if fc.part("t", 0).epoch != 2 {
			return
		}
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				d := &resp.Responses[i].Partitions[j]
				if d.ErrorCode == 0 && unknown > 0 {
					unknown--
					*d = protocol.FetchResponsePartitionData{PartitionIndex: d.PartitionIndex, ErrorCode: protocol.ErrUnknownLeaderEpoch.Code,
						HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1}
				}
			}
		}
	}
	fc.withPart("t", 0, func(p *fakePart) { p.epoch = 2 })
	fc.appendBatch("t", 0, -1, recs("v", 2, 3)...)
	rs, errs := pollUntil(t, f, 3, 0)
	checkSeq(t, rs, tp, 2, "v")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var fenced bool
	for _, fe := range fc.fetchLog() {
		fenced = fenced || requestEpoch(fe.req) == 0
	}
	if !fenced || unknown != 0 {
		t.Fatalf("fenced fetch seen %v, unknown-epoch errors left %d", fenced, unknown)
	}
}

// truncateAndMove simulates an unclean leader change: broker 1 leads at
// epoch 1 with a log that ends at offset keep, then gains new records.
func truncateAndMove(fc *fakeCluster, keep int64, newRecs int) {
	fc.withPart("t", 0, func(p *fakePart) {
		p.leader, p.epoch = 1, 1
		var kept []fakeBatch
		for _, b := range p.batches {
			if b.last < keep {
				kept = append(kept, b)
			}
		}
		p.batches, p.hw = kept, keep
	})
	fc.appendBatch("t", 0, -1, recs("w", int(keep), newRecs)...)
}

// readTen makes t/0 of a 2-broker fake hold v0..v9 (two batches, on
// broker 0 at epoch 0) and reads them with a new Fetcher for cfg, from
// start.
func readTen(t *testing.T, fc *fakeCluster, cfg Config, start Start) (*Fetcher, protocol.TopicPartition) {
	t.Helper()
	fc.addTopic("t", 1)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	fc.appendBatch("t", 0, -1, recs("v", 5, 5)...)
	f := newTestFetcher(t, fc, cfg)
	f.Add(map[protocol.TopicPartition]Start{tp: start})
	rs, _ := pollUntil(t, f, 10, 0)
	checkSeq(t, rs, tp, 0, "v")
	return f, tp
}

func TestTruncationDetected(t *testing.T) {
	fc := newFakeCluster(t, 2)
	f, tp := readTen(t, fc, Config{}, StartEarliest)
	truncateAndMove(fc, 5, 3)
	err, rs := pollErr(t, f, ErrTruncated)
	var te *TruncationError
	if !errors.As(err, &te) || te.Position != 10 || te.EndOffset != 5 || te.Epoch != 0 || !te.Reset {
		t.Fatalf("error %v (%+v)", err, te)
	}
	more, _ := pollUntil(t, f, 3-len(rs), 0)
	checkSeq(t, append(rs, more...), tp, 5, "w")
	if m := f.Metrics(); m.Truncations != 1 {
		t.Fatalf("truncations %d", m.Truncations)
	}
}

func TestTruncationWithResetNone(t *testing.T) {
	fc := newFakeCluster(t, 2)
	f, tp := readTen(t, fc, Config{Reset: StartNone}, StartAt(0))
	truncateAndMove(fc, 5, 3)
	if err, rs := pollErr(t, f, ErrTruncated); len(rs) > 0 {
		t.Fatalf("records with %v: %v", err, rs)
	}
	if pos, err := f.Position(context.Background(), tp); !errors.Is(err, ErrTruncated) || pos != 10 {
		t.Fatalf("position %d, %v", pos, err)
	}
	if err := f.Seek(tp, StartAt(6)); err != nil {
		t.Fatal(err)
	}
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 6, "w")
}

// TestEpochUnknownToLeader: the new leader knows no epoch at or below the
// position's: reset per policy, counted.
func TestEpochUnknownToLeader(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 1)
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	f := newTestFetcher(t, fc, Config{Reset: StartEarliest})
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	pollUntil(t, f, 3, 0)
	fc.onOFLE = func(_ int32, req *protocol.OffsetForLeaderEpochRequest) *protocol.OffsetForLeaderEpochResponse {
		return &protocol.OffsetForLeaderEpochResponse{Topics: []protocol.OffsetForLeaderEpochResponseTopic{{Topic: "t",
			Partitions: []protocol.OffsetForLeaderEpochResponsePartition{{Partition: 0, LeaderEpoch: -1, EndOffset: -1}}}}}
	}
	fc.withPart("t", 0, func(p *fakePart) { p.leader, p.epoch = 1, 1 })
	rs, _ := pollUntil(t, f, 3, 0)
	checkSeq(t, rs, tp, 0, "v")
	if m := f.Metrics(); m.OffsetResets != 1 {
		t.Fatalf("resets %d", m.OffsetResets)
	}
}

// TestStartAtEpochValidated: a start offset with its leader epoch (as a
// committed offset carries) is validated before the first fetch.
func TestStartAtEpochValidated(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 2)
	asked := countOFLE(fc)
	tp0, tp1 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	fc.appendBatch("t", 0, -1, recs("v", 5, 5)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 6)...)
	truncateAndMove(fc, 5, 3) // partition 0 now ends at 5 for epoch 0, then w5..w7
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{tp0: StartAtEpoch(10, 0), tp1: StartAtEpoch(3, 0)})
	rs, errs := pollUntil(t, f, 3+3, 0)
	by := split(rs)
	checkSeq(t, by[tp0], tp0, 5, "w")
	checkSeq(t, by[tp1], tp1, 3, "v")
	var te *TruncationError
	if len(errs) != 1 || !errors.As(errs[0], &te) || te.Position != 10 || te.EndOffset != 5 {
		t.Fatalf("errors %v", errs)
	}
	fc.mu.Lock()
	n := len(*asked)
	fc.mu.Unlock()
	if n != 2 {
		t.Fatalf("OffsetForLeaderEpoch asked for %d partitions, want 2", n)
	}
	if s := StartAtEpoch(7, 2); s.String() != "7@epoch2" || s.Epoch() != 2 || StartAt(7).Epoch() != -1 {
		t.Fatalf("%s %d", s, s.Epoch())
	}
}

// TestLeaderHint: a NOT_LEADER_OR_FOLLOWER that names the new leader
// (KIP-951) moves the partition there, validated, even while every
// metadata response still names the old leader; a hint naming a broker the
// metadata does not know falls back to a refresh.
func TestLeaderHint(t *testing.T) {
	for _, unknownBroker := range []bool{false, true} {
		name := map[bool]string{false: "used", true: "unknown broker"}[unknownBroker]
		t.Run(name, func(t *testing.T) {
			fc := newFakeCluster(t, 2)
			fc.hints = true
			f, tp, asked := readFiveFromBroker0(t, fc)
			if unknownBroker {
				fc.editFetch = func(_ int32, _ *protocol.FetchRequest, resp *protocol.FetchResponse) {
					for i := range resp.Responses {
						for j := range resp.Responses[i].Partitions {
							if d := &resp.Responses[i].Partitions[j]; d.CurrentLeader.LeaderId >= 0 {
								d.CurrentLeader.LeaderId = 7
							}
						}
					}
				}
			} else {
				fc.frozen = fc.metadata() // metadata keeps naming broker 0 at epoch 0
			}
			moveToBroker1AndRead(t, fc, f, tp)
			want := int64(1)
			if unknownBroker {
				want = 0
			}
			m := f.Metrics()
			if m.LeaderHints != want || m.Partitions[tp].Leader != 1 || m.Truncations != 0 || m.OffsetResets != 0 {
				t.Fatalf("LeaderHints %d (want %d), metrics %+v", m.LeaderHints, want, m)
			}
			fc.mu.Lock()
			defer fc.mu.Unlock()
			if len(*asked) == 0 || (*asked)[0] != 0 {
				t.Fatalf("OffsetForLeaderEpoch asked for epochs %v, want [0]: the position is validated", *asked)
			}
		})
	}
}

// TestSlowCommittedLookupHoldsUpNothingElse: while a committed-offset
// lookup hangs (a coordinator loading its offsets), the other partitions
// still get start positions, metadata refreshes and validation after a
// leader change: each lookup is work in flight for its own partitions, not
// a barrier for the maintenance loop.
func TestSlowCommittedLookupHoldsUpNothingElse(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 1)
	fc.addTopic("c", 1)
	asked := countOFLE(fc)
	inLookup, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	var once sync.Once
	committed := func(ctx context.Context, tps []protocol.TopicPartition) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
		once.Do(func() { close(inLookup) })
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil, errors.New("coordinator loading")
	}
	f := newTestFetcher(t, fc, Config{Committed: committed, RequestTimeout: time.Minute})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "c", Partition: 0}: StartCommitted})
	<-inLookup
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	start := time.Now()
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	rs, _ := pollUntil(t, f, 5, 0)
	checkSeq(t, rs, tp, 0, "v")
	moveToBroker1AndRead(t, fc, f, tp) // a metadata refresh, then OffsetForLeaderEpoch
	f.checkBoard(t)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v: held up behind the committed-offset lookup", d)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(*asked) == 0 {
		t.Fatal("the leader change was not validated")
	}
}

// TestTruncationWithDataBuffered: records fetched but not yet polled when
// a leader change shows the log was truncated below them. The buffered
// data is stale (its batches are gone from the new leader's log) and must
// not hold the partition: it is fetched again from the divergence point.
// (Before, the partition kept its buffered mark after the stale data was
// dropped, was never fetchable again, and its records stopped for good.)
func TestTruncationWithDataBuffered(t *testing.T) {
	fc := newFakeCluster(t, 2)
	// A short metadata.max.age.ms: the leader change is seen by the
	// periodic check, since a buffered partition is not fetched and meets
	// no leader error.
	f, tp := readTen(t, fc, Config{MetadataMaxAge: 20 * time.Millisecond}, StartEarliest)
	fc.appendBatch("t", 0, -1, recs("v", 10, 5)...)
	waitFor(t, "v10..v14 buffered", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.parts[tp].buffered && len(f.queue) > 0
	})
	f.mu.Lock()
	before := f.parts[tp].gen
	f.mu.Unlock()
	truncateAndMove(fc, 5, 3) // epoch 0 ends at 5 on broker 1; then w5..w7
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.cl.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the truncation applied", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		p := f.parts[tp]
		return p.gen != before && p.state == posReady && p.position <= 5
	})
	err, rs := pollErr(t, f, ErrTruncated)
	for _, r := range rs {
		if r.value[0] == 'v' && r.offset >= 10 {
			t.Fatalf("stale buffered record handed out after the truncation: %v", r)
		}
	}
	var te *TruncationError
	if !errors.As(err, &te) || te.Position != 10 || te.EndOffset != 5 {
		t.Fatalf("error %v (%+v)", err, te)
	}
	more, _ := pollUntil(t, f, 3-len(rs), 0)
	checkSeq(t, append(rs, more...), tp, 5, "w")
	f.checkBoard(t)
}

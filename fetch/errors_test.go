package fetch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestSessionErrorsFallBackToFullFetch: the broker forgets the session, then
// rejects an epoch; each time the next request is a full fetch, and no
// record is lost or repeated.
func TestSessionErrorsFallBackToFullFetch(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 3)...)
	var injected []int16
	fc.onFetch = func(_ int32, req *protocol.FetchRequest) *protocol.FetchResponse {
		// Reject the third and the sixth incremental request.
		if req.SessionEpoch == 3 && len(injected) == 0 {
			injected = append(injected, protocol.ErrFetchSessionIdNotFound.Code)
			delete(fc.sessions, req.SessionId)
			return &protocol.FetchResponse{ErrorCode: protocol.ErrFetchSessionIdNotFound.Code}
		}
		if req.SessionEpoch == 2 && len(injected) == 1 {
			injected = append(injected, protocol.ErrInvalidFetchSessionEpoch.Code)
			return &protocol.FetchResponse{ErrorCode: protocol.ErrInvalidFetchSessionEpoch.Code, SessionId: req.SessionId}
		}
		return nil
	}
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest, {Topic: "t", Partition: 1}: StartEarliest})
	all, _ := pollUntil(t, f, 6, 0)
	nInjected := func() int { // onFetch runs with fc.mu held
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return len(injected)
	}
	for next := 3; nInjected() < 2; next++ {
		fc.appendBatch("t", 0, -1, recs("v", next, 1)...)
		fc.appendBatch("t", 1, -1, recs("v", next, 1)...)
		rs, _ := pollUntil(t, f, 2, 0)
		all = append(all, rs...)
		if next > 100 {
			t.Fatal("session errors never injected")
		}
	}
	var p0, p1 []got
	for _, r := range all {
		if r.tp.Partition == 0 {
			p0 = append(p0, r)
		} else {
			p1 = append(p1, r)
		}
	}
	checkSeq(t, p0, protocol.TopicPartition{Topic: "t", Partition: 0}, 0, "v")
	checkSeq(t, p1, protocol.TopicPartition{Topic: "t", Partition: 1}, 0, "v")
	// After each error the next request is a full fetch: epoch 0 with the
	// session id 0 (not found) or the old id (close and reopen).
	log := fc.fetchLog()
	var after []int32
	for i, fe := range log {
		if i > 0 && (log[i-1].req.SessionEpoch == 3 || log[i-1].req.SessionEpoch == 2) && fe.req.SessionEpoch == 0 {
			after = append(after, fe.req.SessionId)
		}
	}
	if len(after) < 2 || after[0] != 0 || after[1] == 0 {
		dumpFetches(t, fc)
		t.Fatalf("full fetches after the errors had session ids %v, want [0 <old id>]", after)
	}
	if m := f.Metrics(); m.SessionResets != 2 {
		t.Fatalf("session resets %d, want 2", m.SessionResets)
	}
}

// TestSessionsIncremental: after the first full fetch, requests carry only
// partitions whose offset changed, and forget removed partitions.
func TestSessionsIncremental(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 3)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest, {Topic: "t", Partition: 1}: StartEarliest, {Topic: "t", Partition: 2}: StartEarliest})
	waitFor(t, "a full fetch", func() bool { return len(fc.fetchLog()) > 1 })
	fc.appendBatch("t", 1, -1, recs("v", 0, 2)...)
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, protocol.TopicPartition{Topic: "t", Partition: 1}, 0, "v")
	f.Remove(protocol.TopicPartition{Topic: "t", Partition: 2})
	fc.appendBatch("t", 0, -1, recs("v", 0, 1)...)
	rs, _ = pollUntil(t, f, 1, 0)
	checkSeq(t, rs, protocol.TopicPartition{Topic: "t", Partition: 0}, 0, "v")
	waitFor(t, "a fetch forgetting partition 2", func() bool {
		for _, fe := range fc.fetchLog() {
			for _, ft := range fe.req.ForgottenTopicsData {
				if slices.Contains(ft.Partitions, 2) {
					return true
				}
			}
		}
		return false
	})
	log := fc.fetchLog()
	if log[0].req.SessionEpoch != 0 || len(log[0].req.Topics) != 1 || len(log[0].req.Topics[0].Partitions) != 3 {
		t.Fatalf("first fetch: %+v", log[0].req)
	}
	for i, fe := range log[1:] {
		if fe.req.SessionEpoch != int32(i+1) || fe.req.SessionId != log[1].req.SessionId {
			dumpFetches(t, fc)
			t.Fatalf("fetch %d: session %d epoch %d", i+1, fe.req.SessionId, fe.req.SessionEpoch)
		}
		for _, ft := range fe.req.Topics {
			for _, p := range ft.Partitions {
				if p.Partition == 2 {
					dumpFetches(t, fc)
					t.Fatalf("fetch %d re-sent unchanged partition 2", i+1)
				}
			}
		}
	}
}

func TestSessionsDisabledAndNames(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.fetchMax = 12 // topic names, not ids
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 4)...)
	f := newTestFetcher(t, fc, Config{DisableSessions: true})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	rs, _ := pollUntil(t, f, 4, 2)
	checkSeq(t, rs, protocol.TopicPartition{Topic: "t", Partition: 0}, 0, "v")
	for _, fe := range fc.fetchLog() {
		if fe.req.Version != 12 || fe.req.SessionEpoch != -1 || fe.req.SessionId != 0 || fe.req.Topics[0].Topic != "t" {
			t.Fatalf("request %+v: want v12, sessionless, by name", fe.req)
		}
	}
}

func TestOffsetOutOfRangeReset(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	f := newTestFetcher(t, fc, Config{Reset: StartEarliest})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f.Add(map[protocol.TopicPartition]Start{tp: StartAt(100)})
	rs, _ := pollUntil(t, f, 5, 0)
	checkSeq(t, rs, tp, 0, "v")
	if m := f.Metrics(); m.OffsetResets != 1 {
		t.Fatalf("offset resets %d, want 1", m.OffsetResets)
	}
	// The log start moves past the position: reset again, to earliest.
	fc.withPart("t", 0, func(p *fakePart) { p.logStart, p.hw = 20, 22; p.batches = nil })
	fc.appendBatch("t", 0, -1, recs("v", 22, 2)...)
	fc.withPart("t", 0, func(p *fakePart) { p.logStart = 22 })
	rs, _ = pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 22, "v")
	if m := f.Metrics(); m.OffsetResets != 2 {
		t.Fatalf("offset resets %d, want 2", m.OffsetResets)
	}
}

func TestOffsetOutOfRangeNone(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 5)...)
	f := newTestFetcher(t, fc, Config{Reset: StartNone})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	f.Add(map[protocol.TopicPartition]Start{tp: StartAt(100)})
	if err, rs := pollErr(t, f, protocol.ErrOffsetOutOfRange); len(rs) > 0 {
		t.Fatalf("records before the error %v: %v", err, rs)
	}
	if _, err := f.Position(context.Background(), tp); !errors.Is(err, protocol.ErrOffsetOutOfRange) {
		t.Fatalf("position error %v", err)
	}
	expectNothing(t, f, 200*time.Millisecond)
	if err := f.Seek(tp, StartAt(3)); err != nil {
		t.Fatal(err)
	}
	rs, _ := pollUntil(t, f, 2, 0)
	checkSeq(t, rs, tp, 3, "v")
	if m := f.Metrics(); m.OffsetResets != 0 {
		t.Fatalf("offset resets %d, want 0", m.OffsetResets)
	}
}

// TestSessionsClosed: a broker loop that ends, because its broker has no
// partitions left or because the Fetcher closes, sends a Fetch with the
// final epoch (-1) and no partitions for its session, and the broker drops
// the session; with sessions disabled nothing extra is sent.
func TestSessionsClosed(t *testing.T) {
	fc := newFakeCluster(t, 2)
	fc.addTopic("t", 2) // partition 0 on broker 0, 1 on broker 1
	fc.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	fc.appendBatch("t", 1, -1, recs("v", 0, 2)...)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest, {Topic: "t", Partition: 1}: StartEarliest})
	pollUntil(t, f, 4, 0)
	sessions := func() int {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return len(fc.sessions)
	}
	waitFor(t, "a session on each broker", func() bool { return sessions() == 2 })
	closing := func(broker int32) []*protocol.FetchRequest {
		var out []*protocol.FetchRequest
		for _, fe := range fc.fetchLogAll() {
			if fe.broker == broker && fe.req.SessionEpoch == -1 {
				out = append(out, fe.req)
			}
		}
		return out
	}

	f.Remove(protocol.TopicPartition{Topic: "t", Partition: 1})
	waitFor(t, "broker 1's session closed", func() bool { return len(closing(1)) == 1 && sessions() == 1 })
	if r := closing(1)[0]; r.SessionId == 0 || len(r.Topics) != 0 || len(r.ForgottenTopicsData) != 0 {
		t.Fatalf("closing fetch %+v: want the session's id and no partitions", r)
	}
	if len(closing(0)) != 0 {
		t.Fatalf("broker 0's session closed while it still has a partition")
	}

	f.Close()
	if got := closing(0); len(got) != 1 || got[0].SessionId == 0 || len(got[0].Topics) != 0 {
		dumpFetches(t, fc)
		t.Fatalf("after Close, closing fetches to broker 0: %+v", got)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions left at the broker after Close", n)
	}
	if m := f.Metrics(); m.SessionsClosed != 2 {
		t.Fatalf("SessionsClosed = %d, want 2", m.SessionsClosed)
	}

	fc2 := newFakeCluster(t, 1)
	fc2.addTopic("t", 1)
	fc2.appendBatch("t", 0, -1, recs("v", 0, 2)...)
	f2 := newTestFetcher(t, fc2, Config{DisableSessions: true})
	f2.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	pollUntil(t, f2, 2, 0)
	n := len(fc2.fetchLogAll())
	f2.Close()
	if got := fc2.fetchLogAll(); len(got) != n {
		t.Fatalf("sessionless Fetcher sent %d requests at Close: %+v", len(got)-n, got[n].req)
	}
}

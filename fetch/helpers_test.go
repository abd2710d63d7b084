package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// testLogger logs to t (shown on failure or with -v) until the test ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

// got is a record as a test compares it: copied out of Poll's memory.
type got struct {
	tp     protocol.TopicPartition
	offset int64
	key    string
	value  string
}

func (g got) String() string { return fmt.Sprintf("%s@%d %s=%s", g.tp, g.offset, g.key, g.value) }

// pollUntil polls until n records arrived (and fails after a generous
// bound), returning them and the partition errors seen.
func pollUntil(t *testing.T, f *Fetcher, n int, max int) ([]got, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []got
	var errs []error
	for len(out) < n {
		fs, err := f.Poll(ctx, max)
		if err != nil {
			t.Fatalf("poll: %v after %d of %d records: %v\n%s", err, len(out), n, out, f.state())
		}
		errs = append(errs, fs.Errors...)
		for _, e := range fs.Errors {
			t.Logf("partition error: %v", e)
		}
		if fs.NumRecords() > max && max > 0 {
			t.Fatalf("poll returned %d records, max %d", fs.NumRecords(), max)
		}
		for r := range fs.Records() {
			out = append(out, got{protocol.TopicPartition{Topic: r.Topic, Partition: r.Partition}, r.Offset, string(r.Key), string(r.Value)})
		}
	}
	return out, errs
}

// pollErr polls until a partition error matching target arrives and
// returns it with the records that came before or with it.
func pollErr(t *testing.T, f *Fetcher, target error) (error, []got) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []got
	for {
		fs, err := f.Poll(ctx, 0)
		if err != nil {
			t.Fatalf("poll: %v while waiting for %v", err, target)
		}
		for r := range fs.Records() {
			out = append(out, got{protocol.TopicPartition{Topic: r.Topic, Partition: r.Partition}, r.Offset, string(r.Key), string(r.Value)})
		}
		for _, e := range fs.Errors {
			if errors.Is(e, target) {
				return e, out
			}
			t.Logf("other partition error: %v", e)
		}
	}
}

// expectNothing polls briefly and fails on any record.
func expectNothing(t *testing.T, f *Fetcher, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		fs, err := f.Poll(ctx, 0)
		if err != nil {
			return
		}
		if fs.NumRecords() > 0 {
			var rs []string
			for r := range fs.Records() {
				rs = append(rs, fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset))
			}
			t.Fatalf("expected no records, got %v", rs)
		}
	}
}

// checkSeq checks that recs are exactly offsets from..from+len-1 of tp with
// the fake's keys and values (prefix+offset).
func checkSeq(t *testing.T, recs []got, tp protocol.TopicPartition, from int64, prefix string) {
	t.Helper()
	for i, r := range recs {
		want := got{tp, from + int64(i), fmt.Sprintf("k%d", from+int64(i)), fmt.Sprintf("%s%d", prefix, from+int64(i))}
		if r != want {
			t.Fatalf("record %d: got %v, want %v (all: %v)", i, r, want, recs)
		}
	}
}

// waitFor polls cond until it holds (bounded).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dumpFetches logs every Fetch request the fake saw, for failing tests.
func dumpFetches(t *testing.T, fc *fakeCluster) {
	for i, f := range fc.fetchLogAll() {
		s := fmt.Sprintf("#%d b%d v%d sess=%d/%d", i, f.broker, f.req.Version, f.req.SessionId, f.req.SessionEpoch)
		for _, tp := range f.req.Topics {
			for _, p := range tp.Partitions {
				s += fmt.Sprintf(" [%s%x/%d@%d]", tp.Topic, tp.TopicId[:1], p.Partition, p.FetchOffset)
			}
		}
		for _, tp := range f.req.ForgottenTopicsData {
			s += fmt.Sprintf(" forget %s%x %v", tp.Topic, tp.TopicId[:1], tp.Partitions)
		}
		t.Log(s)
	}
}

// state describes the Fetcher's internals, for failing tests.
func (f *Fetcher) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := fmt.Sprintf("buffered=%d handedOut=%d reserved=%d queue=%d loops=%d", f.buffered, f.handedOut, f.reserved, len(f.queue), len(f.loops))
	for tp, p := range f.parts {
		s += fmt.Sprintf("\n  %s %s pos=%d leader=%d/%d replica=%d needMeta=%v buffered=%v inflight=%d paused=%v retry=%v",
			tp, p.state, p.position, p.leader, p.leaderEpoch, p.replica, p.needMeta, p.buffered, p.inflight, p.paused, time.Until(p.retryAt).Round(time.Millisecond))
	}
	return s
}

// checkBoard checks that the board's indexes hold exactly what the
// partitions' fields call for.
func (f *Fetcher) checkBoard(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, set := range f.b.byBroker {
		if len(set) == 0 {
			t.Errorf("empty set left for broker %d", id)
		}
		for p := range set {
			if f.parts[p.tp] != p || p.routed != id || p.needMeta {
				t.Errorf("%s under broker %d: assigned %v, routed %d, needMeta %v", p.tp, id, f.parts[p.tp] == p, p.routed, p.needMeta)
			}
		}
	}
	for tp, p := range f.parts {
		want := int32(-1)
		if !p.needMeta {
			want = p.leader
			if p.replica >= 0 {
				want = p.replica
			}
		}
		if _, in := f.b.byBroker[want][p]; p.routed != want || (want >= 0 && !in) {
			t.Errorf("%s routed %d, want %d (indexed %v)", tp, p.routed, want, in)
		}
		maint := p.needMeta || p.state == posReset || p.state == posValidate
		if _, in := f.b.maint[p]; in != maint {
			t.Errorf("%s in maintenance %v, want %v (state %s, needMeta %v)", tp, in, maint, p.state, p.needMeta)
		}
	}
	for p := range f.b.maint {
		if f.parts[p.tp] != p {
			t.Errorf("removed %s still in maintenance", p.tp)
		}
	}
	// A partition marked as holding data has it queued: the mark keeps it
	// from being fetched, so a mark without data stops it for good.
	for tp, p := range f.parts {
		if p.buffered && !slices.ContainsFunc(f.queue, func(cf *completedFetch) bool { return cf.p == p && cf.gen == p.gen }) {
			t.Errorf("%s marked buffered with no data of its gen %d queued", tp, p.gen)
		}
	}
}

package rawkafka

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// The timeline's unit tests feed it the group machine's steps, the
// Consumer's actions and the fetch responses, each at a given time (ms
// after tl0): no wall clock.
var tl0 = time.Unix(2_000_000, 0)

func ms(n int) time.Time { return tl0.Add(time.Duration(n) * time.Millisecond) }

// fakeFetch is the fetch engine as the timeline sees it, with fetch
// responses the test makes at given times (the rules of fetch's own
// partition.fetched and FetchedAfter).
type fakeFetch struct {
	mu      sync.Mutex
	times   map[TopicPartition]fetch.FetchTimes
	watches []*fakeWatch
}

type fakeWatch struct {
	tps   []TopicPartition
	since time.Time
	done  chan struct{}
}

func newFakeFetch(tps ...TopicPartition) *fakeFetch {
	f := &fakeFetch{times: map[TopicPartition]fetch.FetchTimes{}}
	for _, tp := range tps {
		f.times[tp] = fetch.FetchTimes{}
	}
	return f
}

func (f *fakeFetch) Assigned() []TopicPartition {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []TopicPartition
	for tp := range f.times {
		out = append(out, tp)
	}
	slices.SortFunc(out, TopicPartition.Compare)
	return out
}

func (f *fakeFetch) FetchTimes(tps []TopicPartition, take bool) map[TopicPartition]fetch.FetchTimes {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[TopicPartition]fetch.FetchTimes{}
	for _, tp := range tps {
		if ft, ok := f.times[tp]; ok {
			out[tp] = ft
			if take {
				ft.MaxGap = 0
				f.times[tp] = ft
			}
		}
	}
	return out
}

func (f *fakeFetch) FetchedAfter(tps []TopicPartition, since time.Time) (<-chan struct{}, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &fakeWatch{tps: slices.Clone(tps), since: since, done: make(chan struct{})}
	f.watches = append(f.watches, w)
	f.check()
	return w.done, func() {}
}

func (f *fakeFetch) check() {
	open := f.watches[:0]
	for _, w := range f.watches {
		met := true
		for _, tp := range w.tps {
			if ft, ok := f.times[tp]; !ok || !ft.Last.After(w.since) {
				met = false
			}
		}
		if met {
			close(w.done)
		} else {
			open = append(open, w)
		}
	}
	f.watches = open
}

// fetched is a response covering tps at at.
func (f *fakeFetch) fetched(at time.Time, tps ...TopicPartition) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		ft, ok := f.times[tp]
		if !ok {
			continue
		}
		if ft.Last.IsZero() {
			ft.First = at
		} else if gap := at.Sub(ft.Last); gap > ft.MaxGap {
			ft.MaxGap = gap
		}
		ft.Last = at
		f.times[tp] = ft
	}
	f.check()
}

func (f *fakeFetch) add(tps ...TopicPartition) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		f.times[tp] = fetch.FetchTimes{}
	}
}

func (f *fakeFetch) remove(tps ...TopicPartition) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		delete(f.times, tp)
	}
}

// consumerSide performs the queued actions as group_actions.go does, at
// given times, against the fake engine.
type consumerSide struct {
	t  *testing.T
	tl *timeline
	f  *fakeFetch
}

func (c consumerSide) revoke(at time.Time, lost bool, tps ...TopicPartition) {
	times := c.f.FetchTimes(tps, false)
	c.f.remove(tps...)
	c.tl.revoked(at, tps, times, lost)
}

func (c consumerSide) assign(at time.Time, gen int32, tps ...TopicPartition) {
	kept := c.f.Assigned()
	c.f.add(tps...)
	c.tl.assigned(at, at, gen, "m1", tps, kept)
}

func newTestTimeline(f *fakeFetch, clock time.Time) (*timeline, chan Rebalance) {
	got := make(chan Rebalance, 8)
	tl := newTimeline(f, &history{}, func(r Rebalance) { got <- r })
	tl.now = func() time.Time { return clock }
	return tl, got
}

func receive(t *testing.T, got chan Rebalance) Rebalance {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(10 * time.Second): // a bound on a wait for the waiter goroutine, not a measured duration
		t.Fatal("no record delivered")
		return Rebalance{}
	}
}

func tpsOf(s string) []TopicPartition {
	var out []TopicPartition
	for _, f := range strings.Fields(s) {
		var tp TopicPartition
		i := strings.LastIndexByte(f, '/')
		tp.Topic = f[:i]
		fmt.Sscan(f[i+1:], &tp.Partition)
		out = append(out, tp)
	}
	return out
}

func showStalls(r Rebalance) string {
	var b strings.Builder
	for _, s := range r.Stalls {
		fmt.Fprintf(&b, "%s %s %dms", s.TopicPartition, s.Change, s.Stall.Milliseconds())
		if s.Waiting {
			b.WriteString(" waiting")
		}
		b.WriteString("; ")
	}
	return b.String()
}

func joinOKAt(at time.Time, gen int32, leader bool) group.JoinResponse {
	name := "cooperative-sticky"
	r := group.JoinResponse{Now: at, MemberID: "m1", Generation: gen, Leader: "m2", ProtocolName: &name}
	if leader {
		r.Leader = "m1"
	}
	return r
}

// TestTimelineCooperative: a cooperative round that keeps two partitions
// and revokes one, then the follow-up round that adds one.
func TestTimelineCooperative(t *testing.T) {
	a0, a1, a2, b0 := tpsOf("a/0")[0], tpsOf("a/1")[0], tpsOf("a/2")[0], tpsOf("b/0")[0]
	f := newFakeFetch(a0, a1, a2)
	f.fetched(ms(-100), a0, a1, a2)
	tl, got := newTestTimeline(f, ms(2000))
	cs := consumerSide{t, tl, f}
	tl.lastGen = 5
	tr := group.Trigger{Cause: group.CauseRebalanceInProgress, At: ms(0)}
	tl.observe(ms(0), group.HeartbeatResponse{Now: ms(0)}, []group.Action{group.SendJoin{}}, tr, "cooperative")
	f.fetched(ms(150), a0, a1, a2) // gap 250 around the trigger
	f.fetched(ms(200), a0)
	tl.observe(ms(300), joinOKAt(ms(300), 6, false), []group.Action{group.SendSync{}}, tr, "cooperative")
	follow := group.Trigger{Cause: group.CauseRevokedRejoin, At: ms(320)}
	tl.observe(ms(320), group.SyncResponse{Now: ms(320), Generation: 6},
		[]group.Action{group.CommitBeforeRevoke{}, group.Revoke{Incremental: true}, group.Assign{Generation: 6}}, follow, "cooperative")
	f.fetched(ms(330), a0, a1) // during the follow-up's join, before the first round is applied
	cs.revoke(ms(350), false, a2)
	cs.assign(ms(360), 6)
	tl.observe(ms(361), group.RevokeDone{Now: ms(361)}, []group.Action{group.SendJoin{}}, follow, "cooperative")
	f.fetched(ms(700), a0) // a0: 370 since 330
	select {
	case r := <-got:
		t.Fatalf("complete before a/1 was fetched after the assignment: %+v", r)
	default:
	}
	f.fetched(ms(710), a1)
	r := receive(t, got)
	if r.Cause != group.CauseRebalanceInProgress || !r.Triggered.Equal(ms(0)) || r.GenerationBefore != 5 || r.GenerationAfter != 6 ||
		r.Leader || r.Assignor != "cooperative-sticky" || r.Protocol != "cooperative" || r.JoinGroups != 1 {
		t.Fatalf("first round: %+v", r)
	}
	if r.JoinTime() != 300*time.Millisecond || r.SyncTime() != 20*time.Millisecond || r.Total() != 360*time.Millisecond {
		t.Fatalf("durations: join %v sync %v total %v", r.JoinTime(), r.SyncTime(), r.Total())
	}
	if !r.Complete || len(r.Waiting) != 0 || !r.Completed.Equal(ms(2000)) {
		t.Fatalf("complete %v waiting %v completed %v", r.Complete, r.Waiting, r.Completed)
	}
	if want := "a/0 kept 370ms; a/1 kept 380ms; a/2 revoked 200ms; "; showStalls(r) != want {
		t.Fatalf("stalls: %s\nwant:   %s", showStalls(r), want)
	}
	if !slices.Equal(r.Kept, tpsOf("a/0 a/1")) || !slices.Equal(r.Revoked, tpsOf("a/2")) || len(r.Assigned) != 0 {
		t.Fatalf("kept %v revoked %v assigned %v", r.Kept, r.Revoked, r.Assigned)
	}

	// The follow-up round: b/0 added, a/0 and a/1 kept.
	tl.observe(ms(900), joinOKAt(ms(900), 7, true), []group.Action{group.ComputeAssignment{}}, follow, "cooperative")
	tl.observe(ms(905), group.AssignmentComputed{Now: ms(905)}, []group.Action{group.SendSync{}}, follow, "cooperative")
	tl.observe(ms(915), group.SyncResponse{Now: ms(915), Generation: 7}, []group.Action{group.Assign{Generation: 7}}, group.Trigger{}, "cooperative")
	cs.assign(ms(920), 7, b0)
	f.fetched(ms(1000), a0, a1, b0)
	r = receive(t, got)
	if r.Cause != group.CauseRevokedRejoin || r.GenerationBefore != 6 || r.GenerationAfter != 7 || !r.Leader || !r.Complete {
		t.Fatalf("follow-up: %+v", r)
	}
	if r.JoinTime() != 539*time.Millisecond || r.SyncTime() != 10*time.Millisecond {
		t.Fatalf("follow-up durations: join %v sync %v", r.JoinTime(), r.SyncTime())
	}
	if want := "a/0 kept 370ms; a/1 kept 380ms; b/0 assigned 680ms; "; showStalls(r) != want {
		t.Fatalf("follow-up stalls: %s\nwant:   %s", showStalls(r), want)
	}
	if h := tl.hist.recs; len(h) != 2 || h[0].GenerationAfter != 6 || h[1].GenerationAfter != 7 {
		t.Fatalf("history: %+v", h)
	}
}

// TestTimelineEager: everything revoked at the trigger and assigned again;
// the record completes when the last partition is fetched.
func TestTimelineEager(t *testing.T) {
	a0, a1 := tpsOf("a/0")[0], tpsOf("a/1")[0]
	f := newFakeFetch(a0, a1)
	f.fetched(ms(-50), a0, a1)
	f.fetched(ms(-10), a0)
	tl, got := newTestTimeline(f, ms(5000))
	cs := consumerSide{t, tl, f}
	tl.lastGen = 3
	tr := group.Trigger{Cause: group.CauseSubscriptionChanged, At: ms(0)}
	tl.observe(ms(0), group.SubscriptionChanged{Now: ms(0)}, []group.Action{group.CommitBeforeRevoke{}, group.Revoke{}}, tr, "eager")
	cs.revoke(ms(40), false, a0, a1)
	tl.observe(ms(41), group.RevokeDone{Now: ms(41)}, []group.Action{group.SendJoin{}}, tr, "eager")
	tl.observe(ms(60), group.JoinResponse{Now: ms(60), Err: protocol.ErrMemberIdRequired}, []group.Action{group.SendJoin{}}, tr, "eager")
	tl.observe(ms(400), joinOKAt(ms(400), 4, false), []group.Action{group.SendSync{}}, tr, "eager")
	tl.observe(ms(420), group.SyncResponse{Now: ms(420), Generation: 4}, []group.Action{group.Assign{Generation: 4}}, group.Trigger{}, "eager")
	cs.assign(ms(430), 4, a0, a1)
	f.fetched(ms(600), a1)
	f.fetched(ms(650), a0, a1)
	r := receive(t, got)
	if r.JoinGroups != 2 || r.JoinTime() != 359*time.Millisecond || r.Total() != 430*time.Millisecond || r.GenerationBefore != 3 || r.Protocol != "eager" {
		t.Fatalf("eager: %+v (join %v total %v)", r, r.JoinTime(), r.Total())
	}
	if want := "a/0 assigned 650ms; a/1 assigned 600ms; "; showStalls(r) != want {
		t.Fatalf("stalls: %s\nwant:   %s", showStalls(r), want)
	}
	// Revoked and assigned again: the partition is in both lists, and its
	// stall entry is the assignment's (the one that lasted).
	if !slices.Equal(r.Revoked, tpsOf("a/0 a/1")) || !slices.Equal(r.Assigned, tpsOf("a/0 a/1")) || len(r.Kept) != 0 {
		t.Fatalf("revoked %v assigned %v kept %v", r.Revoked, r.Assigned, r.Kept)
	}
}

// TestTimelineIncomplete: a partition never fetched keeps the record
// waiting until the subscription ends; then it is closed, incomplete.
func TestTimelineIncomplete(t *testing.T) {
	a0, a1 := tpsOf("a/0")[0], tpsOf("a/1")[0]
	f := newFakeFetch()
	tl, got := newTestTimeline(f, ms(0))
	cs := consumerSide{t, tl, f}
	tr := group.Trigger{Cause: group.CauseFirstJoin, At: ms(0)}
	tl.observe(ms(0), group.Start{Now: ms(0)}, []group.Action{group.FindCoordinator{}}, tr, "eager")
	tl.observe(ms(5), group.CoordinatorFound{Now: ms(5)}, []group.Action{group.SendJoin{}}, tr, "eager")
	tl.observe(ms(100), joinOKAt(ms(100), 1, true), []group.Action{group.ComputeAssignment{}}, tr, "eager")
	tl.observe(ms(110), group.AssignmentComputed{Now: ms(110)}, []group.Action{group.SendSync{}}, tr, "eager")
	tl.observe(ms(120), group.SyncResponse{Now: ms(120), Generation: 1}, []group.Action{group.Assign{Generation: 1}}, group.Trigger{}, "eager")
	cs.assign(ms(130), 1, a0, a1)
	f.fetched(ms(200), a0)
	tl.end(ms(900))
	r := receive(t, got)
	if r.Complete || !slices.Equal(r.Waiting, tpsOf("a/1")) || r.GenerationBefore != -1 || !r.Completed.Equal(ms(900)) {
		t.Fatalf("incomplete: %+v", r)
	}
	if want := "a/0 assigned 200ms; a/1 assigned 900ms waiting; "; showStalls(r) != want {
		t.Fatalf("stalls: %s\nwant:   %s", showStalls(r), want)
	}
	// A Poll still performing actions after the end records nothing.
	tl.observe(ms(950), group.SyncResponse{Now: ms(950), Generation: 2}, []group.Action{group.Assign{Generation: 2}}, group.Trigger{}, "eager")
	cs.assign(ms(960), 2, tpsOf("b/0")...)
	tl.end(ms(970))
	if len(tl.open) != 0 || len(tl.hist.recs) != 1 {
		t.Fatalf("after the end: %d open, %d in the history", len(tl.open), len(tl.hist.recs))
	}
}

// TestTimelineClosedByNextRebalance: a record still waiting is closed when
// the next rebalance revokes (eager), and the Close revoke belongs to no
// record.
func TestTimelineClosedByNextRebalance(t *testing.T) {
	a0 := tpsOf("a/0")[0]
	f := newFakeFetch()
	tl, got := newTestTimeline(f, ms(0))
	cs := consumerSide{t, tl, f}
	tr := group.Trigger{Cause: group.CauseFirstJoin, At: ms(0)}
	tl.observe(ms(0), group.Start{Now: ms(0)}, []group.Action{group.SendJoin{}}, tr, "eager")
	tl.observe(ms(10), joinOKAt(ms(10), 1, false), []group.Action{group.SendSync{}}, tr, "eager")
	tl.observe(ms(20), group.SyncResponse{Now: ms(20), Generation: 1}, []group.Action{group.Assign{Generation: 1}}, group.Trigger{}, "eager")
	cs.assign(ms(30), 1, a0) // a/0 is paused, say: never fetched
	tr2 := group.Trigger{Cause: group.CauseRebalanceInProgress, At: ms(500)}
	tl.observe(ms(500), group.HeartbeatResponse{Now: ms(500)}, []group.Action{group.Revoke{}}, tr2, "eager")
	cs.revoke(ms(510), false, a0)
	r := receive(t, got)
	if r.Cause != group.CauseFirstJoin || r.Complete || !slices.Equal(r.Waiting, tpsOf("a/0")) || !r.Completed.Equal(ms(510)) {
		t.Fatalf("first record: %+v", r)
	}
	tl.end(ms(600))
	r = receive(t, got)
	if r.Cause != group.CauseRebalanceInProgress || r.Complete || !r.Applied.IsZero() || len(r.Revoked) != 1 {
		t.Fatalf("second record (never assigned): %+v", r)
	}
	if want := "a/0 revoked 10ms; "; showStalls(r) != want { // never fetched: from the trigger of the round that revoked it
		t.Fatalf("stalls: %s\nwant:   %s", showStalls(r), want)
	}
}

// TestHistoryBounded: the history keeps the last rebalanceHistory
// records, oldest first.
func TestHistoryBounded(t *testing.T) {
	var h history
	for i := range rebalanceHistory + 5 {
		h.add(Rebalance{GenerationAfter: int32(i)})
	}
	c := &Consumer{}
	c.hist.recs = h.recs
	got := c.Rebalances()
	if len(got) != rebalanceHistory || got[0].GenerationAfter != 5 || got[len(got)-1].GenerationAfter != rebalanceHistory+4 {
		t.Fatalf("kept %d, first gen %d, last gen %d", len(got), got[0].GenerationAfter, got[len(got)-1].GenerationAfter)
	}
	got[0].GenerationAfter = -7 // a copy: the history is not changed
	if c.Rebalances()[0].GenerationAfter != 5 {
		t.Fatal("Rebalances returned the history itself")
	}
}

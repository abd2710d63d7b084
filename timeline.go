package rawkafka

import (
	"slices"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/group"
)

// fetchTimes is what the timeline needs of the fetch engine (a
// *fetch.Fetcher; a fake in the unit tests, which give every time).
type fetchTimes interface {
	Assigned() []TopicPartition
	FetchTimes(tps []TopicPartition, takeGaps bool) map[TopicPartition]fetch.FetchTimes
	FetchedAfter(tps []TopicPartition, since time.Time) (<-chan struct{}, func())
}

// timeline assembles the Rebalance records of one subscription from what
// three kinds of goroutine see, each under mu:
//   - the group driver's goroutine (observe, after every step of the
//     machine): the trigger (Member.Trigger), the JoinGroup and SyncGroup
//     sent and answered, and the order of the Revoke, Lose and Assign
//     actions it queues for the Consumer;
//   - the goroutine performing those actions (Poll's, or Close's):
//     revoked, lost and assigned, with the fetch times of the revoked
//     partitions read just before they are removed;
//   - one waiter goroutine per applied assignment, which finishes the
//     round when the fetch engine says every partition was fetched.
//
// The fetch loops take no part: they store one time per partition per
// response (fetch.FetchTimes), read here under the fetch engine's lock.
// A finished round is copied into the history and handed to deliver;
// nothing keeps a pointer to it afterwards. The lock order is mu, then the
// fetch engine's.
type timeline struct {
	f       fetchTimes
	deliver func(Rebalance) // called without mu, at most once per round
	hist    *history
	now     func() time.Time // when a waiter finds its round complete (time.Now; the tests' clock)

	mu      sync.Mutex
	cur     *round   // the round the machine is in (trigger seen, Assign not yet queued)
	actions []*round // the rounds of the Revoke, Lose and Assign actions queued and not yet performed, in order (nil: none)
	open    []*round // every round not finished, oldest first
	lastGen int32    // the generation of the last round synced; -1 before
	ended   bool     // end was called: a Poll still performing actions records nothing more
	waiters sync.WaitGroup
}

// round is a Rebalance being filled in, under timeline.mu.
type round struct {
	Rebalance
	trigger group.Trigger
	gaps    map[TopicPartition]time.Duration // the longest gap seen, per partition owned at the trigger
	stalls  map[TopicPartition]PartitionStall
	start   time.Time // when the Assign began: fetches after it count
	stop    func()    // ends the fetch watch
	done    chan struct{}
	over    bool
}

func newTimeline(f fetchTimes, hist *history, deliver func(Rebalance)) *timeline {
	return &timeline{f: f, hist: hist, deliver: deliver, now: time.Now, lastGen: -1}
}

// observe takes one step of the group machine, at now, with the trigger
// and the rebalance protocol of the member after it. Actions before an
// Assign belong to the round under way; the Assign ends it, and what
// follows it in the same step (an eager revoke for the rejoin) belongs to
// the round its trigger begins.
func (t *timeline) observe(now time.Time, ev group.Event, acts []group.Action, tr group.Trigger, protocol string) {
	t.mu.Lock()
	var finished []Rebalance
	defer func() {
		t.mu.Unlock()
		t.send(finished)
	}()
	if t.ended {
		return
	}
	switch ev := ev.(type) {
	case group.JoinResponse:
		if r := t.cur; r != nil && ev.Err == nil {
			r.Joined, r.GenerationAfter, r.MemberID = ev.Now, ev.Generation, ev.MemberID
			r.Leader = ev.Leader != "" && ev.Leader == ev.MemberID
			if ev.ProtocolName != nil {
				r.Assignor = *ev.ProtocolName
			}
		}
	case group.SyncResponse:
		if r := t.cur; r != nil && ev.Err == nil && ev.Generation == r.GenerationAfter {
			r.Synced = ev.Now
			t.lastGen = ev.Generation
		}
	}
	assigns := slices.ContainsFunc(acts, func(a group.Action) bool { _, ok := a.(group.Assign); return ok })
	if !assigns {
		finished = t.begin(now, tr, protocol, finished)
	}
	for _, a := range acts {
		switch a.(type) {
		case group.SendJoin:
			if r := t.cur; r != nil {
				r.JoinGroups++
				if r.JoinSent.IsZero() {
					r.JoinSent = now
				}
			}
		case group.SendSync:
			if r := t.cur; r != nil {
				r.SyncSent = now
			}
		case group.Revoke, group.Lose:
			t.actions = append(t.actions, t.cur)
		case group.Assign:
			t.actions = append(t.actions, t.cur)
			t.cur = nil
			finished = t.begin(now, tr, protocol, finished)
		}
	}
}

// begin opens the round of the round tr begins, unless none is under way
// or it is open already. The gaps the fetch engine measured so far go to
// the records still open; the new one measures from here the partitions
// owned now.
func (t *timeline) begin(now time.Time, tr group.Trigger, protocol string, finished []Rebalance) []Rebalance {
	if t.ended || tr.Cause == group.CauseNone || (t.cur != nil && t.cur.trigger == tr) {
		return finished
	}
	if t.cur != nil { // a round that never got its assignment (should not happen)
		finished = t.finish(t.cur, now, false, finished)
	}
	owned := t.f.Assigned()
	t.takeGaps(owned)
	r := &round{trigger: tr, gaps: make(map[TopicPartition]time.Duration, len(owned)),
		stalls: map[TopicPartition]PartitionStall{}, done: make(chan struct{})}
	r.Cause, r.Triggered = tr.Cause, tr.At
	r.GenerationBefore, r.GenerationAfter = t.lastGen, -1
	r.Protocol = protocol
	for _, tp := range owned {
		r.gaps[tp] = 0
	}
	t.cur = r
	t.open = append(t.open, r)
	return finished
}

// takeGaps reads (and restarts) the fetch engine's longest gaps of tps
// and keeps them in every open round that measures the partition.
func (t *timeline) takeGaps(tps []TopicPartition) {
	if len(tps) == 0 {
		return
	}
	for tp, ft := range t.f.FetchTimes(tps, true) {
		for _, r := range t.open {
			if g, ok := r.gaps[tp]; ok && ft.MaxGap > g {
				r.gaps[tp] = ft.MaxGap
			}
		}
	}
}

// next returns the round of the next Revoke, Lose or Assign performed
// (nil for one outside any round, such as Close's revoke).
func (t *timeline) next() *round {
	if t.ended || len(t.actions) == 0 {
		return nil
	}
	r := t.actions[0]
	t.actions = slices.Delete(t.actions, 0, 1)
	return r
}

// revoked records a Revoke (lost: a Lose) performed at now; times are the
// partitions' fetch times read just before they were removed. An earlier
// round still waiting for its fetches is closed first: its assignment is
// changing.
func (t *timeline) revoked(now time.Time, parts []TopicPartition, times map[TopicPartition]fetch.FetchTimes, lost bool) {
	t.mu.Lock()
	r := t.next()
	finished := t.closeBefore(r, now)
	if r != nil {
		change := PartitionRevoked
		if lost {
			change = PartitionLost
			r.Lost = append(r.Lost, parts...)
		} else {
			r.Revoked = append(r.Revoked, parts...)
		}
		for _, tp := range parts {
			from := r.Triggered
			if last := times[tp].Last; !last.IsZero() {
				from = last
			}
			r.stalls[tp] = PartitionStall{TopicPartition: tp, Change: change, Stall: now.Sub(from)}
			delete(r.gaps, tp)
		}
	}
	t.mu.Unlock()
	t.send(finished)
}

// assigned records an Assign performed: start is just before the fetch
// engine got the added partitions, now just after; kept are the
// partitions the engine had before (the owned ones it keeps). The round
// is finished once every partition is fetched after start.
func (t *timeline) assigned(start, now time.Time, gen int32, memberID string, added, kept []TopicPartition) {
	t.mu.Lock()
	r := t.next()
	finished := t.closeBefore(r, now)
	if r == nil {
		t.mu.Unlock()
		t.send(finished)
		return
	}
	r.Applied, r.start = now, start
	r.GenerationAfter, r.MemberID = gen, memberID
	r.Assigned = append(r.Assigned, added...)
	r.Kept = slices.Clone(kept)
	for _, tp := range kept {
		if _, ok := r.gaps[tp]; !ok {
			r.gaps[tp] = 0 // owned since after the trigger: measured from here
		}
	}
	all := append(slices.Clone(added), kept...)
	fetched, stop := t.f.FetchedAfter(all, start)
	r.stop = stop
	t.waiters.Add(1)
	go func() {
		defer t.waiters.Done()
		select {
		case <-fetched:
			t.finishAt(r, t.now(), true)
		case <-r.done:
		}
	}()
	t.mu.Unlock()
	t.send(finished)
}

// closeBefore closes, incomplete, the records older than r still waiting
// for their fetches (the caller holds mu).
func (t *timeline) closeBefore(r *round, now time.Time) []Rebalance {
	var finished []Rebalance
	for _, o := range slices.Clone(t.open) {
		if o == r || o == t.cur {
			break
		}
		if !o.Applied.IsZero() {
			finished = t.finish(o, now, false, finished)
		}
	}
	return finished
}

// finishAt finishes r at now (its waiter found it complete).
func (t *timeline) finishAt(r *round, now time.Time, complete bool) {
	t.mu.Lock()
	finished := t.finish(r, now, complete, nil)
	t.mu.Unlock()
	t.send(finished)
}

// end closes every open round, incomplete, at now: the subscription is
// over. It waits for the waiter goroutines.
func (t *timeline) end(now time.Time) {
	t.mu.Lock()
	var finished []Rebalance
	for _, r := range slices.Clone(t.open) {
		finished = t.finish(r, now, false, finished)
	}
	t.cur, t.actions, t.ended = nil, nil, true
	t.mu.Unlock()
	t.send(finished)
	t.waiters.Wait()
}

// finish computes r's stalls at now and moves it to the history (the
// caller holds mu and calls send with the result after unlocking).
func (t *timeline) finish(r *round, now time.Time, complete bool, finished []Rebalance) []Rebalance {
	if r.over {
		return finished
	}
	r.over = true
	close(r.done)
	if r.stop != nil {
		r.stop()
	}
	t.takeGaps(append(slices.Clone(r.Kept), r.Assigned...)) // while r is open: the gaps closed since the last take are r's too
	t.open = slices.DeleteFunc(t.open, func(o *round) bool { return o == r })
	if t.cur == r {
		t.cur = nil
	}
	times := t.f.FetchTimes(append(slices.Clone(r.Kept), r.Assigned...), false)
	r.Complete, r.Completed = complete, now
	fetchedAfter := func(tp TopicPartition) bool { return !r.start.IsZero() && times[tp].Last.After(r.start) }
	for _, tp := range r.Kept {
		s := PartitionStall{TopicPartition: tp, Change: PartitionKept, Stall: r.gaps[tp]}
		if !fetchedAfter(tp) {
			s.Waiting = true
			from := times[tp].Last
			if from.IsZero() {
				from = r.Triggered
			}
			s.Stall = max(s.Stall, now.Sub(from))
		}
		r.stalls[tp] = s
	}
	for _, tp := range r.Assigned {
		s := PartitionStall{TopicPartition: tp, Change: PartitionAssigned}
		if first := times[tp].First; fetchedAfter(tp) && !first.IsZero() {
			s.Stall = first.Sub(r.Triggered)
		} else {
			s.Waiting, s.Stall = true, now.Sub(r.Triggered)
		}
		r.stalls[tp] = s
	}
	out := r.Rebalance
	for _, l := range []*[]TopicPartition{&out.Revoked, &out.Lost, &out.Assigned, &out.Kept} {
		*l = sortedCopy(*l)
	}
	out.Stalls = make([]PartitionStall, 0, len(r.stalls))
	for _, s := range r.stalls {
		out.Stalls = append(out.Stalls, s)
		if s.Waiting {
			out.Waiting = append(out.Waiting, s.TopicPartition)
		}
	}
	slices.SortFunc(out.Stalls, func(a, b PartitionStall) int { return a.TopicPartition.Compare(b.TopicPartition) })
	out.Waiting = sortedCopy(out.Waiting)
	out.Complete = complete && len(out.Waiting) == 0
	return append(finished, out)
}

// send files finished records and delivers them, without mu.
func (t *timeline) send(finished []Rebalance) {
	for _, r := range finished {
		if t.hist != nil {
			t.hist.add(r)
		}
		if t.deliver != nil {
			t.deliver(r)
		}
	}
}

func sortedCopy(tps []TopicPartition) []TopicPartition {
	if len(tps) == 0 {
		return nil
	}
	out := slices.Clone(tps)
	slices.SortFunc(out, TopicPartition.Compare)
	return slices.Compact(out)
}

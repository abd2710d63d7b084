package grouptest

import (
	"fmt"
	"testing"
	"time"
)

// Generation is the highest generation any of members joined, by their
// Joined events (Config.LogJoins); 0 when none reported one. Every member
// of a group joins every generation the coordinator completes (one that
// does not is removed from the group), so over members that stay, the
// difference between two readings is the number of rebalance rounds in
// between.
func Generation(members ...Member) int32 {
	var g int32
	for _, m := range members {
		for _, e := range m.Events() {
			if e.Type == Joined {
				g = max(g, e.Generation)
			}
		}
	}
	return g
}

// MissedSyncs names the generations after before and up to after in which
// one of members joined and then joined again without an assignment in
// between, while another member revoked partitions in that generation:
// its SyncGroup was refused (REBALANCE_IN_PROGRESS) because the other,
// done with the round, had already begun the next one (a cooperative
// member rejoins at once after a revoke). The assignment of that round
// never reached it, so it still owns what the round took from it, and the
// group needs one round more than a change otherwise takes. This is a
// race between clients that the coordinator settles as Kafka means it to,
// not a member's fault; a count of rounds allows one more for each. A
// miss with no revoking member beside it is not named: nothing legitimate
// began the next round so early.
func MissedSyncs(before, after int32, members ...Member) []string {
	type span struct {
		member            string
		gen, next         int32 // next: the generation joined after gen, 0 for none
		assigned, revoked bool
	}
	var spans []span
	for _, m := range members {
		var cur *span
		for _, e := range m.Events() {
			switch {
			case e.Type == Joined && (cur == nil || e.Generation > cur.gen):
				if cur != nil {
					cur.next = e.Generation
					spans = append(spans, *cur)
				}
				cur = &span{member: m.Name(), gen: e.Generation}
			case cur == nil:
			case e.Type == Assigned:
				cur.assigned = true
			case e.Type == Revoked && len(e.Partitions) > 0:
				cur.revoked = true
			}
		}
		if cur != nil {
			spans = append(spans, *cur)
		}
	}
	var out []string
	for _, a := range spans {
		if a.assigned || a.next == 0 || a.gen <= before || a.gen > after {
			continue
		}
		for _, b := range spans {
			if b.gen == a.gen && b.member != a.member && b.revoked {
				out = append(out, fmt.Sprintf("%s joined generation %d and was not assigned in it (joined %d next); %s revoked in it and rejoined",
					a.member, a.gen, a.next, b.member))
				break
			}
		}
	}
	return out
}

// WaitSettled waits until the members own partitions exactly once between
// them (WaitStable) and then until no member has joined a new generation
// for quiet, and returns that generation. quiet must exceed the heartbeat
// interval: a member that starts another round does so at once, and the
// others learn of it at their next heartbeat, so a further round begun
// after the ownership settled shows within it. A round later than quiet
// escapes the count (the check gets weaker, it cannot fail wrongly).
func WaitSettled(t testing.TB, timeout, quiet time.Duration, partitions []TopicPartition, members ...Member) int32 {
	t.Helper()
	WaitStable(t, timeout, partitions, members...)
	g, since := Generation(members...), time.Now()
	WaitFor(t, timeout, fmt.Sprintf("no new generation for %v", quiet), func() bool {
		if now := Generation(members...); now != g {
			g, since = now, time.Now()
		}
		return time.Since(since) >= quiet
	}, func() string { return fmt.Sprintf("generation %d\n%s", g, Ownership(members...)) })
	return g
}

// FullRevokes returns m's revokes that took everything it owned and after
// which it was assigned partitions again: what an eager member does at
// every rebalance, and a cooperative member never (it revokes only what
// moves). The revoke at a member's close, with no assignment after it, is
// not one.
func FullRevokes(m Member) []OwnershipEvent {
	evs := m.Events()
	var out []OwnershipEvent
	for i, e := range evs {
		if e.Type != Revoked || len(e.Partitions) == 0 {
			continue
		}
		owned := ownedAfter(evs[:i])
		if len(owned) == 0 || len(ownedAfter(evs[:i+1])) != 0 {
			continue
		}
		for _, later := range evs[i+1:] {
			if later.Type == Assigned && len(later.Partitions) > 0 {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

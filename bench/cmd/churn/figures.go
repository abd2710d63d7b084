package main

import (
	"slices"
	"time"
)

// figures are one event's results (see BENCHMARKS.md for the definitions).
type figures struct {
	// Unaffected are the members in the group before and after the event
	// that own, after it, every partition they owned before; Revoking
	// those of them that had a revoked or lost callback with partitions
	// in the window (goal 0).
	Unaffected, Revoking int
	// RevokedKept counts partitions taken from a member (revoked or lost)
	// in the window that it owns again after.
	RevokedKept int
	// Unmoved is the number of partitions with the same owner before and
	// after; Gap the longest interval between two arrivals of one of
	// them that overlaps [t0, end].
	Unmoved int
	Gap     time.Duration
	// GapPartition is the partition of that gap, GapFrom when it began
	// (from t0): where to look in the members' logs.
	GapPartition int32
	GapFrom      time.Duration
	// Moved is the number of partitions whose owner changed; Refetched
	// the time from t0 until the last of them reached its new owner
	// (its first arrival there after t0).
	Moved     int
	Refetched time.Duration
	// Pause (eager) is from the first revocation in the window to the
	// moment every partition given out in it had reached its owner.
	Pause time.Duration
	// Coordinator is from t0 to the coordinator's "Preparing to
	// rebalance" for the group (join, leave); for a kill, from the
	// eviction to the first callback of a surviving member.
	Coordinator time.Duration
	// Start is the instant t0 the figures count from.
	Start time.Time `json:"-"`
}

// compute derives an event's figures from what the members wrote:
// before and after are the partitions' owners, from the moment the
// event was triggered, t0 the instant durations count from, end when
// the group was seen settled again.
func compute(s snapshot, before, after []string, from, t0, end time.Time) figures {
	f := figures{Start: t0}
	inWindow := func(c change) bool { return !c.at.Before(from) && !c.at.After(end) }

	// Members: what each owned before and after.
	ownsBefore, ownsAfter := map[string][]int32{}, map[string][]int32{}
	for p := range before {
		ownsBefore[before[p]] = append(ownsBefore[before[p]], int32(p))
		ownsAfter[after[p]] = append(ownsAfter[after[p]], int32(p))
	}
	revoking := map[string]bool{}
	kept := map[[2]any]bool{}
	for _, c := range s.changes {
		if (c.kind == evRevoked || c.kind == evLost) && len(c.parts) > 0 && inWindow(c) {
			revoking[c.member] = true
			for _, p := range c.parts {
				if after[p] == c.member {
					kept[[2]any{c.member, p}] = true
				}
			}
		}
	}
	f.RevokedKept = len(kept)
	for m, ps := range ownsBefore {
		if m == "" || len(ownsAfter[m]) == 0 {
			continue
		}
		all := true
		for _, p := range ps {
			all = all && after[p] == m
		}
		if all {
			f.Unaffected++
			if revoking[m] {
				f.Revoking++
			}
		}
	}

	for p := range before {
		as := s.arrivals[p]
		if before[p] == after[p] {
			f.Unmoved++
			if g, from := gapIn(as, t0, end); g > f.Gap {
				f.Gap, f.GapPartition, f.GapFrom = g, int32(p), from.Sub(t0)
			}
			continue
		}
		f.Moved++
		if at, ok := firstArrival(as, after[p], t0); ok {
			f.Refetched = max(f.Refetched, at.Sub(t0))
		} else {
			f.Refetched = max(f.Refetched, end.Sub(t0))
		}
	}

	// The eager pause: each partition's last assignment in the window, then
	// its first arrival there.
	first := time.Time{}
	var last time.Time
	given := map[int32]change{}
	for _, c := range s.changes {
		if !inWindow(c) {
			continue
		}
		if (c.kind == evRevoked || c.kind == evLost) && len(c.parts) > 0 && first.IsZero() {
			first = c.at
		}
		if c.kind == evAssigned {
			for _, p := range c.parts {
				given[p] = c
			}
		}
	}
	for p, c := range given {
		if at, ok := firstArrival(s.arrivals[p], c.member, c.at); ok && at.After(last) {
			last = at
		}
	}
	if !first.IsZero() && last.After(first) {
		f.Pause = last.Sub(first)
	}
	return f
}

// firstArrival returns the first arrival at member after t.
func firstArrival(as []arrival, member string, t time.Time) (time.Time, bool) {
	i, _ := slices.BinarySearchFunc(as, t, func(a arrival, t time.Time) int { return a.at.Compare(t) })
	for ; i < len(as); i++ {
		if as[i].member == member && as[i].at.After(t) {
			return as[i].at, true
		}
	}
	return time.Time{}, false
}

// gapIn returns the longest interval between two consecutive arrivals
// (sorted) that overlaps [from, to], and when it began; with none after
// the last one before to, the interval up to to counts.
func gapIn(as []arrival, from, to time.Time) (time.Duration, time.Time) {
	if len(as) == 0 {
		return to.Sub(from), from
	}
	var longest time.Duration
	var began time.Time
	for i := 1; i < len(as); i++ {
		if d := as[i].at.Sub(as[i-1].at); as[i].at.After(from) && as[i-1].at.Before(to) && d > longest {
			longest, began = d, as[i-1].at
		}
	}
	if last := as[len(as)-1].at; last.Before(to) && to.Sub(last) > longest {
		longest, began = to.Sub(last), last
	}
	return longest, began
}

package assignor

import (
	"cmp"
	"slices"
)

// general is Java's GeneralAssignmentBuilder, for members with different
// subscriptions:
//
//  1. Every member keeps its standing claims on topics it still subscribes
//     to (in rack-aware mode, only those with a replica on its rack).
//  2. The other partitions, topics with the fewest subscribers first (then
//     by name, then partition), each go to the least loaded subscriber (by
//     count, then member id), as Java's TreeSet of members by load picks;
//     in rack-aware mode a first pass gives each only to the least loaded
//     subscriber on one of its replicas' racks or without a rack, and a
//     second pass places the partitions the first could not.
//  3. Pass after pass over the partitions of topics with two or more
//     subscribers, first only those assigned in step 2 (unless a member
//     left a topic), then all: a partition whose owner has two or more
//     more than its owner of an older generation goes back to that one;
//     else one whose owner has two or more more than another subscriber
//     goes to the least loaded subscriber (see movements for which
//     partition actually moves). Passes repeat until one moves nothing;
//     from inputs where Java's would repeat forever, they end balanced
//     (see move).
//  4. Unless nobody kept anything in step 1, step 3 is undone when it
//     did not lower Java's balance score (the sum of the differences in
//     count over all pairs of members that could change).
//
// When it ends no partition can move to a member it would leave better
// balanced (Java's isBalanced).
func (in *stickyInput) general() []int32 {
	n := len(in.members)
	owners := make([]int32, in.total)
	for i := range owners {
		owners[i] = -1
	}
	count := make([]int, n)
	subscribed := func(pos, t int32) bool {
		_, ok := slices.BinarySearch(in.subsOf(pos), t)
		return ok
	}
	left := false // a member left a topic it owned partitions of
	for pos := range n {
		for _, p := range in.ownedBy(pos) {
			if subscribed(int32(pos), in.topicOf(p)) && (in.rack == nil || !in.rack.mismatch(int32(pos), p)) {
				owners[p] = int32(pos)
				count[pos]++
			} else {
				left = true
			}
		}
	}
	initializing := slices.Max(count) == 0

	order := make([]int32, 0, len(in.topics)) // topics with subscribers, fewest first
	for t := range in.topics {
		if len(in.topics[t].subs) > 0 {
			order = append(order, int32(t))
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return cmp.Compare(len(in.topics[a].subs), len(in.topics[b].subs))
	})
	least := func(t int32) int32 {
		best := int32(-1)
		for _, pos := range in.topics[t].subs {
			if best < 0 || count[pos] < count[best] {
				best = pos
			}
		}
		return best
	}
	var fresh []int32 // partitions assigned in step 2, in order
	for _, t := range order {
		tp := &in.topics[t]
		for p := tp.first; p < tp.first+tp.partitions; p++ {
			if owners[p] < 0 {
				fresh = append(fresh, p)
			}
		}
	}
	if in.rack != nil {
		in.assignRackLocal(owners, count, order)
	}
	for _, t := range order {
		tp := &in.topics[t]
		for p := tp.first; p < tp.first+tp.partitions; p++ {
			if owners[p] < 0 {
				o := least(t)
				owners[p] = o
				count[o]++
			}
		}
	}

	older := in.olderOwners()
	before, beforeCount := slices.Clone(owners), slices.Clone(count)
	movable := in.participants(count)
	mv := newMovements(in)
	// Java moves, instead of p, a partition that went the other way before
	// (see movements.actual), which may be another member's: the move then
	// does not unload p's owner, and can be undone later in the same pass.
	// From some inputs Java's passes never end (both its sticky assignors spin
	// forever; TestStickyGeneralEndless has one). A pass that ends where
	// an earlier one ended would repeat, so once any such move was made the
	// builder notes the state at the end of each pass, and when one
	// repeats, it moves the partitions themselves from then on: each move
	// then takes one from a member with two or more more than the other,
	// and the passes end, balanced. Inputs from which Java's passes end
	// never repeat a state, and get Java's result.
	direct, foreign := false, false
	move := func(p, to int32) {
		q := p
		if !direct {
			q = mv.actual(p, owners[p], to)
		}
		from := owners[q]
		foreign = foreign || from != owners[p]
		mv.record(q, from, to)
		owners[q] = to
		count[from]--
		count[to]++
	}
	rebalance := func(ps func(yield func(int32) bool)) (any bool) {
		var seen map[uint64]bool
		for moved := true; moved; {
			if moved && foreign && !direct {
				if seen == nil {
					seen = make(map[uint64]bool)
				}
				h := mv.state(owners)
				direct = seen[h]
				seen[h] = true
			}
			moved = false
			for p := range ps {
				t := in.topicOf(p)
				if len(in.topics[t].subs) < 2 {
					continue
				}
				o := owners[p]
				if q := older[p]; q >= 0 && q != o && movable[q] && subscribed(q, t) && count[o] > count[q]+1 {
					move(p, q)
					moved, any = true, true
					continue
				}
				if m := least(t); count[o] > count[m]+1 {
					move(p, m)
					moved, any = true, true
				}
			}
		}
		return any
	}
	if !left {
		rebalance(slices.Values(fresh))
	}
	any := rebalance(func(yield func(int32) bool) {
		for _, t := range order {
			tp := &in.topics[t]
			for p := tp.first; p < tp.first+tp.partitions; p++ {
				if !yield(p) {
					return
				}
			}
		}
	})
	if !initializing && any && balanceScore(count, movable) >= balanceScore(beforeCount, movable) {
		return before
	}
	return owners
}

// assignRackLocal is the general builder's rack pass: each free partition,
// topics in order, to its least loaded subscriber (by count, then member
// id) without a rack or on one of its replicas' racks, when there is one.
func (in *stickyInput) assignRackLocal(owners []int32, count []int, order []int32) {
	for _, t := range order {
		tp := &in.topics[t]
		for p := tp.first; p < tp.first+tp.partitions; p++ {
			if owners[p] >= 0 {
				continue
			}
			best := int32(-1)
			for _, pos := range tp.subs {
				if (best < 0 || count[pos] < count[best]) && !in.rack.mismatch(pos, p) {
					best = pos
				}
			}
			if best >= 0 {
				owners[p] = best
				count[best]++
			}
		}
	}
}

// participants marks the members whose assignment can change (Java's
// canConsumerParticipateInReassignment): those without every partition of
// their topics, or with a partition of a topic that has two or more
// subscribers.
func (in *stickyInput) participants(count []int) []bool {
	out := make([]bool, len(in.members))
	for pos := range in.members {
		most := 0
		for _, t := range in.subsOf(int32(pos)) {
			most += int(in.topics[t].partitions)
			if len(in.topics[t].subs) >= 2 && count[pos] > 0 {
				out[pos] = true
			}
		}
		if count[pos] < most {
			out[pos] = true
		}
	}
	return out
}

// olderOwners is Java's prevAssignment: for each partition, the member of
// the highest generation below the group's highest that claimed it (-1 for
// none), so that balance can return a partition there.
func (in *stickyInput) olderOwners() []int32 {
	top := int32(-1)
	for _, g := range in.gens {
		top = max(top, g)
	}
	out := make([]int32, in.total)
	gen := make([]int32, in.total)
	for i := range out {
		out[i] = -1
	}
	for pos, g := range in.gens {
		if g >= top {
			continue
		}
		for _, p := range in.claimsOf(pos) {
			if out[p] < 0 || g > gen[p] {
				out[p], gen[p] = int32(pos), g
			}
		}
	}
	return out
}

// balanceScore is Java's getBalanceScore over the marked members: the sum
// over all pairs of the difference of their counts.
func balanceScore(count []int, marked []bool) int {
	var c []int
	for pos, ok := range marked {
		if ok {
			c = append(c, count[pos])
		}
	}
	slices.Sort(c)
	score, sum := 0, 0
	for i, x := range c {
		score += i*x - sum
		sum += x
	}
	return score
}

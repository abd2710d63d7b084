package assignor

import (
	"cmp"
	"slices"
)

// general is Java's GeneralAssignmentBuilder, for members with different
// subscriptions, without its rack matching (Group has no replica racks):
//
//  1. Every member keeps its standing claims on topics it still subscribes
//     to.
//  2. The other partitions, topics with the fewest subscribers first (then
//     by name, then partition), each go to the least loaded subscriber (by
//     count, then member id), as Java's TreeSet of members by load picks.
//  3. While some partition's owner has two or more partitions more than
//     another subscriber of its topic, the partition moves to the least
//     loaded such subscriber: first among the partitions assigned in step 2
//     (unless a member left a topic, as Java does), then among all.
//
// Every move in step 3 brings two counts closer, so it ends; when it does
// no partition can move to a member it would leave better balanced, Java's
// isBalanced. Java also moves a partition back to its owner of an older
// generation when that balances too, and swaps which partition of a topic
// moves to avoid cycles; those change which partitions move, not how many
// or the balance, and are not reproduced.
func (in *stickyInput) general() []int32 {
	n := len(in.members)
	owners := make([]int32, in.total)
	for i := range owners {
		owners[i] = -1
	}
	count := make([]int, n)
	subscribed := func(pos, t int32) bool {
		_, ok := slices.BinarySearch(in.subs[pos], t)
		return ok
	}
	left := false // a member left a topic it owned partitions of
	for pos := range n {
		for _, p := range in.owned[pos] {
			if subscribed(int32(pos), in.topicOf(p)) {
				owners[p] = int32(pos)
				count[pos]++
			} else {
				left = true
			}
		}
	}

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
				o := least(t)
				owners[p] = o
				count[o]++
				fresh = append(fresh, p)
			}
		}
	}

	rebalance := func(ps func(yield func(int32) bool)) {
		for moved := true; moved; {
			moved = false
			for p := range ps {
				t := in.topicOf(p)
				if len(in.topics[t].subs) < 2 {
					continue
				}
				o, m := owners[p], least(t)
				if count[o] > count[m]+1 {
					owners[p] = m
					count[o]--
					count[m]++
					moved = true
				}
			}
		}
	}
	if !left {
		rebalance(slices.Values(fresh))
	}
	rebalance(func(yield func(int32) bool) {
		for _, t := range order {
			tp := &in.topics[t]
			for p := tp.first; p < tp.first+tp.partitions; p++ {
				if !yield(p) {
					return
				}
			}
		}
	})
	return owners
}

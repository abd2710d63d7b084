package assignor

import (
	"encoding/binary"
	"slices"
)

// rackTable returns the racks of the layout's members and partitions when
// Java's RangeAssignor would match racks for at least one topic (its
// needsRackAwareAssignment, with the racks of that topic's subscribers),
// and nil otherwise.
func (l *layout) rackTable(g Group) *rackTable {
	if !anyRack(l.members) {
		return nil
	}
	topics := make([]rackTopic, len(l.topics))
	for i, t := range l.topics {
		topics[i] = rackTopic{name: t.name, first: t.first, partitions: t.partitions}
	}
	rt := newRackTable(l.members, g, topics, l.total)
	if rt == nil {
		return nil
	}
	for _, t := range l.topics {
		if rt.aware(t.subs, t.first, t.first+int(t.partitions)) {
			return rt
		}
	}
	return nil
}

// rangeTopic is Java's TopicAssignmentState: how many partitions of one
// topic each subscriber has, and how many more it may take.
type rangeTopic struct {
	t      *topicSubscribers
	count  []int32 // by index in t.subs
	per    int32   // partitions / subscribers
	extra  int32   // subscribers that may still get per+1
	left   int32   // partitions not assigned yet
	cursor int32   // every partition before it is assigned
	racks  []int32 // by rack: every partition before it is assigned or not on the rack
}

func (s *rangeTopic) maxAssignable(i int) int32 {
	n := s.per - s.count[i]
	if s.extra > 0 {
		n++
	}
	return max(n, 0)
}

func (s *rangeTopic) assign(owners []int32, i int, p int32) {
	owners[s.t.first+int(p)] = s.t.subs[i]
	s.count[i]++
	s.left--
	if s.count[i] == s.per+1 {
		s.extra--
	}
}

// assignRacks is Java's RangeAssignor with rack matching:
//
//  1. Topics are grouped by their subscribers. Topics of one group whose
//     subscribers send racks and that have the same partition count are
//     co-partitioned: partition p of all of them goes, for p from 0, to
//     the first subscriber (in member order) that has a replica of each on
//     its rack, or has no rack, and may take one more partition of each
//     (assignCoPartitioned). Any other topic that needs rack matching
//     gives each subscriber in member order, up to its share, the first
//     free partitions with a replica on its rack (all of them for a
//     subscriber without a rack).
//  2. Then every topic as the classic range does: each subscriber in
//     member order takes the first free partitions up to its share.
//
// A subscriber's share is the classic one: partitions/subscribers, and one
// more while fewer than partitions%subscribers have had one more; so every
// topic stays balanced within one, and co-partitioned topics stay
// co-partitioned where racks allow.
func (l *layout) assignRacks(owners []int32, rt *rackTable) {
	fill(owners, -1)
	states := make([]rangeTopic, len(l.topics))
	for i := range l.topics {
		t := &l.topics[i]
		k := int32(len(t.subs))
		states[i] = rangeTopic{t: t, count: make([]int32, k), per: t.partitions / k, extra: t.partitions % k,
			left: t.partitions, racks: make([]int32, len(rt.onRack))}
	}
	groups := make(map[string][]int) // subscribers and partition count -> topics, for those with racked subscribers
	var keys []string
	var key []byte
	for i, t := range l.topics {
		if !slices.ContainsFunc(t.subs, func(pos int32) bool { return rt.member[pos] >= 0 }) {
			continue // Java's partitionRacks is empty: nothing to match
		}
		key = binary.LittleEndian.AppendUint32(key[:0], uint32(t.partitions))
		for _, pos := range t.subs {
			key = binary.LittleEndian.AppendUint32(key, uint32(pos))
		}
		k := string(key)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range keys { // topics of different groups do not interact: any order gives Java's result
		g := groups[k]
		if len(g) > 1 {
			assignCoPartitioned(owners, rt, states, g)
			continue
		}
		s := &states[g[0]]
		if rt.aware(s.t.subs, s.t.first, s.t.first+int(s.t.partitions)) {
			s.assignRanges(owners, rt)
		}
	}
	for i := range states {
		states[i].assignRanges(owners, nil)
	}
}

// assignRanges gives each subscriber in member order, up to its share, the
// first free partitions, only those on its rack when rt is not nil and it
// has one (Java's assignRanges with racksMatch, or without).
func (s *rangeTopic) assignRanges(owners []int32, rt *rackTable) {
	t := s.t
	for i, pos := range t.subs {
		if s.left == 0 {
			return
		}
		n := s.maxAssignable(i)
		if n == 0 {
			continue
		}
		r := int32(-1)
		if rt != nil {
			r = rt.member[pos]
		}
		if r < 0 {
			for ; n > 0 && s.cursor < t.partitions; s.cursor++ {
				if owners[t.first+int(s.cursor)] < 0 {
					s.assign(owners, i, s.cursor)
					n--
				}
			}
			continue
		}
		c := &s.racks[r]
		for ; n > 0 && *c < t.partitions; *c++ {
			p := t.first + int(*c)
			if owners[p] < 0 && rt.local(pos, int32(p)) {
				s.assign(owners, i, *c)
				n--
			}
		}
	}
}

// assignCoPartitioned is Java's assignCoPartitionedWithRackMatching for
// the topics g (by index in states), which have the same subscribers and
// partition count: partition p of all of them to the first remaining
// subscriber that matches the racks of every one and may take one more of
// each; a subscriber that may take no more of any leaves the remaining.
func assignCoPartitioned(owners []int32, rt *rackTable, states []rangeTopic, g []int) {
	first := &states[g[0]]
	remaining := make([]int, len(first.t.subs)) // indexes in subs
	for i := range remaining {
		remaining[i] = i
	}
	for p := int32(0); p < first.t.partitions && len(remaining) > 0; p++ {
		j := slices.IndexFunc(remaining, func(i int) bool {
			pos := first.t.subs[i]
			for _, x := range g {
				s := &states[x]
				if rt.mismatch(pos, int32(s.t.first)+p) || s.maxAssignable(i) == 0 {
					return false
				}
			}
			return true
		})
		if j < 0 {
			continue
		}
		i := remaining[j]
		more := false
		for _, x := range g {
			states[x].assign(owners, i, p)
			more = more || states[x].maxAssignable(i) > 0
		}
		if !more {
			remaining = slices.Delete(remaining, j, j+1)
		}
	}
}

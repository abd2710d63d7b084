package assignor

import "slices"

// rackTable is the members' and the partitions' racks in small numbers,
// for KIP-881's rack-aware assignment. Racks are numbered as first met
// (members first), and every partition points at one of the distinct sets
// of racks its replicas are on: cheap when many partitions share a set, as
// they do with a few racks.
type rackTable struct {
	member []int32   // by member position: its rack, -1 for none
	set    []int32   // by partition in the flat order: index into sets
	sets   [][]int32 // distinct replica rack sets, ascending; sets[0] is empty
	onRack []int32   // by rack: how many members are on it
}

// rackTopic is where one topic's partitions start in the flat order.
type rackTopic struct {
	name       string
	first      int
	partitions int32
}

// newRackTable numbers the racks of members (by position) and of the
// partitions of topics (Group.Topics' Racks), laid end to end as topics
// says, total in all. It returns nil when no member has a rack: then no
// assignor looks at racks, and nothing is spent on them.
func newRackTable(members []*Member, g Group, topics []rackTopic, total int) *rackTable {
	if !anyRack(members) {
		return nil
	}
	rt := &rackTable{member: make([]int32, len(members)), set: make([]int32, total), sets: [][]int32{nil}}
	ids := make(map[string]int32)
	id := func(r string) int32 {
		i, ok := ids[r]
		if !ok {
			i = int32(len(ids))
			ids[r] = i
			rt.onRack = append(rt.onRack, 0)
		}
		return i
	}
	for pos, m := range members {
		rt.member[pos] = -1
		if m.Rack != "" {
			rt.member[pos] = id(m.Rack)
			rt.onRack[rt.member[pos]]++
		}
	}
	type sliceKey struct {
		first *string
		n     int
	}
	bySlice := make(map[sliceKey]int32) // shared slices are read once
	byContent := map[string]int32{"": 0}
	var key []byte
	for _, t := range topics {
		racks := g.Topics[t.name].Racks
		var prev []string
		prevSet := int32(0)
		for p := range min(int(t.partitions), len(racks)) {
			r := racks[p]
			if len(r) == 0 {
				continue
			}
			if len(r) == len(prev) && &r[0] == &prev[0] {
				rt.set[t.first+p] = prevSet
				continue
			}
			k := sliceKey{&r[0], len(r)}
			s, ok := bySlice[k]
			if !ok {
				var set []int32
				for _, name := range r {
					if name != "" {
						set = append(set, id(name))
					}
				}
				slices.Sort(set)
				set = slices.Compact(set)
				key = key[:0]
				for _, x := range set {
					key = append(key, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
				}
				if s, ok = byContent[string(key)]; !ok {
					s = int32(len(rt.sets))
					rt.sets = append(rt.sets, set)
					byContent[string(key)] = s
				}
				bySlice[k] = s
			}
			rt.set[t.first+p] = s
			prev, prevSet = r, s
		}
	}
	return rt
}

// anyRack reports whether some member sends a rack.
func anyRack(members []*Member) bool {
	return slices.ContainsFunc(members, func(m *Member) bool { return m.Rack != "" })
}

// aware is Java's useRackAwareAssignment for the members marked in who
// (by position; nil for all) and the partitions [from, to) of the flat
// order: some of those members' racks hold a replica of one of the
// partitions, and the partitions are not all on the same set of racks.
func (rt *rackTable) aware(who []int32, from, to int) bool {
	used := make([]bool, len(rt.sets))
	distinct := 0
	for _, s := range rt.set[from:to] {
		if !used[s] {
			used[s] = true
			distinct++
		}
	}
	if distinct < 2 {
		return false
	}
	held := make([]bool, len(rt.onRack)) // racks holding a replica of one of the partitions
	for s, ok := range used {
		if ok {
			for _, r := range rt.sets[s] {
				held[r] = true
			}
		}
	}
	if who == nil {
		return slices.ContainsFunc(rt.member, func(r int32) bool { return r >= 0 && held[r] })
	}
	return slices.ContainsFunc(who, func(pos int32) bool { r := rt.member[pos]; return r >= 0 && held[r] })
}

// local reports whether member pos has a rack and partition p a replica
// on it.
func (rt *rackTable) local(pos, p int32) bool {
	r := rt.member[pos]
	return r >= 0 && slices.Contains(rt.sets[rt.set[p]], r)
}

// mismatch reports whether member pos has a rack and partition p no
// replica on it (Java's racksMismatch; a member without a rack matches
// every partition).
func (rt *rackTable) mismatch(pos, p int32) bool {
	return rt.member[pos] >= 0 && !rt.local(pos, p)
}

// membersOnSets is, for each set of racks, how many members are on its
// racks: for a partition, Java's numConsumersByPartition.
func (rt *rackTable) membersOnSets() []int32 {
	out := make([]int32, len(rt.sets))
	for s, racks := range rt.sets {
		for _, r := range racks {
			out[s] += rt.onRack[r]
		}
	}
	return out
}

package assignor

// Range is Java's RangeAssignor ("range"), eager only. Topic by topic, the
// partitions in numeric order are cut into as many contiguous ranges as the
// topic has subscribers, and the subscribers in member order (see the
// package doc) take one range each; when the count does not divide, the
// first ones get one partition more. Every topic is balanced within one
// partition among its subscribers, but the extras fall on the same first
// members topic after topic, and topics with equal partition counts and
// subscribers are co-partitioned (partition p of each goes to one member).
var Range Assignor = rangeAssignor{}

type rangeAssignor struct{}

func (rangeAssignor) Name() string                            { return "range" }
func (rangeAssignor) RebalanceProtocols() []RebalanceProtocol { return []RebalanceProtocol{Eager} }
func (rangeAssignor) SubscriptionUserData(Member) []byte      { return nil }
func (rangeAssignor) OnAssignment(Assignment, int32) error    { return nil }

// Assign is the classic range assignment, with Java's rack matching
// first (KIP-881, Kafka 3.5+) when some topic needs it: some of its
// subscribers send a rack, some of its partitions have a replica on one of
// those racks, and its partitions are not all on the same racks (see
// assignRacks). Otherwise it is exactly the classic one.
func (rangeAssignor) Assign(g Group) (map[string]Assignment, error) {
	l, err := newLayout(g)
	if err != nil {
		return nil, err
	}
	owners := make([]int32, l.total)
	if rt := l.rackTable(g); rt != nil {
		l.assignRacks(owners, rt)
		return l.build(owners), nil
	}
	for _, t := range l.topics {
		k := int32(len(t.subs))
		per, extra := t.partitions/k, t.partitions%k
		start := int32(0)
		for i, pos := range t.subs {
			n := per
			if int32(i) < extra {
				n++
			}
			fill(owners[t.first+int(start):t.first+int(start+n)], pos)
			start += n
		}
	}
	return l.build(owners), nil
}

func fill(s []int32, v int32) {
	for i := range s {
		s[i] = v
	}
}

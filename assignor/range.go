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

// Assign is the classic range assignment. Java's RangeAssignor (since Kafka
// 3.5, KIP-881) first matches partitions to members on the same rack, when
// members send a rack and some partitions have replicas on only some of
// the racks, and then fills the ranges with what is left. Group carries no
// replica racks yet, and without them Java's needsRackAwareAssignment is
// false for every topic and it runs exactly this. The rack matching goes
// before the loop below, once Topic has its replica racks.
func (rangeAssignor) Assign(g Group) (map[string]Assignment, error) {
	l, err := newLayout(g)
	if err != nil {
		return nil, err
	}
	owners := make([]int32, l.total)
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

package assignor

import "sort"

// RoundRobin is Java's RoundRobinAssignor ("roundrobin"), eager only. All
// partitions, topics by name and each topic's partitions in order, are
// dealt one at a time to the members in member order (see the package doc),
// going round and round and skipping a member not subscribed to the
// partition's topic. With equal subscriptions every member gets within one
// partition of every other in total; with unequal ones only each topic is
// balanced among its subscribers.
var RoundRobin Assignor = roundRobinAssignor{}

type roundRobinAssignor struct{}

func (roundRobinAssignor) Name() string                            { return "roundrobin" }
func (roundRobinAssignor) RebalanceProtocols() []RebalanceProtocol { return []RebalanceProtocol{Eager} }
func (roundRobinAssignor) SubscriptionUserData(Member) []byte      { return nil }
func (roundRobinAssignor) OnAssignment(Assignment, int32) error    { return nil }

// Assign deals the partitions. Java walks a circular iterator member by
// member; here each topic jumps straight to its first subscriber at or
// after the iterator (a binary search in its subscribers) and then deals
// its partitions among its subscribers in turn, which is the same walk in
// time proportional to the partitions, not to the members skipped.
func (roundRobinAssignor) Assign(g Group) (map[string]Assignment, error) {
	l, err := newLayout(g)
	if err != nil {
		return nil, err
	}
	owners := make([]int32, l.total)
	next := int32(0) // the member the iterator points at
	for _, t := range l.topics {
		k := len(t.subs)
		j := sort.Search(k, func(i int) bool { return t.subs[i] >= next })
		if j == k {
			j = 0
		}
		for p := range int(t.partitions) {
			owners[t.first+p] = t.subs[j]
			if j++; j == k {
				j = 0
			}
		}
		// j is now just past the last subscriber served.
		last := t.subs[(j+k-1)%k]
		next = (last + 1) % int32(len(l.members))
	}
	return l.build(owners), nil
}

package assignor

import (
	"encoding/binary"

	"github.com/rawkafka/rawkafka/protocol"
)

// Sticky is Java's StickyAssignor ("sticky"), eager only: balanced
// assignments that keep as many of each member's partitions as balance
// allows. Every member revokes everything before it joins, so what it owned
// travels in its user data (StickyAssignor user data v1: the previous
// assignment and its generation), which SubscriptionUserData writes from
// the Member's Owned and Generation and Assign reads back; the
// subscription's own owned partitions and generation are not used, as in
// Java.
//
// The rules are AbstractStickyAssignor's (see stickyInput and the two
// builders): when every member subscribes to the same topics, every member
// gets the partition count divided by the member count, rounded down or up
// (the "constrained" path); otherwise the general path balances each
// member as far as its subscription allows. A partition two members claim
// belongs to the claim of the higher generation; two claims in the same
// generation cancel, and the partition goes to whoever balance picks.
//
// With equal subscriptions, when more members own maxQuota partitions than
// may keep them, Java lets the first in the iteration order of a HashMap
// filled in JoinGroup-response order keep them; so does Assign, with
// Group.Members taken as that order. That also decides which partitions
// the others give up, and so who gets which (and, for CooperativeSticky,
// how many are held back from each new owner), but not the counts nor how
// many partitions move. Everything else is independent of the members'
// order.
var Sticky Assignor = stickyAssignor{}

// CooperativeSticky is Java's CooperativeStickyAssignor
// ("cooperative-sticky"): the same assignment as Sticky, for both the
// cooperative protocol (preferred) and the eager one. Owned partitions come
// from the subscription (v1+) and the generation from the subscription
// (v2+) or else from its user data (an int32 generation).
//
// A partition that the assignment takes from one member and gives to
// another is left out of the new owner's assignment this round (Java's
// adjustAssignment): its old owner revokes it, rejoins, and the follow-up
// rebalance hands it over, so no two members fetch it at once. In the
// eager protocol members join owning nothing and nothing is held back.
var CooperativeSticky Assignor = cooperativeStickyAssignor{}

type stickyAssignor struct{}

func (stickyAssignor) Name() string                            { return "sticky" }
func (stickyAssignor) RebalanceProtocols() []RebalanceProtocol { return []RebalanceProtocol{Eager} }
func (stickyAssignor) OnAssignment(Assignment, int32) error    { return nil }

// SubscriptionUserData is the previous assignment (m.Owned) and its
// generation (m.Generation) in StickyAssignor user data v1; nil for a member
// that has had no assignment yet (no generation and nothing owned), as Java
// sends none before its first assignment.
func (stickyAssignor) SubscriptionUserData(m Member) []byte {
	if m.Generation < 0 && len(m.Owned) == 0 {
		return nil
	}
	d := protocol.StickyAssignorUserData{PreviousAssignment: group(m.Owned), Generation: m.Generation}
	return d.Encode(nil)
}

// Assign reads each member's previous assignment from its user data.
func (stickyAssignor) Assign(g Group) (map[string]Assignment, error) {
	in, err := newStickyInput(g, stickyClaimsInto)
	if err != nil {
		return nil, err
	}
	return in.build(in.assign()), nil
}

// stickyClaimsInto is stickyClaims read straight into in's numbering,
// with nothing allocated but what dst grows by.
func stickyClaimsInto(in *stickyInput, m *Member, dst []int32) ([]int32, int32) {
	if len(m.UserData) == 0 {
		return dst, -1
	}
	from := len(dst)
	gen, err := protocol.StickyAssignorUserDataEach(m.UserData, func(topic, ps []byte) {
		t, ok := in.index[string(topic)]
		if !ok {
			return
		}
		for j := 0; j+4 <= len(ps); j += 4 {
			if p := in.partition(t, int32(binary.BigEndian.Uint32(ps[j:]))); p >= 0 {
				dst = append(dst, p)
			}
		}
	})
	if err != nil {
		return dst[:from], -1 // unreadable: no previous assignment, as in Java
	}
	return dst, gen
}

type cooperativeStickyAssignor struct{}

func (cooperativeStickyAssignor) Name() string { return "cooperative-sticky" }
func (cooperativeStickyAssignor) RebalanceProtocols() []RebalanceProtocol {
	return []RebalanceProtocol{Cooperative, Eager}
}
func (cooperativeStickyAssignor) OnAssignment(Assignment, int32) error { return nil }

// SubscriptionUserData is m.Generation as CooperativeStickyAssignor user
// data, sent always (-1 before the first assignment), as Java does, for
// leaders that read subscriptions older than v2.
func (cooperativeStickyAssignor) SubscriptionUserData(m Member) []byte {
	d := protocol.CooperativeStickyAssignorUserData{Generation: m.Generation}
	return d.Encode(nil)
}

// Assign is Sticky's assignment without the partitions that change owner.
func (cooperativeStickyAssignor) Assign(g Group) (map[string]Assignment, error) {
	in, err := newStickyInput(g, cooperativeClaimsInto)
	if err != nil {
		return nil, err
	}
	owners := in.assign()
	in.holdBackTransfers(owners)
	return in.build(owners), nil
}

// cooperativeClaims takes the generation from the subscription (v2+) and
// else from the user data (-1 when absent or unreadable); owned partitions
// always come from the subscription.
func cooperativeClaims(m *Member) ([]protocol.TopicPartition, int32) {
	if m.Generation >= 0 {
		return m.Owned, m.Generation
	}
	if m.UserData == nil {
		return m.Owned, -1
	}
	var d protocol.CooperativeStickyAssignorUserData
	if d.Decode(m.UserData) != nil {
		return m.Owned, -1
	}
	return m.Owned, d.Generation
}

// cooperativeClaimsInto is cooperativeClaims in in's numbering.
func cooperativeClaimsInto(in *stickyInput, m *Member, dst []int32) ([]int32, int32) {
	tps, g := cooperativeClaims(m)
	last, t, ok := "", int32(0), false
	for i, tp := range tps {
		if i == 0 || tp.Topic != last { // an owned list is in runs of one topic
			last = tp.Topic
			t, ok = in.index[last]
		}
		if !ok {
			continue
		}
		if p := in.partition(t, tp.Partition); p >= 0 {
			dst = append(dst, p)
		}
	}
	return dst, g
}

// group is the inverse of flatten: partitions grouped by topic in order of
// first appearance.
func group(tps []protocol.TopicPartition) []protocol.ConsumerProtocolTopicPartition {
	return Assignment{Partitions: tps}.Protocol(0).AssignedPartitions
}

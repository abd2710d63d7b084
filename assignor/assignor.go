package assignor

import (
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

// Assignor is a partition assignment strategy, the counterpart of Java's
// ConsumerPartitionAssignor. Every member of a group runs the same
// strategies; the coordinator picks one by name (SelectProtocol) and the
// leader runs its Assign.
//
// An Assignor holds no state between calls: Range and RoundRobin keep none,
// and the sticky assignors read the previous assignment and generation from
// the Member that SubscriptionUserData and Assign are given.
type Assignor interface {
	// Name is the protocol name sent in JoinGroup ("range", "roundrobin",
	// "sticky", "cooperative-sticky"); it must be the same in every client
	// for members to agree on it.
	Name() string

	// RebalanceProtocols lists the rebalance protocols the assignor can run
	// under (Java's supportedProtocols), Eager for all of Java's own.
	RebalanceProtocols() []RebalanceProtocol

	// SubscriptionUserData returns the user data this member puts in its
	// ConsumerProtocolSubscription for this assignor; nil for none. m is the
	// member as it describes itself when joining (its UserData is ignored).
	SubscriptionUserData(m Member) []byte

	// Assign computes the assignment for every member of g. The result
	// holds one entry per member (by member id), an empty one for a member
	// that gets nothing. It fails only on input no coordinator sends, such as
	// two members with the same id.
	Assign(g Group) (map[string]Assignment, error)

	// OnAssignment is called on every member with the assignment the leader
	// sent it and the generation it belongs to, for an assignor whose user
	// data must be read or checked then; it fails when that data is
	// malformed. Range and RoundRobin accept anything.
	OnAssignment(a Assignment, generation int32) error
}

// RebalanceProtocol is how members hand partitions over in a rebalance
// (Java's ConsumerPartitionAssignor.RebalanceProtocol; the values are its
// ids, and a higher value is the more advanced protocol).
type RebalanceProtocol int8

const (
	// Eager: every member revokes everything it owns before it rejoins.
	Eager RebalanceProtocol = 0
	// Cooperative (KIP-429): members keep what they own through the
	// rebalance and give up only what the leader moves, in a second round.
	Cooperative RebalanceProtocol = 1
)

// String returns "eager" or "cooperative".
func (p RebalanceProtocol) String() string {
	switch p {
	case Eager:
		return "eager"
	case Cooperative:
		return "cooperative"
	}
	return fmt.Sprintf("RebalanceProtocol(%d)", int8(p))
}

// Group is an assignor's input: the members with their subscriptions, and
// what the leader's metadata says about the topics they subscribe to.
type Group struct {
	// Members in any order, though the sticky assignors with equal
	// subscriptions give a Java leader's result only for the order of the
	// JoinGroup response (see Sticky); their ids must be distinct.
	Members []Member
	// Topics by name. A subscribed topic missing here, or with no
	// partitions, is skipped, as Java skips a topic without metadata. Topics
	// nobody subscribes to are ignored.
	Topics map[string]Topic
}

// Topic is what the leader knows about one topic.
type Topic struct {
	// Partitions is the partition count; the partitions are 0 to
	// Partitions-1. Zero or less means no metadata: the topic is skipped.
	Partitions int32
	// Racks, when not nil, holds for each partition (by number, so with
	// Partitions entries; a shorter slice leaves the last ones without) the
	// racks of the brokers its replicas are on, in any order, for KIP-881's
	// rack-aware assignment: range and the sticky assignors then prefer to
	// give a partition to a member whose Rack is among them. nil, an empty
	// entry and "" mean no rack. Partitions with the same racks may share
	// one slice (the leader's metadata does), which costs nothing to read;
	// the assignors never write into it.
	//
	// As in Java, racks matter only when some member sends a rack, some
	// partition has a replica on a member's rack, and the partitions'
	// racks are not all the same set; otherwise the assignment is exactly
	// the one without racks.
	Racks [][]string
}

// Member is one member's subscription as the leader sees it in the
// JoinGroup response: its ids and the decoded ConsumerProtocolSubscription.
type Member struct {
	// ID is the member.id the coordinator gave it.
	ID string
	// InstanceID is its group.instance.id, "" for a dynamic member (the
	// broker refuses an empty group.instance.id, so "" cannot be one).
	InstanceID string
	// Topics it subscribes to, in any order; duplicates count once.
	Topics []string
	// Owned is what it owns now (subscription v1+), for the sticky assignors.
	Owned []protocol.TopicPartition
	// Generation is the generation Owned is from (subscription v2+); -1 when
	// unknown.
	Generation int32
	// Rack is its client.rack (subscription v3+), "" for none (Java ignores
	// an empty rack too).
	Rack string
	// UserData is the assignor's own data from its subscription.
	UserData []byte
}

// Assignment is what the leader gives one member.
type Assignment struct {
	// Partitions in topic, then partition order (Java's range lists them in
	// another order; the order carries no meaning, the wire groups them by
	// topic). Each member's slice is capped at its length, so appending to
	// it never writes into another member's.
	Partitions []protocol.TopicPartition
	// UserData is the assignor's data for the member; nil for none.
	UserData []byte
}

// Errors, to test with errors.Is.
var (
	// ErrNotImplemented: a strategy that rawkafka knows of but does not
	// have yet (none now: all four of Java's are here).
	ErrNotImplemented = errors.New("assignor: not implemented yet")
	// ErrUnknown: a strategy name that is none of the known ones.
	ErrUnknown = errors.New("assignor: unknown strategy")
	// ErrNoCommonProtocol: no protocol every member (or every configured
	// assignor) supports.
	ErrNoCommonProtocol = errors.New("assignor: no protocol in common")
	// ErrInvalidGroup: input no coordinator sends (e.g. a duplicate member id).
	ErrInvalidGroup = errors.New("assignor: invalid group")
)

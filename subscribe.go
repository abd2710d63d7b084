package rawkafka

import (
	"errors"
	"regexp"
	"slices"
)

// RebalanceListener is told how a subscription's assignment changes (the
// Java client's ConsumerRebalanceListener). Every callback runs on the
// application's goroutine, inside Poll (or Close, or Unsubscribe), never
// under a lock the callback could need: it may call Commit, CommitConsumed,
// CommitAsync, Committed, Position, Seek, Pause, Resume, Paused and
// Assignment. It must not call Poll, Close, Subscribe or Unsubscribe. A nil
// field, or a nil *RebalanceListener, is a callback that does nothing.
//
// With eager assignors (range, roundrobin: the member runs eager unless
// every configured assignor is cooperative) every rebalance revokes
// everything the member owns (OnRevoked, after the commit that auto-commit
// makes for them) before the member joins again, and then assigns the
// whole new assignment (OnAssigned). No partition "stays assigned" across
// an eager rebalance: each partition assigned again starts at its
// committed offset, unpaused.
//
// With cooperative assignors (KIP-429) a rebalance revokes nothing before
// the join: the owned partitions keep fetching, Poll keeps returning their
// records, and commits of them succeed or fail with ErrCommitFailed
// (never losing them) while the group rebalances. After it, OnRevoked
// gets only the partitions that moved to another member (committed first
// under auto-commit) and OnAssigned only the partitions added; the kept
// ones appear in neither and keep their position and pause state. A
// subscription change revokes, before the join, the owned partitions of
// the topics left. OnLost still gets everything when the membership is
// lost.
type RebalanceListener struct {
	// OnAssigned gets the partitions the member now owns (cooperative:
	// the partitions added, not those kept), after Poll
	// started fetching them from their committed offsets (or
	// auto.offset.reset where nothing is committed). It is called after
	// every rebalance, with an empty list when the member got nothing, as
	// in the Java client.
	OnAssigned func(c *Consumer, partitions []TopicPartition)
	// OnRevoked gets the partitions the member gives up while its
	// generation is still valid: in a rebalance, and at Close and
	// Unsubscribe. Fetching them has stopped; Poll returns no record of
	// them afterwards. Under auto-commit their positions were committed
	// just before; the callback may commit them itself (Commit,
	// CommitConsumed see nothing of them anymore, so pass offsets to
	// Commit) until it returns.
	OnRevoked func(c *Consumer, partitions []TopicPartition)
	// OnLost gets the partitions the member lost without a valid
	// generation: the session expired, the member was removed or fenced,
	// max.poll.interval.ms passed between two Polls. Another member may own
	// them already, so nothing is committed for them.
	OnLost func(c *Consumer, partitions []TopicPartition)
	// OnTimeline gets the record of each rebalance of the member when it
	// is complete (every partition of the new assignment fetched) or
	// closed incomplete (at the next change of assignment, Unsubscribe or
	// Close): see Rebalance. It runs inside a later Poll (or Close), after
	// the OnAssigned of its rebalance; Consumer.Rebalances keeps the
	// last ones too.
	OnTimeline func(c *Consumer, r Rebalance)
}

// Subscribe joins the consumer group Config.GroupID (group.id) with
// topics, the Java client's subscribe(topics, listener): the group's
// coordinator and its leader's assignor
// (partition.assignment.strategy) decide which of the topics' partitions
// this consumer reads. It returns at once; membership starts in the
// background (heartbeats run there, whatever Poll does), and Poll performs
// the rebalances and calls l.
//
// Calling Subscribe again replaces the topics (and the listener) of the
// current subscription, which rebalances the group. An empty topics is
// Unsubscribe. It fails with ErrNoGroup without a group.id, with
// ErrAssignAndSubscribe while partitions are assigned with Assign or a
// pattern subscription runs (Unsubscribe first), and with ErrClosed.
func (c *Consumer) Subscribe(topics []string, l *RebalanceListener) error {
	topics = normalize(topics)
	for _, t := range topics {
		if t == "" {
			return errors.New("rawkafka: subscribe: empty topic name")
		}
	}
	if len(topics) == 0 {
		return c.Unsubscribe()
	}
	return c.subscribe(topics, nil, l)
}

// SubscribeRegex joins the consumer group Config.GroupID with every topic
// whose name pattern matches (Go regexp syntax, matched against the whole
// name as Java's Pattern.matcher(topic).matches() does), the Java client's
// subscribe(Pattern, listener). The consumer asks the cluster for all
// topics at least every metadata.max.age.ms, so a topic created later
// joins the subscription (and rebalances the group) within that time;
// internal topics (__consumer_offsets) are never matched. Calling it again
// replaces the pattern. It fails like Subscribe, and with ErrAssignAndSubscribe
// while a subscription to named topics runs.
func (c *Consumer) SubscribeRegex(pattern string, l *RebalanceListener) error {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return errors.New("rawkafka: subscribe: " + err.Error())
	}
	return c.subscribe(nil, re, l)
}

// Unsubscribe ends the subscription, the Java client's unsubscribe(): under
// auto-commit it commits the consumed positions, calls OnRevoked for the
// owned partitions, leaves the group as Close does (a dynamic member sends
// LeaveGroup; a static member does not) and stops fetching. Assign and
// Subscribe can be called afterwards. Without a subscription it does
// nothing. Like Close, it waits at most 5 s (or request.timeout.ms if
// shorter) for a coordinator that does not answer. Called while a Poll
// runs on another goroutine, it lets that Poll perform the revocation (and
// call OnRevoked) and returns when the membership has ended.
func (c *Consumer) Unsubscribe() error {
	return c.unsubscribe(leaveDefault)
}

// Subscription returns the subscribed topics, sorted: those given to
// Subscribe, or, with SubscribeRegex, the topics the pattern matches now
// (as far as the consumer's metadata knows them). Without a subscription
// it returns nil.
func (c *Consumer) Subscription() []string {
	s := c.sub.Load()
	if s == nil {
		return nil
	}
	if s.re.Load() == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.topics)
	}
	return slices.Clone(s.driver.Member().Topics())
}

// GroupMetadata is the consumer's place in its group (the Java client's
// ConsumerGroupMetadata): what its commits carry.
type GroupMetadata struct {
	GroupID      string // group.id
	MemberID     string // the id the coordinator gave this member; "" before the first join
	GenerationID int32  // the generation of the current assignment; -1 without one
	InstanceID   string // group.instance.id; "" for a dynamic member
	// Cooperative reports that the generation runs the cooperative
	// protocol (KIP-429): the assignor the coordinator selected for it
	// supports it (cooperative-sticky), so OnAssigned and OnRevoked get
	// only the partitions that move. False without a generation, and when
	// the group selected an eager assignor (range, with a member that
	// offers only range).
	Cooperative bool
}

// GroupMetadata returns the consumer's group, member id and generation as
// of the last rebalance Poll performed (the generation is -1 while no
// assignment is in force: before the first one, and from a revocation to
// the next assignment). Without a subscription the member id is empty and
// the generation -1.
func (c *Consumer) GroupMetadata() GroupMetadata {
	md := GroupMetadata{GroupID: c.cfg.GroupID, GenerationID: -1, InstanceID: c.cfg.GroupInstanceID}
	if s := c.sub.Load(); s != nil {
		id := s.identity()
		md.MemberID = id.MemberID
		if id.generation >= 0 {
			md.GenerationID, md.Cooperative = id.generation, id.cooperative
		}
	}
	return md
}

// CommitAsync commits offsets in the background (the Java client's
// commitAsync(offsets, callback)); nil offsets commit the consumed
// positions, as CommitConsumed does, taken now. Commits land in the order
// they were made, also among Commit, CommitConsumed and auto-commits.
// done, when not nil, is called once with the offsets and the commit's
// error on the goroutine that calls Poll, inside a later Poll (or inside
// Close, which waits for commits in flight): never concurrently with
// other callbacks. Under a subscription a stale generation fails it with
// an error matching ErrCommitFailed.
func (c *Consumer) CommitAsync(offsets map[TopicPartition]CommittedOffset, done func(map[TopicPartition]CommittedOffset, error)) {
	c.commitAsync(offsets, done)
}

// CloseLeave closes the consumer as Close does, but a static member
// (group.instance.id) leaves its group too, so that its partitions move to
// the other members at once instead of after session.timeout.ms (the Java
// client's close(CloseOptions.groupMembershipOperation(LEAVE_GROUP))).
func (c *Consumer) CloseLeave() error { return c.close(leaveGroup) }

// ErrAssignAndSubscribe is returned by Assign while a subscription runs, and by
// Subscribe or SubscribeRegex while partitions are assigned by hand or the
// other kind of subscription runs: they exclude each other, as in the
// Java client. Unsubscribe first (or Assign an empty set).
var ErrAssignAndSubscribe = errors.New("rawkafka: Assign, Subscribe and SubscribeRegex exclude each other: Unsubscribe (or Assign nothing) first")

// ErrCommitFailed matches every commit that failed because the member's
// place in the group is not what it claimed: a stale generation, an
// unknown member, a rebalance in progress, a fenced instance (the Java
// client's CommitFailedException and RebalanceInProgressException).
// Nothing of such a commit was stored. It also matches commit.ErrCommitFailed.
var ErrCommitFailed = &mappedError{"rawkafka: commit failed: the member's generation is no longer the group's (a rebalance moved its partitions)", errCommitFailedCommit}

// ErrPollIntervalExceeded is returned by the first Poll after the
// application went longer than max.poll.interval.ms without calling Poll:
// the member had left its group (a dynamic member with LeaveGroup, a static
// one by letting its heartbeats stop), its partitions were reported lost
// (OnLost) and it rejoins with this Poll. It also matches
// group.ErrPollIntervalExceeded.
var ErrPollIntervalExceeded = &mappedError{"rawkafka: max.poll.interval.ms exceeded between two Polls: the member left its group, lost its partitions and rejoins", errPollIntervalGroup}

// ErrGroupFailed matches the error Poll returns when the group
// membership ended for good (the Java client's fatal exceptions): another
// consumer uses the same group.instance.id (FENCED_INSTANCE_ID: the error
// says so), the group is not authorized, the group is full, the
// coordinator refused the protocol or the session timeout. The Kafka error
// is wrapped too (errors.Is(err, protocol.ErrFencedInstanceId)). Every later
// Poll returns the same error; Unsubscribe or Close end the subscription,
// and Subscribe returns the error until then.
var ErrGroupFailed = errors.New("rawkafka: the consumer group membership failed")

// leaveMode says whether closing a subscription sends LeaveGroup.
type leaveMode uint8

const (
	leaveDefault leaveMode = iota // dynamic: internal.leave.group.on.close; static: no
	leaveGroup                    // leave, static or not (CloseLeave)
)

// normalize returns topics sorted and distinct, in a new slice.
func normalize(topics []string) []string {
	t := slices.Clone(topics)
	slices.Sort(t)
	return slices.Compact(t)
}

package rawkafka

import (
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/group"
)

// Rebalance is the timeline of one rebalance of the consumer's group
// membership: when and why it began, how long the JoinGroup and SyncGroup
// took, what it revoked, assigned and kept, and, for every partition
// concerned, how long it went without being fetched (its stall). It is
// what USE-CASES.md asks users to measure, per partition.
//
// A Rebalance is complete once every partition of the new assignment has
// had a Fetch response (without error) since the assignment was applied;
// at the next rebalance's change of assignment, at Unsubscribe or at Close
// one still waiting is closed as it is (Complete false, Waiting listing
// the partitions without a response, their stall running to Completed). A
// paused partition is not fetched, so it keeps its record waiting.
//
// A Rebalance is delivered when it is complete (or closed): to the
// RebalanceListener's OnTimeline, inside Poll, and to the history that
// Consumer.Rebalances returns. Its slices are shared with that history:
// read them, do not modify them.
type Rebalance struct {
	// Cause is why it began (group.CauseFirstJoin,
	// group.CauseRebalanceInProgress, ...), Triggered when: the event the
	// group machine acted on (the heartbeat answer, Subscribe, the
	// metadata that changed, the Poll that came too late...).
	Cause     RebalanceCause
	Triggered time.Time

	// GenerationBefore is the generation of the assignment in force when
	// it began (-1 without one: the first join, or a membership lost);
	// GenerationAfter the generation it ended in (-1 if it never got
	// one).
	GenerationBefore int32
	GenerationAfter  int32
	MemberID         string // the member id of GenerationAfter
	Leader           bool   // this member led GenerationAfter and ran the assignor
	Assignor         string // the assignor the group chose (range, cooperative-sticky...)
	Protocol         string // how this member rebalanced: "eager" or "cooperative"

	// JoinGroups counts the JoinGroup requests it sent (a retry, such as
	// MEMBER_ID_REQUIRED's, counts). JoinSent is when the first went out,
	// Joined when one was answered without error; SyncSent when the
	// SyncGroup that completed it went out (the leader's after its
	// assignor ran) and Synced when it was answered; Applied when the new
	// assignment was in force (Poll started fetching the partitions
	// added); Completed when the record was complete or closed. A time
	// that never came is zero.
	JoinGroups int
	JoinSent   time.Time
	Joined     time.Time
	SyncSent   time.Time
	Synced     time.Time
	Applied    time.Time
	Completed  time.Time

	// Revoked are the partitions given up (their commit made first under
	// auto-commit), Lost those given up without a valid generation;
	// Assigned the partitions added, Kept the partitions owned before and
	// after, fetched throughout (cooperative only: eager revokes
	// everything). Each is sorted.
	Revoked  []TopicPartition
	Lost     []TopicPartition
	Assigned []TopicPartition
	Kept     []TopicPartition
	// Stalls has one entry per partition of those four lists, sorted by
	// partition; a partition revoked and assigned again (eager) has the
	// assignment's.
	Stalls []PartitionStall

	// Complete says every partition of the new assignment was fetched;
	// otherwise Waiting lists those that were not.
	Complete bool
	Waiting  []TopicPartition
}

// RebalanceCause is why a rebalance began: the group package's Cause
// (group.CauseFirstJoin, group.CauseRebalanceInProgress, ...). Its String
// names it.
type RebalanceCause = group.Cause

// JoinTime is the time from the first JoinGroup to the answer that let the
// member in (the coordinator holds it until every member has joined);
// 0 when it did not get that far.
func (r *Rebalance) JoinTime() time.Duration { return span(r.JoinSent, r.Joined) }

// SyncTime is the SyncGroup's round trip; 0 when there was none.
func (r *Rebalance) SyncTime() time.Duration { return span(r.SyncSent, r.Synced) }

// Total is the time from the trigger to the new assignment in force
// (Applied); 0 when it never was.
func (r *Rebalance) Total() time.Duration { return span(r.Triggered, r.Applied) }

func span(from, to time.Time) time.Duration {
	if from.IsZero() || to.IsZero() {
		return 0
	}
	return to.Sub(from)
}

// PartitionStall is how long one partition went without being fetched in
// a rebalance:
//   - Kept: the longest time between two Fetch responses covering it, from
//     the last one before the trigger to the first after the new
//     assignment was applied;
//   - Assigned: from the trigger to its first Fetch response;
//   - Revoked, Lost: from its last Fetch response to the revocation (from
//     the trigger when it had none).
//
// Waiting says it had no response yet when the record was closed
// incomplete: its stall runs to Rebalance.Completed.
type PartitionStall struct {
	TopicPartition
	Change  PartitionChange
	Stall   time.Duration
	Waiting bool
}

// PartitionChange is what a rebalance did to a partition.
type PartitionChange uint8

// What a rebalance did to a partition.
const (
	PartitionKept PartitionChange = iota
	PartitionAssigned
	PartitionRevoked
	PartitionLost
)

// String names the change: kept, assigned, revoked, lost.
func (c PartitionChange) String() string {
	switch c {
	case PartitionKept:
		return "kept"
	case PartitionAssigned:
		return "assigned"
	case PartitionRevoked:
		return "revoked"
	case PartitionLost:
		return "lost"
	}
	return "PartitionChange(" + strconv.Itoa(int(c)) + ")"
}

// rebalanceHistory is how many Rebalances Consumer.Rebalances keeps.
const rebalanceHistory = 32

// history is the Consumer's last Rebalances, oldest first; it outlives
// subscriptions.
type history struct {
	mu   sync.Mutex
	recs []Rebalance
}

func (h *history) add(r Rebalance) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.recs) == rebalanceHistory {
		h.recs = slices.Delete(h.recs, 0, 1)
	}
	h.recs = append(h.recs, r)
}

// Rebalances returns the records of the consumer's last rebalances (at
// most 32, across subscriptions), oldest first, each complete or closed
// incomplete; the one under way is not among them. The Java client has no
// such thing; it is the per-partition view behind the rebalance metrics.
// A record is also given to RebalanceListener.OnTimeline when it completes.
func (c *Consumer) Rebalances() []Rebalance {
	c.hist.mu.Lock()
	defer c.hist.mu.Unlock()
	return slices.Clone(c.hist.recs)
}

package group

import (
	"strconv"
	"time"
)

// Cause is why a member began a rebalance: the trigger of a (re)join. The
// machine records it where it decides to rejoin, with the Now of that
// event (Member.Trigger), so that the Consumer can say when and why each
// rebalance began (its rebalance timeline).
type Cause uint8

// The causes the machine knows. A JoinGroup retried within a rebalance
// (MEMBER_ID_REQUIRED, REBALANCE_IN_PROGRESS on SyncGroup, a coordinator
// lost during the join) belongs to the rebalance already under way and has
// no cause of its own. A commit refused with REBALANCE_IN_PROGRESS does not
// make this member rejoin (the next heartbeat hears of the rebalance), and
// losing the coordinator while Stable keeps the membership: neither is a
// cause here.
const (
	CauseNone                          Cause = iota // no rebalance under way
	CauseFirstJoin                                  // Start: the member's first join
	CauseRebalanceInProgress                        // the coordinator answered a heartbeat with REBALANCE_IN_PROGRESS
	CauseSubscriptionChanged                        // SubscriptionChanged (subscribe with other topics)
	CausePatternMatched                             // a pattern subscription (Config.Match) matches other topics
	CauseMetadataChanged                            // the leader saw another partition count for a topic it assigned from
	CausePollInterval                               // max.poll.interval.ms passed without a Poll
	CauseRevokedRejoin                              // cooperative: the follow-up join after a SyncGroup revoked partitions
	CauseUnknownMember                              // a heartbeat answered UNKNOWN_MEMBER_ID: the membership is gone
	CauseIllegalGeneration                          // a heartbeat answered ILLEGAL_GENERATION: the generation moved on
	CauseChangedDuringRebalance                     // the subscription or the leader's metadata changed while the last round ran
	CauseAssignmentOutsideSubscription              // the assignment named topics outside the subscription

	numCauses // not a cause: the number of causes, for tests
)

var causeNames = [numCauses]string{
	CauseNone:                          "none",
	CauseFirstJoin:                     "first join",
	CauseRebalanceInProgress:           "rebalance in progress (heartbeat)",
	CauseSubscriptionChanged:           "subscription changed",
	CausePatternMatched:                "pattern matched other topics",
	CauseMetadataChanged:               "metadata changed (leader)",
	CausePollInterval:                  "max.poll.interval.ms exceeded",
	CauseRevokedRejoin:                 "cooperative rejoin after revoke",
	CauseUnknownMember:                 "unknown member id",
	CauseIllegalGeneration:             "illegal generation",
	CauseChangedDuringRebalance:        "changed during the last rebalance",
	CauseAssignmentOutsideSubscription: "assignment outside the subscription",
}

// String names the cause, e.g. "rebalance in progress (heartbeat)".
func (c Cause) String() string {
	if c < numCauses {
		return causeNames[c]
	}
	return "Cause(" + strconv.Itoa(int(c)) + ")"
}

// Trigger is when and why the rebalance under way began.
type Trigger struct {
	Cause Cause
	At    time.Time // the Now of the event that began it
}

// Trigger returns the trigger of the rebalance under way: set when the
// member decides to (re)join and kept through every retry of the round,
// until the SyncGroup that completes it (whose Assign it produced); the
// zero Trigger while none is under way. A round that completes and
// rejoins at once (cooperative revoke) has the new round's trigger after
// that step.
func (m Member) Trigger() Trigger { return m.trigger }

// triggered records the trigger of a rebalance beginning at now, unless one
// is under way already (a retry within the round keeps the first).
func (s *step) triggered(now time.Time, c Cause) {
	if s.m.trigger.Cause == CauseNone {
		s.m.trigger = Trigger{Cause: c, At: now}
	}
}

package group

import (
	"cmp"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// Event is an input to Member.Step: a response, a timer tick, or something
// the Consumer did. The set is closed: only the types in this file are
// events (TestEveryEventHasARow finds them by their isEvent method).
type Event interface{ isEvent() }

// Start begins membership: find the coordinator, then join.
type Start struct {
	Now    time.Time
	Topics []string // the subscription; ignored when Config.Match is set
}

// CoordinatorFound answers FindCoordinator: the driver now talks to that
// broker (the machine only needs to know that it has one).
type CoordinatorFound struct {
	Now    time.Time
	NodeID int32
}

// CoordinatorFailed answers FindCoordinator with an error: a Kafka error
// (protocol.Error) from the response, or a connection error.
type CoordinatorFailed struct {
	Now time.Time
	Err error
}

// JoinResponse answers SendJoin (JoinGroup).
type JoinResponse struct {
	Now            time.Time
	Err            error   // nil, or a protocol.Error from ErrorCode
	MemberID       string  // the id to use from now on (also with MEMBER_ID_REQUIRED)
	Generation     int32   // -1 on error
	Leader         string  // the leader's member id
	ProtocolType   *string // v7+; nil when the version cannot carry it
	ProtocolName   *string // the chosen assignor; nil only in v7+ on error
	SkipAssignment bool    // v9+: a static leader rejoining must not reassign (KIP-814)
	Members        []protocol.JoinGroupResponseMember
}

// AssignmentComputed answers ComputeAssignment: the leader's assignor ran
// (outside the machine, with whatever metadata it needed).
type AssignmentComputed struct {
	Now        time.Time
	Generation int32 // from ComputeAssignment, so a late answer is ignored
	// Assignments is every member's ConsumerProtocolAssignment, encoded.
	Assignments []protocol.SyncGroupRequestAssignment
	// PartitionCounts are the partition counts the assignor assigned from;
	// the leader rejoins when MetadataChanged reports others. The member
	// keeps the map: do not modify it afterwards.
	PartitionCounts map[string]int32
	Err             error // the assignor failed: fatal, as in the Java client
}

// SyncResponse answers SendSync (SyncGroup).
type SyncResponse struct {
	Now          time.Time
	Generation   int32 // from SendSync, so a late answer is ignored
	Err          error
	ProtocolType *string // v5+
	ProtocolName *string // v5+
	Assignment   []byte  // this member's ConsumerProtocolAssignment
}

// HeartbeatResponse answers SendHeartbeat.
type HeartbeatResponse struct {
	Now time.Time
	// Generation and MemberID are those SendHeartbeat carried: an error for
	// a generation the member has left behind is ignored, as in Java.
	Generation int32
	MemberID   string
	Err        error
}

// LeaveResponse answers SendLeave. Whatever its error, the member is gone.
type LeaveResponse struct {
	Now time.Time
	Err error
}

// RequestFailed says a request got no response: the connection broke or
// the request timed out. API says which request (protocol.KeyJoinGroup...).
type RequestFailed struct {
	Now time.Time
	API protocol.APIKey
	Err error
}

// Tick is the passing of time: the driver sends one when the timer of the
// last ScheduleTimer fires (extra ticks are harmless).
type Tick struct{ Now time.Time }

// Poll says the Consumer's user called Poll (max.poll.interval.ms restarts).
type Poll struct{ Now time.Time }

// SubscriptionChanged replaces the subscribed topics (subscribe(topics)).
type SubscriptionChanged struct {
	Now    time.Time
	Topics []string
}

// MetadataChanged gives the topics' partition counts as the Consumer's
// metadata now sees them: for the leader, every topic it assigned from
// (Member.AssignedFrom, the whole group's subscription), with 0 for a
// topic that no longer exists (PartitionCounts(md, topics) gives that). A
// topic left out is unknown, not deleted: it is not compared. With
// Config.Match, every topic of the cluster. The member keeps the map: do
// not modify it afterwards.
type MetadataChanged struct {
	Now             time.Time
	PartitionCounts map[string]int32
}

// RevokeDone says the Consumer performed the last Revoke or Lose (and the
// CommitBeforeRevoke before it).
type RevokeDone struct{ Now time.Time }

// Close ends membership; Leave says whether LeaveGroup is sent.
type Close struct {
	Now   time.Time
	Leave LeaveMode
}

// LeaveMode says whether Close sends LeaveGroup (KIP-1092's
// GroupMembershipOperation).
type LeaveMode uint8

const (
	// LeaveDefault: a dynamic member leaves, a static member stays (it is
	// expected back within session.timeout.ms).
	LeaveDefault LeaveMode = iota
	// LeaveGroup: leave now, static or not.
	LeaveGroup
	// RemainInGroup: do not leave (the Java client's
	// internal.leave.group.on.close=false for a dynamic member).
	RemainInGroup
)

func (Start) isEvent()               {}
func (CoordinatorFound) isEvent()    {}
func (CoordinatorFailed) isEvent()   {}
func (JoinResponse) isEvent()        {}
func (AssignmentComputed) isEvent()  {}
func (SyncResponse) isEvent()        {}
func (HeartbeatResponse) isEvent()   {}
func (LeaveResponse) isEvent()       {}
func (RequestFailed) isEvent()       {}
func (Tick) isEvent()                {}
func (Poll) isEvent()                {}
func (SubscriptionChanged) isEvent() {}
func (MetadataChanged) isEvent()     {}
func (RevokeDone) isEvent()          {}
func (Close) isEvent()               {}

// stampable is an event the Consumer sends, possibly without a time: the
// Driver stamps it with its clock on arrival.
type stampable interface{ stamp(now time.Time) Event }

func (e Poll) stamp(now time.Time) Event                { e.Now = cmp.Or(e.Now, now); return e }
func (e SubscriptionChanged) stamp(now time.Time) Event { e.Now = cmp.Or(e.Now, now); return e }
func (e MetadataChanged) stamp(now time.Time) Event     { e.Now = cmp.Or(e.Now, now); return e }
func (e RevokeDone) stamp(now time.Time) Event          { e.Now = cmp.Or(e.Now, now); return e }
func (e Close) stamp(now time.Time) Event               { e.Now = cmp.Or(e.Now, now); return e }

package group

import (
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// Action is an output of Member.Step, for the driver or the Consumer to
// perform in the order given. The set is closed: only the types in this
// file are actions. Slices in an action may be shared with the Member:
// read them, do not modify them.
type Action interface{ isAction() }

// FindCoordinator asks for the group's coordinator; answer with
// CoordinatorFound, CoordinatorFailed or RequestFailed.
type FindCoordinator struct{ Group string }

// SendJoin asks for a JoinGroup; answer with JoinResponse or RequestFailed.
type SendJoin struct {
	Group            string
	MemberID         string // empty on a first join
	InstanceID       string // empty for a dynamic member
	SessionTimeout   time.Duration
	RebalanceTimeout time.Duration
	ProtocolType     string
	Protocols        []JoinProtocol // in order of preference
	Reason           string         // why (re)joining, JoinGroup v8+
}

// JoinProtocol is one protocol of a JoinGroup: an assignor's name and the
// subscription sent with it (the driver encodes it as the protocol's
// metadata). Every protocol has its own, as each assignor adds its user
// data.
type JoinProtocol struct {
	Name         string
	Subscription protocol.ConsumerProtocolSubscription
}

// ComputeAssignment says this member leads generation Generation: run the
// assignor named Protocol over Members' subscriptions and answer with
// AssignmentComputed.
//
// With SkipAssignment (KIP-814: a static leader rejoined a stable group,
// which keeps its assignment) no assignor runs: answer with the partition
// counts of the topics Members subscribe to and no assignments, so that
// the leader watches the group's topics as Java's leader does (it updates
// the group subscription before it looks at skipAssignment).
type ComputeAssignment struct {
	Generation     int32
	Protocol       string
	Members        []protocol.JoinGroupResponseMember
	SkipAssignment bool
}

// SendSync asks for a SyncGroup (the leader with every assignment, a
// follower with none); answer with SyncResponse or RequestFailed.
type SendSync struct {
	Group        string
	Generation   int32
	MemberID     string
	InstanceID   string
	ProtocolType string
	Protocol     string
	Assignments  []protocol.SyncGroupRequestAssignment
}

// SendHeartbeat asks for a Heartbeat; answer with HeartbeatResponse
// (echoing Generation and MemberID) or RequestFailed.
type SendHeartbeat struct {
	Group      string
	Generation int32
	MemberID   string
	InstanceID string
}

// SendLeave asks for a LeaveGroup. In Leaving the machine waits for
// LeaveResponse or RequestFailed; elsewhere (poll interval exceeded) it
// does not wait, and the answer is ignored.
type SendLeave struct {
	Group      string
	MemberID   string
	InstanceID string
	Reason     string
}

// CommitBeforeRevoke asks the Consumer to commit the consumed positions of Partitions
// synchronously, with Generation and MemberID, before the Revoke that
// follows (enable.auto.commit). A failed commit does not stop the revoke.
type CommitBeforeRevoke struct {
	Partitions []protocol.TopicPartition
	Generation int32
	MemberID   string
}

// Revoke asks the Consumer to stop fetching Partitions and call the
// listener's OnRevoked, then to send RevokeDone. The member may still commit them until RevokeDone.
//
// Incremental (cooperative, KIP-429) says the member keeps its membership
// and every owned partition not in Partitions: the Consumer keeps the
// commit identity (member id and generation) and keeps fetching,
// delivering and committing the other partitions. Without it (eager, or
// Close) the revoke ends the Consumer's use of the generation.
//
// Generation and MemberID are the membership that OnRevoked's commits
// carry: for a cooperative revoke after SyncGroup, the new generation's
// (Java's onJoinComplete runs with the generation of the JoinGroup just
// answered), which is also the identity the kept partitions commit with
// from then on.
type Revoke struct {
	Partitions  []protocol.TopicPartition
	Incremental bool
	Generation  int32
	MemberID    string
}

// Assign asks the Consumer to start fetching Partitions and call OnAssigned. Partitions are
// the ones added (for eager, the whole assignment). Generation and MemberID
// are the membership the assignment belongs to: the identity the
// Consumer's commits carry from now until the next Revoke or Lose.
type Assign struct {
	Partitions []protocol.TopicPartition
	Generation int32
	MemberID   string
	// Rebalance is the generation's rebalance protocol (Member.Rebalance):
	// what the Consumer reports in GroupMetadata.
	Rebalance assignor.RebalanceProtocol
}

// Lose says the membership is gone and another member may own Partitions
// now: the Consumer stops fetching them, does not commit them, calls
// OnLost, then sends RevokeDone.
type Lose struct {
	Partitions []protocol.TopicPartition
	Reason     error
}

// ScheduleTimer asks for a Tick at At (it replaces any earlier timer). A zero
// At cancels the timer.
type ScheduleTimer struct{ At time.Time }

// Fail reports a fatal error: the member is Failed and the Consumer reports Err
// from Poll.
type Fail struct{ Err error }

func (FindCoordinator) isAction()    {}
func (SendJoin) isAction()           {}
func (ComputeAssignment) isAction()  {}
func (SendSync) isAction()           {}
func (SendHeartbeat) isAction()      {}
func (SendLeave) isAction()          {}
func (CommitBeforeRevoke) isAction() {}
func (Revoke) isAction()             {}
func (Assign) isAction()             {}
func (Lose) isAction()               {}
func (ScheduleTimer) isAction()      {}
func (Fail) isAction()               {}

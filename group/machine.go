package group

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// noGeneration is the generation of a member outside any generation.
const noGeneration int32 = -1

// Member is the whole state of one classic-protocol group member: a value,
// stepped by Step. It holds no connection, no clock and no goroutine.
// Slices and maps inside it are never modified in place, so an old Member
// stays valid after Step.
type Member struct {
	cfg   Config
	state State

	// The membership (Java's Generation).
	memberID   string
	generation int32
	protocol   string
	// rebalance is the rebalance protocol of the generation joined last:
	// that of the assignor it selected (rebalanceOf), which decides how
	// the next join treats the owned partitions (prepareJoin). Before the
	// first generation it is that of the first configured assignor.
	rebalance assignor.RebalanceProtocol
	leader    string // the leader's member id
	topics    []string
	// joinedTopics are the topics of the last JoinGroup: a subscription
	// that changed during the round makes the member rejoin after it.
	joinedTopics []string
	// metadata is the last MetadataChanged snapshot.
	metadata map[string]int32
	owned    []protocol.TopicPartition // sorted
	// assigned and assignedGen are the last SyncGroup's assignment and its
	// generation, kept when the partitions are revoked or lost: an eager
	// member joins owning nothing, and its sticky user data says what it
	// had (Java's StickyAssignor keeps memberAssignment for this).
	assigned    []protocol.TopicPartition
	assignedGen int32
	// assignedFrom are the partition counts this member assigned from as
	// leader (nil for a follower).
	assignedFrom map[string]int32
	// skipAssignment: this leader was told to keep the group's assignment
	// (KIP-814); its ComputeAssignment only counts partitions.
	skipAssignment bool

	coordinator bool   // a coordinator is known
	rejoin      bool   // a (re)join is needed once the current step allows
	reason      string // why rejoin was set, for JoinGroup's reason
	closing     bool   // Close was seen while Revoking
	leave       bool   // with closing: send LeaveGroup after RevokeDone
	lost        error  // in Unjoined: why the owned partitions are lost

	// inFlight: the request of the state (FindCoordinator, JoinGroup,
	// SyncGroup, LeaveGroup) is outstanding; when false in
	// FindingCoordinator or Joining, the member waits for retryAt.
	inFlight bool
	attempts int // failed attempts in a row, for the backoff
	retryAt  time.Time
	rng      uint64 // the jitter's random state (splitmix64), a value like the rest

	hbInFlight bool
	hbDue      time.Time // next heartbeat
	// fastGap is the wait before the next of the quick heartbeats that
	// follow a cooperative round (fastCheckFirst, doubling up to
	// HeartbeatInterval); zero when heartbeats keep their interval.
	fastGap    time.Duration
	hbGrid     time.Time // the first regular heartbeat after the quick ones
	sessionEnd time.Time // the session as the client sees it
	lastPoll   time.Time
	timer      time.Time // the last ScheduleTimer
	err        error     // in Failed

	trigger Trigger // when and why the rebalance under way began (trigger.go)
}

// New returns an Idle member; Start begins.
func New(cfg Config) (Member, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Member{}, err
	}
	cfg.Assignors = slices.Clone(cfg.Assignors)
	seed := cfg.Seed
	if seed == 0 {
		// New is the constructor, not the transition function: the one
		// place randomness may enter. Step stays deterministic from here.
		seed = rand.Uint64()
	}
	first, _ := rebalanceOf(cfg.Assignors[0]) // validated
	return Member{cfg: cfg, generation: noGeneration, rebalance: first, rng: seed}, nil
}

// Step is the transition function: it returns the member after ev and the
// actions to perform, in order. It does no I/O and reads no clock; every
// time it compares comes from an event.
func (m Member) Step(ev Event) (Member, []Action) {
	s := &step{m: m}
	s.dispatch(ev)
	s.scheduleTimer()
	return s.m, s.out
}

// step is one transition under way: the member being changed and the
// actions emitted so far.
type step struct {
	m   Member
	out []Action
}

func (s *step) emit(a ...Action) { s.out = append(s.out, a...) }

func (s *step) dispatch(ev Event) {
	m := &s.m
	if m.state == Closed {
		return
	}
	if m.state == Failed {
		if c, ok := ev.(Close); ok {
			s.onClose(c)
		}
		return
	}
	switch ev := ev.(type) {
	case Start:
		s.onStart(ev)
	case CoordinatorFound:
		s.onCoordinatorFound(ev)
	case CoordinatorFailed:
		s.onCoordinatorFailed(ev.Now, ev.Err)
	case JoinResponse:
		s.onJoinResponse(ev)
	case AssignmentComputed:
		s.onAssignmentComputed(ev)
	case SyncResponse:
		s.onSyncResponse(ev)
	case HeartbeatResponse:
		s.onHeartbeatResponse(ev)
	case LeaveResponse:
		s.onLeaveDone()
	case RequestFailed:
		s.onRequestFailed(ev)
	case Tick:
		s.onTick(ev.Now)
	case Poll:
		s.onPoll(ev)
	case SubscriptionChanged:
		s.onSubscriptionChanged(ev.Now, ev.Topics)
	case MetadataChanged:
		s.onMetadataChanged(ev)
	case RevokeDone:
		s.onRevokeDone(ev.Now)
	case Close:
		s.onClose(ev)
	}
}

// enter moves to st.
func (s *step) enter(st State) { s.m.state = st }

// fail moves to Failed: owned partitions are lost (the Consumer must stop
// reading them now), then Fail.
func (s *step) fail(err error) {
	m := &s.m
	if len(m.owned) > 0 {
		s.emit(Lose{Partitions: m.owned, Reason: err})
		m.owned = nil
	}
	m.err = err
	m.inFlight, m.hbInFlight = false, false
	s.enter(Failed)
	s.emit(Fail{Err: err})
}

// The membership accessors, for the driver, the Consumer and logs.

// State returns the member's state.
func (m Member) State() State { return m.state }

// MemberID returns the member id ("" before the first JoinGroup answer).
func (m Member) MemberID() string { return m.memberID }

// Generation returns the generation, -1 outside one.
func (m Member) Generation() int32 { return m.generation }

// Protocol returns the assignor the group chose in this generation.
func (m Member) Protocol() string { return m.protocol }

// Rebalance returns the rebalance protocol of the member's generation:
// assignor.Cooperative when the assignor the coordinator selected for it
// (Protocol) supports it, else assignor.Eager. It is the protocol of the
// last generation joined, kept when that generation is lost, and before
// the first one that of the first configured assignor (the one the
// member votes for). The next join follows it: eager revokes everything
// first, cooperative keeps the owned partitions.
func (m Member) Rebalance() assignor.RebalanceProtocol { return m.rebalance }

// AssignedFrom returns the partition counts this member assigned from as
// the leader of the current generation (nil for a follower): the topics
// the Consumer's MetadataChanged must cover, since the leader rejoins when
// one of them has another count (a missing topic counts as 0). Do not
// modify it.
func (m Member) AssignedFrom() map[string]int32 { return m.assignedFrom }

// Leader reports whether this member leads the current generation.
func (m Member) Leader() bool { return m.leader != "" && m.leader == m.memberID }

// Owned returns the partitions the member owns (do not modify).
func (m Member) Owned() []protocol.TopicPartition { return m.owned }

// Topics returns the subscribed topics, sorted (do not modify).
func (m Member) Topics() []string { return m.topics }

// Err returns the fatal error of a Failed member.
func (m Member) Err() error { return m.err }

// Config returns the configuration with its defaults filled in.
func (m Member) Config() Config { return m.cfg }

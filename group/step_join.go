package group

import (
	"errors"
	"fmt"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// prepareJoin starts a (re)join, as the protocol of the member's
// generation says (Member.Rebalance). Eager: everything owned is revoked first
// (CommitBeforeRevoke, then Revoke) — or lost (Lose) when the generation is
// gone, since a commit would fail and another member may own the
// partitions already — and the JoinGroup waits for RevokeDone.
//
// Cooperative (KIP-429, Java's onJoinPrepare for COOPERATIVE): with the
// generation gone everything owned is lost, as in eager; otherwise only the
// owned partitions of topics no longer subscribed are revoked (with their
// commit) and the JoinGroup waits for that RevokeDone; the rest stay owned
// and the JoinGroup goes out at once, carrying them in the subscription.
// Through the rebalance the Consumer keeps fetching, delivering and
// committing the kept partitions with the old generation (a commit the
// coordinator refuses, REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION, fails
// with ErrCommitFailed and changes no ownership); the leader gives none of
// them to another member in this round (validateCooperative).
func (s *step) prepareJoin(now time.Time) {
	m := &s.m
	m.rejoin = true
	m.fastGap = 0
	if len(m.owned) > 0 {
		if m.rebalance != assignor.Cooperative || m.generation == noGeneration || m.memberID == "" {
			s.revokeOwned()
			s.enter(Revoking)
			return
		}
		if gone := outside(m.owned, m.topics); len(gone) > 0 {
			s.revokeSome(gone)
			s.enter(Revoking)
			return
		}
	}
	if !m.coordinator {
		s.enter(FindingCoordinator)
		s.sendFind()
		return
	}
	s.sendJoin()
}

// revokeSome emits the cooperative revoke of some owned partitions, with
// their commit in the current generation, and forgets them; the member
// keeps the rest and its membership.
func (s *step) revokeSome(tps []protocol.TopicPartition) {
	m := &s.m
	if m.cfg.AutoCommit {
		s.emit(CommitBeforeRevoke{Partitions: tps, Generation: m.generation, MemberID: m.memberID})
	}
	s.emit(Revoke{Partitions: tps, Incremental: true, Generation: m.generation, MemberID: m.memberID})
	m.owned = minus(m.owned, tps)
}

// rejoinReset rejoins after resetGeneration in Joining or AwaitingSync.
// Eager owns nothing there, so it joins at once; a cooperative member
// that kept partitions through the round has lost them (another member
// may get them in the next generation), so prepareJoin reports them lost
// and joins after RevokeDone.
func (s *step) rejoinReset(now time.Time) { s.prepareJoin(now) }

// revokeOwned emits the revoke (or loss) of every owned partition.
func (s *step) revokeOwned() {
	m := &s.m
	if m.generation == noGeneration || m.memberID == "" {
		reason := m.lost
		if reason == nil {
			reason = errors.New("group: the membership was lost")
		}
		s.emit(Lose{Partitions: m.owned, Reason: reason})
	} else {
		if m.cfg.AutoCommit {
			s.emit(CommitBeforeRevoke{Partitions: m.owned, Generation: m.generation, MemberID: m.memberID})
		}
		s.emit(Revoke{Partitions: m.owned, Generation: m.generation, MemberID: m.memberID})
	}
	m.owned, m.lost = nil, nil
}

// onRevokeDone goes on after the Consumer's revoke: close, or join.
func (s *step) onRevokeDone(now time.Time) {
	m := &s.m
	if m.state != Revoking {
		return
	}
	if m.closing {
		if len(m.owned) > 0 {
			// Cooperative: Close came during an incremental revoke;
			// the partitions kept are revoked (or lost) now.
			s.revokeOwned()
			return
		}
		s.finishClose()
		return
	}
	s.prepareJoin(now)
}

func (s *step) sendJoin() {
	m := &s.m
	s.enter(Joining)
	m.inFlight, m.hbInFlight = true, false
	m.joinedTopics = m.topics
	s.emit(SendJoin{
		Group:            m.cfg.Group,
		MemberID:         m.memberID,
		InstanceID:       m.cfg.InstanceID,
		SessionTimeout:   m.cfg.SessionTimeout,
		RebalanceTimeout: m.cfg.MaxPollInterval,
		ProtocolType:     ProtocolType,
		Protocols:        m.joinProtocols(),
		Reason:           m.reason,
	})
}

// joinProtocols is what Java's ConsumerCoordinator.metadata() sends: one
// protocol per configured assignor, in order of preference, each with its
// own subscription carrying that assignor's user data. The subscription is
// the newest version (3: owned partitions, generation, rack) whatever the
// JoinGroup version, since the broker does not read it; older members
// read the fields they know.
func (m *Member) joinProtocols() []JoinProtocol {
	var rack *string
	if m.cfg.Rack != "" {
		r := m.cfg.Rack
		rack = &r
	}
	owned := grouped(m.owned)
	self := assignor.Member{
		ID:         m.memberID,
		InstanceID: m.cfg.InstanceID,
		Topics:     m.topics,
		Owned:      m.owned,
		Generation: m.generation,
		Rack:       m.cfg.Rack,
	}
	// The user data tells what the member had: what it owns, or when it
	// owns nothing (an eager member revoked everything before this join,
	// or it lost its partitions) the last assignment and its generation,
	// as Java's assignors remember them from onAssignment. A claim of an
	// older generation loses to a newer one, so a stale one is harmless.
	had := self
	if len(m.owned) == 0 && m.assigned != nil {
		had.Owned, had.Generation = m.assigned, m.assignedGen
	}
	out := make([]JoinProtocol, len(m.cfg.Assignors))
	for i, a := range m.cfg.Assignors {
		out[i] = JoinProtocol{Name: a.Name(), Subscription: protocol.ConsumerProtocolSubscription{
			Version:         protocol.ConsumerProtocolMaxVersion,
			Topics:          m.topics,
			UserData:        a.SubscriptionUserData(had),
			OwnedPartitions: owned,
			GenerationId:    m.generation,
			RackId:          rack,
		}}
	}
	return out
}

// resetGeneration forgets the generation (ILLEGAL_GENERATION) and, with
// memberToo, the member id (UNKNOWN_MEMBER_ID), as Java's
// resetStateAndGeneration does.
func (s *step) resetGeneration(memberToo bool, why error) {
	m := &s.m
	m.generation, m.protocol, m.leader, m.assignedFrom = noGeneration, "", "", nil
	if memberToo {
		m.memberID = ""
	}
	m.lost = why
	m.reason = fmt.Sprintf("encountered %v", why)
}

// onJoinResponse handles JoinGroup's answer (see the table in doc.go).
func (s *step) onJoinResponse(ev JoinResponse) {
	m := &s.m
	if m.state != Joining || !m.inFlight {
		return
	}
	m.inFlight = false
	switch err := ev.Err; {
	case err == nil:
		s.joined(ev)
	case errors.Is(err, protocol.ErrMemberIdRequired):
		// KIP-394: the broker gave us an id; join again at once with it.
		m.memberID, m.generation = ev.MemberID, noGeneration
		m.reason = "need to re-join with the given member-id: " + ev.MemberID
		s.rejoinReset(ev.Now) // a member with partitions has none of this id's
	case errors.Is(err, protocol.ErrUnknownMemberId):
		s.resetGeneration(true, err)
		s.rejoinReset(ev.Now)
	case errors.Is(err, protocol.ErrRebalanceInProgress):
		s.sendJoin()
	case errors.Is(err, protocol.ErrCoordinatorLoadInProgress):
		s.retryLater(ev.Now)
	case errors.Is(err, protocol.ErrNotCoordinator), errors.Is(err, protocol.ErrCoordinatorNotAvailable):
		s.coordinatorLost(ev.Now, true)
	default:
		// FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED,
		// GROUP_MAX_SIZE_REACHED, INCONSISTENT_GROUP_PROTOCOL,
		// INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, UNSUPPORTED_VERSION and
		// anything unexpected: fatal, as in Java.
		s.fail(s.fatal(protocol.KeyJoinGroup, err))
	}
}

// joined takes a successful JoinGroup: check the protocol (KIP-559), enter
// the generation, and sync (the leader after its assignment).
func (s *step) joined(ev JoinResponse) {
	m := &s.m
	if ev.ProtocolType != nil && *ev.ProtocolType != ProtocolType {
		s.fail(inconsistent(protocol.KeyJoinGroup, "type", *ev.ProtocolType, ProtocolType))
		return
	}
	name := ""
	if ev.ProtocolName != nil {
		name = *ev.ProtocolName
	}
	as, ok := m.cfg.assignor(name)
	if !ok {
		s.fail(inconsistent(protocol.KeyJoinGroup, "name", name, fmt.Sprint(m.cfg.protocols())))
		return
	}
	rebalance, ok := rebalanceOf(as)
	if !ok {
		s.fail(fmt.Errorf("group: JoinGroup in group %q: the coordinator selected assignor %q, which supports no rebalance protocol", m.cfg.Group, name))
		return
	}
	m.memberID, m.generation, m.protocol, m.leader = ev.MemberID, ev.Generation, name, ev.Leader
	// The generation runs the selected assignor's protocol. From
	// cooperative to eager (a member offering only eager assignors
	// joined) the member joined keeping its partitions: this round ends
	// cooperatively (synced revokes owned - assigned and rejoins when it
	// revoked any; a leader here strips what others still own), and the
	// next join is eager. From eager to cooperative it joined owning
	// nothing: nothing to do.
	m.rebalance = rebalance
	m.assignedFrom, m.attempts, m.reason = nil, 0, ""
	m.skipAssignment = m.Leader() && ev.SkipAssignment
	// Java's heartbeat.resetTimeouts when the heartbeat thread is enabled.
	m.hbDue = ev.Now.Add(m.heartbeatEvery())
	m.sessionEnd = ev.Now.Add(m.cfg.SessionTimeout)
	m.lastPoll = ev.Now
	if m.Leader() {
		// A static leader rejoining (KIP-814, SkipAssignment) keeps the
		// assignment as it is but still learns the group's topics, to
		// watch their metadata.
		s.enter(Assigning)
		s.emit(ComputeAssignment{Generation: m.generation, Protocol: name, Members: ev.Members, SkipAssignment: ev.SkipAssignment})
		return
	}
	s.sendSync(nil)
}

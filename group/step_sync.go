package group

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// onAssignmentComputed takes the leader's assignment and syncs it.
func (s *step) onAssignmentComputed(ev AssignmentComputed) {
	m := &s.m
	if m.state != Assigning || ev.Generation != m.generation {
		return
	}
	if ev.Err != nil {
		s.fail(fmt.Errorf("group: assignor %q in group %q: %w", m.protocol, m.cfg.Group, ev.Err))
		return
	}
	m.assignedFrom = ev.PartitionCounts
	if m.metadata != nil && ev.PartitionCounts != nil {
		// The assignor's counts were read after every MetadataChanged seen
		// so far: they are the member's newest metadata for those topics.
		// Without this, a Consumer snapshot older than the assignment makes
		// synced rejoin, and every round after it, until the Consumer's
		// next MetadataChanged.
		merged := maps.Clone(m.metadata)
		maps.Copy(merged, ev.PartitionCounts)
		m.metadata = merged
	}
	if !m.skipAssignment {
		s.sendSync(ev.Assignments)
		return
	}
	if m.assignedFrom == nil {
		// No counts (no AssignFunc): watch the metadata the member knows,
		// as Java's assignmentSnapshot = metadataSnapshot.
		m.assignedFrom = m.metadata
	}
	s.sendSync(nil) // the coordinator keeps the assignment it has
}

func (s *step) sendSync(assignments []protocol.SyncGroupRequestAssignment) {
	m := &s.m
	s.enter(AwaitingSync)
	m.inFlight = true
	s.emit(SendSync{
		Group:        m.cfg.Group,
		Generation:   m.generation,
		MemberID:     m.memberID,
		InstanceID:   m.cfg.InstanceID,
		ProtocolType: ProtocolType,
		Protocol:     m.protocol,
		Assignments:  assignments,
	})
}

// onSyncResponse handles SyncGroup's answer (see the table in doc.go).
func (s *step) onSyncResponse(ev SyncResponse) {
	m := &s.m
	if m.state != AwaitingSync || !m.inFlight || ev.Generation != m.generation {
		return
	}
	m.inFlight = false
	switch err := ev.Err; {
	case err == nil:
		s.synced(ev)
	case errors.Is(err, protocol.ErrRebalanceInProgress):
		// prepareJoin, not a plain JoinGroup: a member that joined
		// this generation keeping partitions when the generation's
		// assignor is eager (the round that leaves cooperative) gives
		// them up before it joins again, as eager does.
		m.reason = "the group began another rebalance"
		s.prepareJoin(ev.Now)
	case errors.Is(err, protocol.ErrUnknownMemberId):
		s.resetGeneration(true, err)
		s.rejoinReset(ev.Now)
	case errors.Is(err, protocol.ErrIllegalGeneration):
		s.resetGeneration(false, err) // the member id may still be valid
		s.rejoinReset(ev.Now)
	case errors.Is(err, protocol.ErrNotCoordinator), errors.Is(err, protocol.ErrCoordinatorNotAvailable):
		s.coordinatorLost(ev.Now, true)
	default:
		// FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED and anything
		// unexpected (COORDINATOR_LOAD_IN_PROGRESS included, as in Java).
		s.fail(s.fatal(protocol.KeySyncGroup, err))
	}
}

// synced takes a successful SyncGroup: the reconciliation step. Revoked =
// owned − assigned and added = assigned − owned; eager owns nothing here
// (it revoked everything before joining), so added is the assignment,
// except in the round that moves a cooperative member to an eager
// assignor, which it joined keeping partitions: that round ends as a
// cooperative one does (below), and the rejoin after RevokeDone is eager.
//
// Cooperative (Java's onJoinComplete for COOPERATIVE): CommitBeforeRevoke
// and Revoke (Incremental) with the revoked partitions only, committed in
// the new generation before OnRevoked; then Assign with the added ones
// only (OnAssigned gets those, as Java's onPartitionsAssigned), carrying
// the new generation for the commits of every owned partition. The kept
// partitions are in neither: they keep fetching, their position and their
// pause state. When anything was revoked the member waits in Revoking for
// RevokeDone and then rejoins at once, so that the leader of the next
// round can give the revoked partitions to their new owner: until
// RevokeDone this member may still fetch and commit them, and no other
// member has been given them.
func (s *step) synced(ev SyncResponse) {
	m := &s.m
	if ev.ProtocolType != nil && *ev.ProtocolType != ProtocolType {
		s.fail(inconsistent(protocol.KeySyncGroup, "type", *ev.ProtocolType, ProtocolType))
		return
	}
	if ev.ProtocolName != nil && *ev.ProtocolName != m.protocol {
		s.fail(inconsistent(protocol.KeySyncGroup, "name", *ev.ProtocolName, m.protocol))
		return
	}
	var a protocol.ConsumerProtocolAssignment
	// No bytes at all is the coordinator's own empty assignment, which it
	// gives a member the leader left out ("Setting empty assignments for
	// members"): nothing assigned, not a malformed assignment.
	if len(ev.Assignment) == 0 {
		a.Version = assignmentVersion
	} else if err := a.Decode(ev.Assignment); err != nil {
		s.fail(fmt.Errorf("group: SyncGroup in group %q: the assignment: %w", m.cfg.Group, err))
		return
	}
	// The chosen assignor reads its user data (Java's onAssignment); a
	// sticky assignor that cannot fails the member, as Java's poll throws.
	if as, ok := m.cfg.assignor(m.protocol); ok {
		if err := as.OnAssignment(assignor.AssignmentFromProtocol(&a), m.generation); err != nil {
			s.fail(fmt.Errorf("group: assignor %q in group %q: the assignment: %w", m.protocol, m.cfg.Group, err))
			return
		}
	}
	assigned := flatten(a.AssignedPartitions)
	revoked := minus(m.owned, assigned) // empty for eager
	added := minus(assigned, m.owned)
	m.owned = assigned
	m.assigned, m.assignedGen = assigned, m.generation
	m.rejoin, m.attempts = false, 0
	m.trigger = Trigger{} // this Assign completes the round
	if len(revoked) > 0 {
		if m.cfg.AutoCommit {
			s.emit(CommitBeforeRevoke{Partitions: revoked, Generation: m.generation, MemberID: m.memberID})
		}
		s.emit(Revoke{Partitions: revoked, Incremental: true, Generation: m.generation, MemberID: m.memberID})
	}
	s.emit(Assign{Partitions: added, Generation: m.generation, MemberID: m.memberID, Rebalance: m.rebalance}) // also when empty, as Java calls onPartitionsAssigned
	if len(revoked) > 0 {
		m.rejoin, m.reason = true, "need to revoke partitions and re-join"
		s.triggered(ev.Now, CauseRevokedRejoin)
		s.enter(Revoking) // RevokeDone rejoins (prepareJoin)
		return
	}
	s.enter(Stable)
	if m.rebalance == assignor.Cooperative {
		s.fastChecks(ev.Now)
	}
	switch {
	case !equalTopics(m.topics, m.joinedTopics):
		m.reason = "the subscription changed during the rebalance"
		s.triggered(ev.Now, CauseChangedDuringRebalance)
	case topicsOutside(assigned, m.topics):
		m.reason = "the assignment names topics outside the subscription"
		s.triggered(ev.Now, CauseAssignmentOutsideSubscription)
	case m.Leader() && m.metadata != nil && countsDiffer(m.assignedFrom, m.metadata):
		m.reason = "the metadata changed during the rebalance"
		s.triggered(ev.Now, CauseChangedDuringRebalance)
	default:
		return
	}
	s.prepareJoin(ev.Now)
}

func equalTopics(a, b []string) bool { return slices.Equal(a, b) }

// countsDiffer reports whether any topic the leader assigned from has
// another partition count in now. A topic absent from now is not known to
// the Consumer's metadata and is not compared: a Consumer that reports
// only its own topics must not make the leader rebalance for ever. A
// deleted topic is reported with 0 (PartitionCounts does so for the
// topics it is asked about), a created one with its count.
func countsDiffer(assignedFrom, now map[string]int32) bool {
	for t, n := range assignedFrom {
		if c, known := now[t]; known && c != n {
			return true
		}
	}
	return false
}

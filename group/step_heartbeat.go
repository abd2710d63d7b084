package group

import (
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func (s *step) sendHeartbeat(now time.Time) {
	m := &s.m
	m.hbInFlight = true
	m.hbDue = now.Add(m.cfg.HeartbeatInterval) // counted from the send, as Java's heartbeatTimer
	s.emit(SendHeartbeat{Group: m.cfg.Group, Generation: m.generation, MemberID: m.memberID, InstanceID: m.cfg.InstanceID})
}

// onHeartbeatResponse handles Heartbeat's answer (see the table in doc.go).
// An answer for a generation or member id the member has left behind is
// ignored, as Java ignores errors when !generationUnchanged().
func (s *step) onHeartbeatResponse(ev HeartbeatResponse) {
	m := &s.m
	if !m.hbInFlight || ev.Generation != m.generation || ev.MemberID != m.memberID || !m.heartbeating() {
		return
	}
	m.hbInFlight = false
	switch err := ev.Err; {
	case err == nil:
		m.sessionEnd = ev.Now.Add(m.cfg.SessionTimeout)
	case errors.Is(err, protocol.ErrRebalanceInProgress):
		// The coordinator keeps a member that heartbeats during a rebalance:
		// the answer counts for the session.
		m.sessionEnd = ev.Now.Add(m.cfg.SessionTimeout)
		if m.state == Stable {
			m.reason = "group is already rebalancing"
			s.triggered(ev.Now, CauseRebalanceInProgress)
			s.prepareJoin(ev.Now)
		}
	case errors.Is(err, protocol.ErrUnknownMemberId), errors.Is(err, protocol.ErrIllegalGeneration):
		// The session is gone (or the generation moved on without us):
		// what the member owns is lost; rejoin. ILLEGAL_GENERATION keeps
		// the member id, which may still be valid.
		s.resetGeneration(errors.Is(err, protocol.ErrUnknownMemberId), err)
		if errors.Is(err, protocol.ErrUnknownMemberId) {
			s.triggered(ev.Now, CauseUnknownMember)
		} else {
			s.triggered(ev.Now, CauseIllegalGeneration)
		}
		if m.state == Revoking {
			return // the revoke under way ends in a join anyway
		}
		s.prepareJoin(ev.Now)
	case errors.Is(err, protocol.ErrNotCoordinator), errors.Is(err, protocol.ErrCoordinatorNotAvailable):
		s.coordinatorLost(ev.Now, false)
	default:
		// FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED and anything
		// unexpected: fatal, as in Java's heartbeat thread.
		s.fail(s.fatal(protocol.KeyHeartbeat, err))
	}
}

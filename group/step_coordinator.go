package group

import (
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// onStart begins: find the coordinator, then join.
func (s *step) onStart(ev Start) {
	m := &s.m
	if m.state != Idle {
		return
	}
	if m.cfg.Match == nil {
		m.topics = normalizeTopics(ev.Topics)
	}
	m.lastPoll = ev.Now
	m.rejoin, m.reason = true, ""
	s.triggered(ev.Now, CauseFirstJoin)
	s.enter(FindingCoordinator)
	s.sendFind()
}

func (s *step) sendFind() {
	s.m.inFlight = true
	s.emit(FindCoordinator{Group: s.m.cfg.Group})
}

// onCoordinatorFound resumes what the lookup interrupted: a join, or a
// Stable membership.
func (s *step) onCoordinatorFound(ev CoordinatorFound) {
	m := &s.m
	if m.state != FindingCoordinator || !m.inFlight {
		return
	}
	m.coordinator, m.inFlight, m.attempts = true, false, 0
	m.sessionEnd = ev.Now.Add(m.cfg.SessionTimeout) // Java resets the session timer on discovery
	if m.rejoin || m.generation == noGeneration || m.memberID == "" {
		s.prepareJoin(ev.Now)
		return
	}
	s.enter(Stable)
	s.sendHeartbeat(ev.Now) // tell the new coordinator at once that the member lives
}

// onCoordinatorFailed handles a FindCoordinator error: GROUP_AUTHORIZATION_FAILED
// and every other non-retriable error are fatal; retriable ones
// (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
// connection errors) are retried after backoff, as Java's
// ensureCoordinatorReady does.
func (s *step) onCoordinatorFailed(now time.Time, err error) {
	m := &s.m
	if m.state != FindingCoordinator || !m.inFlight {
		return
	}
	var kerr *protocol.Error
	if errors.As(err, &kerr) && !kerr.Retriable {
		s.fail(s.fatal(protocol.KeyFindCoordinator, err))
		return
	}
	s.retryLater(now)
}

// coordinatorLost forgets the coordinator (NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, a broken connection, a session that expired
// without a heartbeat answer) and looks it up again, at once or after
// backoff. The membership is kept; a join or sync under way is redone.
func (s *step) coordinatorLost(now time.Time, backoff bool) {
	m := &s.m
	m.coordinator, m.hbInFlight = false, false
	switch m.state {
	case Revoking, Unjoined:
		return // RevokeDone or Poll goes on from here
	case Joining, Assigning, AwaitingSync:
		m.rejoin = true
	}
	s.enter(FindingCoordinator)
	if backoff {
		s.retryLater(now)
		return
	}
	s.sendFind()
}

// onRequestFailed handles a request that got no answer.
func (s *step) onRequestFailed(ev RequestFailed) {
	m := &s.m
	switch ev.API {
	case protocol.KeyFindCoordinator:
		s.onCoordinatorFailed(ev.Now, ev.Err)
	case protocol.KeyJoinGroup:
		if m.state == Joining && m.inFlight {
			s.coordinatorLost(ev.Now, true)
		}
	case protocol.KeySyncGroup:
		if m.state == AwaitingSync && m.inFlight {
			s.coordinatorLost(ev.Now, true)
		}
	case protocol.KeyHeartbeat:
		if m.hbInFlight {
			m.hbInFlight = false
			if m.heartbeating() {
				s.coordinatorLost(ev.Now, false)
			}
		}
	case protocol.KeyLeaveGroup:
		if m.state == Leaving {
			s.onLeaveDone()
		}
	}
}

package group

import (
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// fastCheckFirst is the first quick heartbeat's wait after a cooperative
// round (see fastChecks).
const fastCheckFirst = 50 * time.Millisecond

// fastChecks schedules the quick heartbeats that follow a cooperative
// round: at 50, 150, 350, 750 ms... after it (each wait doubling) until
// the next would come after the round's first regular heartbeat, one
// interval (heartbeatEvery) after it. A member that revoked partitions in
// the round rejoins at once, and the follow-up round that hands them to
// their new owner begins then; the members that revoked nothing (the new
// owner among them) learn of it only from a heartbeat, which at the Java
// client's pace comes up to a whole interval later (2 s of a 2 s
// interval, measured in bench/cmd/churn). The quick ones find that round
// within tens of milliseconds of the rejoin; a round without a follow-up
// costs a few heartbeats more. franz-go sends one such heartbeat, 500 ms
// after the round. The regular heartbeats then keep the round's cadence
// (not the last quick one's), so that the members stay in step: see
// heartbeatEvery for why that matters.
func (s *step) fastChecks(now time.Time) {
	m := &s.m
	m.hbGrid = now.Add(m.heartbeatEvery())
	if fastCheckFirst >= m.cfg.HeartbeatInterval {
		return
	}
	m.fastGap = fastCheckFirst
	m.hbDue = now.Add(fastCheckFirst)
}

// heartbeatEvery is the wait from one heartbeat's send to the next:
// heartbeat.interval.ms and a slack of 15 ms / n, n the heartbeats in a
// session (session.timeout.ms / heartbeat.interval.ms, rounded down),
// kept between 1 and 5 ms.
//
// The slack is for a killed member. Every member's heartbeat cadence
// starts at the same round's answer, so the members heartbeat in step, the
// killed one too until it died. The coordinator ends its session
// session.timeout.ms after its last heartbeat, and when that is a multiple
// of the interval (Java's 45000/3000, USE-CASES.md's 6000/2000) the end
// falls on the very instant the others heartbeat again: each survivor's
// heartbeat comes a hair before it (and hears of the rebalance a whole
// interval later) or after it, a coin toss per member, and the round waits
// for the last of them. bench/cmd/churn measured it: at 6000/2000 the
// first callback after a kill came 1.6-2.0 s after the eviction in most
// runs. With the slack each survivor's n-th heartbeat comes n slacks
// after the expiry: 15 ms (5 ms a heartbeat at 6000/2000, 1.25 ms at
// 6000/500, 1 ms at 45000/3000; n ms when n passes 15), later than the
// members' spread in step (their SyncGroup answers came within 4 ms of
// each other in every churn run read), so every survivor hears of it at
// that heartbeat, and no later than needed: every kill waits for the
// slack too.
func (m *Member) heartbeatEvery() time.Duration {
	const margin, most = 15 * time.Millisecond, 5 * time.Millisecond
	n := max(m.cfg.SessionTimeout/m.cfg.HeartbeatInterval, 1) // validate: interval < session
	slack := min(max(margin/n, time.Millisecond), most)
	return m.cfg.HeartbeatInterval + slack
}

func (s *step) sendHeartbeat(now time.Time) {
	m := &s.m
	m.hbInFlight = true
	m.hbDue = now.Add(m.heartbeatEvery()) // counted from the send, as Java's heartbeatTimer
	if m.fastGap > 0 {
		if m.fastGap *= 2; now.Add(m.fastGap).Before(m.hbGrid) {
			m.hbDue = now.Add(m.fastGap)
		} else {
			m.hbDue, m.fastGap = m.hbGrid, 0
		}
	}
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

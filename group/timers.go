package group

import "time"

// heartbeating reports whether the member heartbeats in its state: it has
// a generation and a coordinator, and is not in the middle of a JoinGroup
// (the Java heartbeat thread runs in STABLE and COMPLETING_REBALANCE, and
// keeps running while the listener revokes before a join).
func (m *Member) heartbeating() bool {
	switch m.state {
	case Revoking, Assigning, AwaitingSync, Stable:
		return m.coordinator && m.generation != noGeneration && m.memberID != ""
	}
	return false
}

// pollWatched reports whether max.poll.interval.ms is enforced: while
// heartbeating, except during a revoke (the Consumer is inside Poll
// running the listener then).
func (m *Member) pollWatched() bool { return m.heartbeating() && m.state != Revoking }

func (m *Member) pollDeadline() time.Time { return m.lastPoll.Add(m.cfg.MaxPollInterval) }

// backoff returns the wait after the attempts-th failure in a row:
// RetryBackoff doubled each time, at most RetryBackoffMax, then jittered
// by ±BackoffJitter as conn's reconnect backoff is. The random factor
// comes from the Member's own generator, so Step stays deterministic.
func (m *Member) backoff() time.Duration {
	d := m.cfg.RetryBackoff
	for i := 1; i < m.attempts && d < m.cfg.RetryBackoffMax; i++ {
		d *= 2
	}
	d = min(d, m.cfg.RetryBackoffMax)
	if j := m.cfg.BackoffJitter; j > 0 {
		d = time.Duration(float64(d) * (1 - j + 2*j*m.random()))
	}
	return d
}

// random returns a number in [0, 1) from the member's splitmix64 state,
// which it advances. A generator in the Member (not math/rand's) keeps the
// Member a value: an old copy stepped again makes the same draws.
func (m *Member) random() float64 {
	m.rng += 0x9e3779b97f4a7c15
	z := m.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// retryLater counts a failure and waits for its backoff (inFlight off).
func (s *step) retryLater(now time.Time) {
	m := &s.m
	m.inFlight = false
	m.attempts++
	m.retryAt = now.Add(m.backoff())
}

// onTick does what is due at now, in the Java heartbeat thread's order:
// retry after backoff; the session as the client sees it; the poll
// interval; the heartbeat.
func (s *step) onTick(now time.Time) {
	m := &s.m
	switch m.state {
	case FindingCoordinator:
		if !m.inFlight && !now.Before(m.retryAt) {
			s.sendFind()
		}
		return
	case Joining:
		if !m.inFlight && !now.Before(m.retryAt) {
			s.sendJoin()
		}
		return
	}
	if !m.heartbeating() {
		return
	}
	switch {
	case !now.Before(m.sessionEnd):
		// No successful heartbeat for a whole session: the coordinator may
		// be gone. Find it again, keeping the membership; if the broker
		// dropped the member, the next heartbeat says so.
		s.coordinatorLost(now, false)
	case m.pollWatched() && !now.Before(m.pollDeadline()):
		s.pollExpired(now)
	case !m.hbInFlight && !now.Before(m.hbDue):
		s.sendHeartbeat(now)
	}
}

// scheduleTimer emits ScheduleTimer when the next deadline moved.
func (s *step) scheduleTimer() {
	m := &s.m
	var next time.Time
	earliest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	switch {
	case (m.state == FindingCoordinator || m.state == Joining) && !m.inFlight:
		earliest(m.retryAt)
	case m.heartbeating():
		earliest(m.sessionEnd)
		if m.pollWatched() {
			earliest(m.pollDeadline())
		}
		if !m.hbInFlight {
			earliest(m.hbDue)
		}
	}
	if !next.Equal(m.timer) {
		m.timer = next
		s.emit(ScheduleTimer{At: next})
	}
}

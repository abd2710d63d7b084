package group

import (
	"slices"
	"time"
)

// pollExpired gives up the membership after max.poll.interval.ms without a
// Poll (Java's handlePollTimeoutExpiry): a dynamic member sends LeaveGroup
// so its partitions move at once; a static member just stops heartbeating
// (the coordinator drops it after session.timeout.ms). Either way the
// generation and member id are reset and the next Poll reports the owned
// partitions lost and rejoins.
func (s *step) pollExpired(now time.Time) {
	m := &s.m
	s.triggered(now, CausePollInterval)
	if !m.cfg.static() {
		s.emit(SendLeave{Group: m.cfg.Group, MemberID: m.memberID, Reason: "consumer poll timeout has expired."})
	}
	s.resetGeneration(true, ErrPollIntervalExceeded)
	m.reason = "consumer poll timeout has expired"
	m.inFlight, m.hbInFlight = false, false
	s.enter(Unjoined)
}

// onPoll restarts max.poll.interval.ms; in Unjoined it rejoins.
func (s *step) onPoll(ev Poll) {
	m := &s.m
	m.lastPoll = ev.Now
	if m.state == Unjoined {
		s.prepareJoin(ev.Now)
	}
}

// onSubscriptionChanged replaces the subscription. Stable rejoins now; a
// join or sync under way is followed by another (synced compares the
// topics it joined with); a coordinator lookup ends in a join.
func (s *step) onSubscriptionChanged(now time.Time, topics []string) {
	s.subscriptionChanged(now, topics, CauseSubscriptionChanged)
}

// subscriptionChanged is onSubscriptionChanged, the rebalance it begins
// having cause.
func (s *step) subscriptionChanged(now time.Time, topics []string, cause Cause) {
	m := &s.m
	t := normalizeTopics(topics)
	if slices.Equal(t, m.topics) || m.state == Leaving {
		return
	}
	m.topics = t
	switch m.state {
	case Stable:
		m.reason = "the subscription changed"
		s.triggered(now, cause)
		s.prepareJoin(now)
	case FindingCoordinator:
		m.rejoin = true
		s.triggered(now, cause)
	}
}

// onMetadataChanged: a pattern subscription follows the topics that match
// (any member); the leader rejoins when a topic it assigned from has
// another partition count.
func (s *step) onMetadataChanged(ev MetadataChanged) {
	m := &s.m
	if m.state == Leaving {
		return
	}
	m.metadata = ev.PartitionCounts
	if m.cfg.Match != nil {
		var matched []string
		for t := range ev.PartitionCounts {
			if m.cfg.Match(t) {
				matched = append(matched, t)
			}
		}
		s.subscriptionChanged(ev.Now, matched, CausePatternMatched)
	}
	if m.state == Stable && m.Leader() && countsDiffer(m.assignedFrom, m.metadata) {
		m.reason = "cached metadata has changed"
		s.triggered(ev.Now, CauseMetadataChanged)
		s.prepareJoin(ev.Now)
	}
}

// onClose ends membership: what is owned is revoked (with its commit) or
// lost, then LeaveGroup is sent if the LeaveMode asks for it and the
// member has an id and a coordinator.
func (s *step) onClose(ev Close) {
	m := &s.m
	switch m.state {
	case Leaving, Closed:
		return
	case Idle, Failed:
		s.enter(Closed)
		return
	}
	m.closing = true
	switch ev.Leave {
	case LeaveGroup:
		m.leave = true
	case RemainInGroup:
		m.leave = false
	default:
		m.leave = !m.cfg.static()
	}
	if m.state == Unjoined {
		m.leave = false // already left
	}
	if m.state == Revoking {
		return // RevokeDone closes
	}
	if len(m.owned) > 0 {
		s.revokeOwned()
		s.enter(Revoking)
		return
	}
	s.finishClose()
}

// finishClose sends LeaveGroup or closes at once.
func (s *step) finishClose() {
	m := &s.m
	m.hbInFlight = false
	if m.leave && m.memberID != "" && m.coordinator {
		s.emit(SendLeave{Group: m.cfg.Group, MemberID: m.memberID, InstanceID: m.cfg.InstanceID, Reason: "the consumer is being closed"})
		m.inFlight = true
		s.enter(Leaving)
		return
	}
	s.closed()
}

// onLeaveDone: whatever LeaveGroup answered, the member is gone.
func (s *step) onLeaveDone() {
	if s.m.state == Leaving {
		s.closed()
	}
}

func (s *step) closed() {
	m := &s.m
	m.inFlight, m.hbInFlight = false, false
	m.memberID, m.generation, m.protocol, m.leader = "", noGeneration, "", ""
	m.trigger = Trigger{}
	s.enter(Closed)
}

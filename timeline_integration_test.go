package rawkafka

import (
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// since returns the member's rebalance records triggered at or after t.
func (m *member) since(t time.Time) []Rebalance {
	var out []Rebalance
	for _, r := range m.c.Rebalances() {
		if !r.Triggered.Before(t) {
			out = append(out, r)
		}
	}
	return out
}

// settled reports whether the record of the member's current generation
// is among those since t (complete or closed).
func (m *member) settled(t time.Time) bool {
	gen := m.c.GroupMetadata().GenerationID
	return slices.ContainsFunc(m.since(t), func(r Rebalance) bool { return r.GenerationAfter == gen })
}

// listened returns the partitions the listener was told were revoked
// (and lost) and assigned after t.
func (m *member) listened(t time.Time) (revoked, assigned []TopicPartition) {
	for _, e := range m.snapshot() {
		if e.at.Before(t) {
			continue
		}
		switch e.kind {
		case "revoked", "lost":
			revoked = append(revoked, e.parts...)
		case "assigned":
			assigned = append(assigned, e.parts...)
		}
	}
	return sortedCopy(revoked), sortedCopy(assigned)
}

// recorded returns the partitions the records say were revoked (and
// lost), assigned and kept.
func recorded(rs []Rebalance) (revoked, assigned, kept []TopicPartition) {
	for _, r := range rs {
		revoked = append(append(revoked, r.Revoked...), r.Lost...)
		assigned = append(assigned, r.Assigned...)
		kept = append(kept, r.Kept...)
	}
	return sortedCopy(revoked), sortedCopy(assigned), sortedCopy(kept)
}

func logRecords(t *testing.T, name string, rs []Rebalance) {
	t.Helper()
	for _, r := range rs {
		t.Logf("%s: %s gen %d->%d leader=%v %s/%s joins=%d join=%v sync=%v total=%v complete=%v stalls: %s", name, r.Cause,
			r.GenerationBefore, r.GenerationAfter, r.Leader, r.Protocol, r.Assignor, r.JoinGroups,
			r.JoinTime().Round(time.Millisecond), r.SyncTime().Round(time.Millisecond), r.Total().Round(time.Millisecond), r.Complete, showStalls(r))
	}
}

// TestIntegrationTimelineCooperative: two cooperative members share four
// partitions, a third joins. The member that gives nothing up has a
// record with its partitions kept, each with a stall entry; every
// member's records name the partitions its listener was told about; the
// trigger is the coordinator's REBALANCE_IN_PROGRESS for the two, the
// first join for the third.
func TestIntegrationTimelineCooperative(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 8)
	defer stream.end()
	m1 := startCoopMember(t, "m1", groupProps(g), topic)
	m2 := startCoopMember(t, "m2", groupProps(g), topic)
	defer m1.stop(false)
	defer m2.stop(false)
	waitFor(t, 30*time.Second, "two ways", func() bool { return len(m1.owned()) == 2 && len(m2.owned()) == 2 })
	start3 := time.Now()
	m3 := startCoopMember(t, "m3", groupProps(g), topic)
	defer m3.stop(false)
	waitFor(t, 30*time.Second, "three ways", func() bool { return len(m1.owned())+len(m2.owned()) == 3 && len(m3.owned()) == 1 })
	for _, m := range []*member{m1, m2, m3} {
		waitFor(t, 30*time.Second, m.name+"'s record of its generation", func() bool { return m.settled(start3) })
	}
	unaffected := 0
	for _, m := range []*member{m1, m2, m3} {
		rs := m.since(start3)
		logRecords(t, m.name, rs)
		lr, la := m.listened(start3)
		rr, ra, kept := recorded(rs)
		if !slices.Equal(lr, rr) || !slices.Equal(la, ra) {
			t.Errorf("%s: the listener revoked %v and assigned %v, the records %v and %v", m.name, lr, la, rr, ra)
		}
		for _, r := range rs {
			if r.Protocol != "cooperative" || r.Assignor != "cooperative-sticky" {
				t.Errorf("%s: protocol %s, assignor %s", m.name, r.Protocol, r.Assignor)
			}
			if r.JoinSent.IsZero() || r.Joined.Before(r.JoinSent) || r.Synced.Before(r.SyncSent) || r.Applied.Before(r.Triggered) {
				t.Errorf("%s: times out of order: %+v", m.name, r)
			}
			for _, s := range r.Stalls {
				if s.Stall < 0 {
					t.Errorf("%s: negative stall %+v", m.name, s)
				}
			}
		}
		first := rs[0]
		if m == m3 {
			// Cooperative: the first round gives m3 nothing (the partition
			// it gets is revoked by its owner first), the follow-up one.
			if first.Cause != group.CauseFirstJoin || first.GenerationBefore != -1 || len(first.Kept) != 0 || len(ra) != 1 {
				t.Errorf("m3's first record: %+v; assigned in all %v", first, ra)
			}
			continue
		}
		if first.Cause != group.CauseRebalanceInProgress {
			t.Errorf("%s: cause %v, want %v", m.name, first.Cause, group.CauseRebalanceInProgress)
		}
		if len(lr) == 0 {
			unaffected++
			if !slices.Equal(kept, m.owned()) {
				t.Errorf("%s kept %v in its records, owns %v", m.name, kept, m.owned())
			}
			for _, tp := range m.owned() {
				if !slices.ContainsFunc(first.Stalls, func(s PartitionStall) bool { return s.TopicPartition == tp && s.Change == PartitionKept }) {
					t.Errorf("%s: no kept stall for %s: %s", m.name, tp, showStalls(first))
				}
			}
		}
	}
	if unaffected != 1 {
		t.Errorf("%d of m1 and m2 gave nothing up, want 1 (2+2 -> 2+1+1)", unaffected)
	}
}

// TestIntegrationTimelineEager: with range, a second member's join makes
// the first revoke everything and be assigned again: no partition kept,
// every partition of the new assignment with an assigned stall.
func TestIntegrationTimelineEager(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 8)
	defer stream.end()
	m1 := startMember(t, "m1", groupProps(g, "partition.assignment.strategy", "range"), topic)
	defer m1.stop(false)
	waitFor(t, 30*time.Second, "m1 to own everything", func() bool { return len(m1.owned()) == 4 })
	start2 := time.Now()
	m2 := startMember(t, "m2", groupProps(g, "partition.assignment.strategy", "range"), topic)
	defer m2.stop(false)
	waitFor(t, 30*time.Second, "two ways", func() bool { return len(m1.owned()) == 2 && len(m2.owned()) == 2 })
	waitFor(t, 30*time.Second, "m1's record of its generation", func() bool { return m1.settled(start2) })
	rs := m1.since(start2)
	logRecords(t, "m1", rs)
	r := rs[0]
	if r.Cause != group.CauseRebalanceInProgress || r.Protocol != "eager" || r.Assignor != "range" || len(r.Kept) != 0 {
		t.Errorf("m1's record: %+v", r)
	}
	if len(r.Revoked) != 4 || !slices.Equal(r.Assigned, m1.owned()) {
		t.Errorf("m1 revoked %v (want all 4) and was assigned %v (owns %v)", r.Revoked, r.Assigned, m1.owned())
	}
	lr, la := m1.listened(start2)
	rr, ra, _ := recorded(rs)
	if !slices.Equal(lr, rr) || !slices.Equal(la, ra) {
		t.Errorf("the listener revoked %v and assigned %v, the records %v and %v", lr, la, rr, ra)
	}
	for _, tp := range r.Assigned {
		if !slices.ContainsFunc(r.Stalls, func(s PartitionStall) bool { return s.TopicPartition == tp && s.Change == PartitionAssigned }) {
			t.Errorf("no assigned stall for %s: %s", tp, showStalls(r))
		}
	}
}

package rawkafka

import (
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// defaultProps are groupProps with the default partition.assignment.strategy
// ([cooperative-sticky, range]).
func defaultProps(group string, extra ...string) map[string]string {
	p := groupProps(group, extra...)
	delete(p, "partition.assignment.strategy")
	return p
}

// cooperativeNow reports whether every member's generation runs the
// cooperative protocol (want true) or none does (want false).
func cooperativeNow(want bool, ms ...*member) bool {
	for _, m := range ms {
		md := m.c.GroupMetadata()
		if md.GenerationID < 0 || md.Cooperative != want {
			return false
		}
	}
	return true
}

// revokedSince returns the partitions m's listener revoked (or lost)
// after from, each call's in order, and whether m owned nothing at some
// moment after from (an eager revoke of everything).
func revokedSince(m *member, from time.Time) (calls [][]TopicPartition, emptied bool) {
	m.fold(func(e event, own []TopicPartition) {
		if (e.kind == "revoked" || e.kind == "lost") && e.at.After(from) {
			calls = append(calls, e.parts)
			emptied = emptied || len(own) == 0
		}
	})
	return calls, emptied
}

// TestIntegrationGroupDefaultFallsBack: the default strategy
// [cooperative-sticky, range] on a topic of 6 partitions written to all
// the time. Two default members form a cooperative group, and a third
// one joining makes them revoke only what moves (one partition each, of
// three). A member offering only range joins: the coordinator selects
// range (the only name all offer), the rawkafka members' generation is
// eager, and from the round after (the follow-up rejoin of the member
// whose partition range gave away) they revoke everything before each
// join: when the range member leaves, every default member gives up all
// it owns before that round, which selects cooperative-sticky again,
// and a member leaving makes the others revoke nothing. Throughout: no
// partition owned by two members at any moment (each listener's
// intervals, with timestamps), no record delivered outside its member's
// ownership, every record consumed.
func TestIntegrationGroupDefaultFallsBack(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 12)
	d1 := startMember(t, "d1", defaultProps(g), topic)
	waitFor(t, 20*time.Second, "d1 to own everything", func() bool { return len(d1.owned()) == 6 })
	d2 := startMember(t, "d2", defaultProps(g), topic)
	waitFor(t, 30*time.Second, "d1 and d2 to split", func() bool { return len(d1.owned()) == 3 && len(d2.owned()) == 3 })
	waitFor(t, 20*time.Second, "a cooperative generation", func() bool { return cooperativeNow(true, d1, d2) })

	joined3 := time.Now()
	d3 := startMember(t, "d3", defaultProps(g), topic)
	waitFor(t, 30*time.Second, "three ways", func() bool {
		return len(d1.owned()) == 2 && len(d2.owned()) == 2 && len(d3.owned()) == 2
	})
	for _, m := range []*member{d1, d2} {
		calls, emptied := revokedSince(m, joined3)
		n := 0
		for _, c := range calls {
			n += len(c)
		}
		if n != 1 || emptied {
			t.Errorf("%s revoked %v when d3 joined (emptied: %v), want one partition, the one that moved", m.name, calls, emptied)
		}
	}
	if !cooperativeNow(true, d1, d2, d3) {
		t.Errorf("not cooperative with three default members")
	}

	// A range-only member (kcat's, or Java's range alone) joins.
	joinedR := time.Now()
	r := startMember(t, "r", groupProps(g), topic) // groupProps: range
	waitFor(t, 30*time.Second, "an eager generation with r", func() bool {
		return len(r.owned()) > 0 && len(d1.owned())+len(d2.owned())+len(d3.owned())+len(r.owned()) == 6 && cooperativeNow(false, d1, d2, d3)
	})
	waitFor(t, 20*time.Second, "r's first records", func() bool { return len(r.records()) > 0 })
	// Range gave r partitions default members still owned: the round
	// ended cooperatively (the leader, d1, took them out), their owners
	// revoked them and rejoined.
	for _, m := range []*member{d1, d2, d3} {
		calls, _ := revokedSince(m, joinedR)
		t.Logf("%s after r joined: revoked %v", m.name, calls)
	}

	// The range member leaves. The generation is eager, so every default
	// member owning something revokes all of it before it joins; the
	// round selects cooperative-sticky again.
	owning := map[string]bool{}
	for _, m := range []*member{d1, d2, d3} {
		owning[m.name] = len(m.owned()) > 0
	}
	leftR := time.Now()
	r.stop(false)
	waitFor(t, 30*time.Second, "three ways, cooperative again", func() bool {
		return len(d1.owned()) == 2 && len(d2.owned()) == 2 && len(d3.owned()) == 2 && cooperativeNow(true, d1, d2, d3)
	})
	for _, m := range []*member{d1, d2, d3} {
		calls, emptied := revokedSince(m, leftR)
		t.Logf("%s after r left: revoked %v", m.name, calls)
		if owning[m.name] && (len(calls) == 0 || !emptied) {
			t.Errorf("%s, eager, revoked %v when r left: want everything it owned", m.name, calls)
		}
	}
	left3 := time.Now()
	d3.stop(false)
	waitFor(t, 30*time.Second, "d1 and d2 to own everything", func() bool { return len(d1.owned())+len(d2.owned()) == 6 })
	for _, m := range []*member{d1, d2} {
		if calls, _ := revokedSince(m, left3); len(calls) > 0 {
			t.Errorf("%s revoked %v when d3 left a cooperative group, want nothing", m.name, calls)
		}
	}
	before := len(union(d1, d2))
	waitFor(t, 20*time.Second, "records after d3 left", func() bool { return len(union(d1, d2)) > before })

	all := []*member{d1, d2, d3, r}
	endAndConsume(t, stream, all...)
	checkOwnership(t, all...)
	if d := dups(union(all...)); len(d) > 0 {
		// Every revoke here commits first and every leader is a rawkafka
		// member, so nothing should come twice.
		t.Errorf("%d records delivered twice: %v", len(d), d[:min(len(d), 10)])
	}
	for _, m := range all {
		t.Logf("%s: %s; errors %v", m.name, m.kinds(), m.errors())
		if errs := m.errors(); len(errs) > 0 {
			t.Errorf("%s: Poll errors %v", m.name, errs)
		}
	}
	d1.stop(false)
	d2.stop(false)
}

package rawkafka

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationGroupChurnDelivers: three rawkafka members with range on a
// topic written to all the time; round after round one member leaves with
// CloseLeave and a new one joins. After each rebalance every partition of
// every member's new assignment must deliver records again: an eager
// revoke removes everything from the fetch engine (its broker loop may
// end and close its session) and the assignment adds partitions back, to
// be looked up (committed offset), validated and fetched. A partition left
// in a state nothing advances shows here as one that never delivers.
// 15 s is a bound on "at all", not a measure; the latencies are logged.
// With auto-commit the partitions start at committed offsets, validated
// against the leader (OffsetForLeaderEpoch); without commits, at the reset
// policy (ListOffsets).
func TestIntegrationGroupChurnDelivers(t *testing.T) {
	t.Run("committed", func(t *testing.T) { churnDelivers(t, 6) })
	t.Run("reset", func(t *testing.T) { churnDelivers(t, 3, "enable.auto.commit", "false") })
}

func churnDelivers(t *testing.T, rounds int, props ...string) {
	const partitions, bound = 6, 15 * time.Second
	topic := kafkatest.CreateTopic(t, "", partitions, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 12)
	n := 0
	newMember := func() *member {
		n++
		return startMember(t, fmt.Sprintf("m%d", n), groupProps(g, props...), topic)
	}
	live := []*member{newMember(), newMember(), newMember()}
	var all []*member
	all = append(all, live...)
	var worst time.Duration
	var waits int
	// once is one pass: false when a member was assigned again before its
	// last assignment's partitions all delivered (that assignment was
	// superseded), true when every partition delivered; it fails t when
	// one did not within bound.
	once := func(what string, mark time.Time, ms []*member) bool {
		t.Helper()
		waitFor(t, 30*time.Second, what+": the group to settle", func() bool {
			seen := map[TopicPartition]bool{}
			for _, m := range ms {
				if !lastAssigned(m).at.After(mark) {
					return false
				}
				for _, tp := range m.owned() {
					if seen[tp] {
						return false
					}
					seen[tp] = true
				}
			}
			return len(seen) == partitions
		})
		for _, m := range ms {
			a := lastAssigned(m)
			for _, tp := range a.parts {
				var first time.Time
				superseded := false
				if !kafkatest.Poll(bound, func() bool {
					if !lastAssigned(m).at.Equal(a.at) {
						superseded = true
						return true
					}
					first = firstRecordAfter(m, tp, a.at)
					return !first.IsZero()
				}) {
					t.Fatalf("%s: %s assigned to %s at %s delivered nothing within %v (%s)\nfetch state: %+v\nrebalances: %+v",
						what, tp, m.name, a.at.Format("15:04:05.000"), bound, m.kinds(), m.c.Metrics().Partitions[tp], m.c.Rebalances())
				}
				if superseded {
					return false
				}
				worst = max(worst, first.Sub(a.at))
				waits++
			}
		}
		return true
	}
	// settle waits until each of ms has been assigned after mark and
	// together they own every partition once, then until each partition
	// of those assignments delivered a record after it. A member assigned
	// again while settle waits (at the start a third member joins a group
	// of two a moment after the first round) makes settle start over with
	// the newer assignments, at most three times.
	settle := func(what string, mark time.Time, ms []*member) {
		t.Helper()
		for attempt := 1; ; attempt++ {
			if once(what, mark, ms) {
				return
			}
			if attempt == 3 {
				t.Fatalf("%s: members were assigned again during each of %d waits for delivery", what, attempt)
			}
			t.Logf("%s: a member was assigned again while delivery was awaited; waiting for the newer assignments", what)
		}
	}
	settle("start", time.Time{}, live)
	for r := range rounds {
		// The member that leaves changes each round, so the leader leaves
		// too, and the survivors get partitions another member had.
		leaving := live[r%len(live)]
		live = slices.DeleteFunc(live, func(m *member) bool { return m == leaving })
		mark := time.Now()
		leaving.stop(true)
		settle(fmt.Sprintf("round %d, %s left", r, leaving.name), mark, live)
		mark = time.Now()
		m := newMember()
		all = append(all, m)
		live = append(live, m)
		settle(fmt.Sprintf("round %d, %s joined", r, m.name), mark, live)
	}
	t.Logf("%d partition assignments checked; the longest from OnAssigned to the partition's first record: %v", waits, worst)
	endAndConsume(t, stream, all...)
	for _, m := range live {
		m.stop(true)
	}
	for _, m := range all {
		if errs := m.errors(); len(errs) > 0 {
			t.Errorf("%s: %v", m.name, errs)
		}
	}
}

// lastAssigned returns m's last OnAssigned event (the zero event before
// the first).
func lastAssigned(m *member) event {
	var last event
	for _, e := range m.snapshot() {
		if e.kind == "assigned" {
			last = e
		}
	}
	return last
}

// firstRecordAfter returns when m got its first record of tp after t; zero
// when none yet.
func firstRecordAfter(m *member, tp TopicPartition, t time.Time) time.Time {
	for _, e := range m.snapshot() {
		if e.kind == "record" && e.tp == tp && e.at.After(t) {
			return e.at
		}
	}
	return time.Time{}
}

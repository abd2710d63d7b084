package grouptest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// scenario is what a mixed-group test starts from: a new topic of its own,
// its group, and a context bounding every member's life.
type scenario struct {
	brokers, topic, group string
	parts                 []TopicPartition
	ctx                   context.Context
}

// newScenario creates a topic of n partitions; the context ends after
// timeout or with the test.
func newScenario(t *testing.T, n int, timeout time.Duration) scenario {
	t.Helper()
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", n, 1)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return scenario{brokers: brokers, topic: topic, group: "grouptest-" + topic, parts: Partitions(topic, n), ctx: ctx}
}

// killAfterCommit waits until the group has a commit of what m owns and
// m has printed a few records past it, kills m, and returns what m owned
// when it died and the group's committed offsets of those partitions
// then: the records from there on are the ones a successor may deliver
// again (RedeliveredAfterDeath).
func killAfterCommit(t *testing.T, brokers, group string, m Member) ([]TopicPartition, map[TopicPartition]int64) {
	t.Helper()
	WaitCommitted(t, 20*time.Second, brokers, group, m.Owned())
	WaitRecords(t, 20*time.Second, 3, m)
	if err := m.Kill(); err != nil {
		t.Fatal(err)
	}
	evs := m.Events()
	owned := evs[len(evs)-1].Partitions
	// A commit in flight at the signal lands. A fixed wait, since there is
	// no condition to wait for (nothing says a commit was in flight), and
	// it cannot flake: reading too early only gives a lower committed
	// offset, which excuses more duplicates, so the check gets weaker and
	// never fails wrongly.
	time.Sleep(300 * time.Millisecond)
	committed := CommittedOffsets(t, brokers, group, owned)
	t.Logf("%s killed owning %v; committed then: %v", m.Name(), owned, committed)
	return owned, committed
}

// endRun waits until the members have printed every id, then stops the
// ones still running (a kcat among them is stopped with nothing in
// flight: the stream has ended and everything is consumed).
func endRun(t *testing.T, ids []string, all, running []Member) {
	t.Helper()
	WaitConsumed(t, 30*time.Second, ids, all...)
	for _, m := range running {
		if err := m.Stop(20 * time.Second); err != nil {
			t.Error(err)
		}
	}
}

// consumedSomething fails the test for a member that printed no record:
// the scenario did not exercise what it says.
func consumedSomething(t *testing.T, c Consumption, members ...Member) {
	t.Helper()
	for _, m := range members {
		if c.ByMember[m.Name()] == 0 {
			t.Errorf("%s consumed nothing", m.Name())
		}
	}
}

// lastOwnershipChange is m's last Assigned, Revoked or Lost event (zero
// when it has none): Joined and JoinSent report rounds, not ownership.
func lastOwnershipChange(m Member) OwnershipEvent {
	evs := m.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		switch evs[i].Type {
		case Assigned, Revoked, Lost:
			return evs[i]
		}
	}
	return OwnershipEvent{}
}

// checkRun makes the checks every mixed-group scenario ends with, once
// every member has ended: the ownership intervals logged, no partition
// owned by two members at once (NoOverlap), each member's records within
// its ownership, every id produced consumed, and duplicates only as
// checkRedelivered allows (dead: the member killed, "" for none). On
// failure the test's cleanup logs every member's events.
func checkRun(t *testing.T, ids []string, dead string, committed map[TopicPartition]int64, members ...Member) (Consumption, []Interval) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ownership events:\n%s", FormatEvents(members...))
		}
	})
	ivs := IntervalsOf(members...)
	t.Logf("ownership intervals:\n%s", FormatIntervals(ivs))
	logMargins(t, ivs, members...)
	if err := NoOverlap(ivs, slack); err != nil {
		t.Errorf("NoOverlap: %v", err)
	}
	if err := RecordsWithinOwnership(members...); err != nil {
		t.Errorf("RecordsWithinOwnership: %v", err)
	}
	c := Consume(ids, AllRecords(members...))
	t.Log(c.Summary())
	if err := c.AllConsumed(); err != nil {
		t.Error(err)
	}
	checkRedelivered(t, c, dead, committed, members...)
	return c, ivs
}

// roster is the members of a rolling scenario by role ("rc", "java",
// ...): the current incarnation of each, and every incarnation so far.
type roster struct {
	order   []string
	current map[string]Member
	all     []Member
}

func newRoster(order ...string) *roster {
	return &roster{order: order, current: map[string]Member{}}
}

// live is the current incarnations, in role order.
func (r *roster) live() []Member {
	var out []Member
	for _, k := range r.order {
		if m, ok := r.current[k]; ok {
			out = append(out, m)
		}
	}
	return out
}

// set makes m role k's current incarnation.
func (r *roster) set(k string, m Member) {
	r.current[k] = m
	r.all = append(r.all, m)
}

// checkRedelivered fails the test for a record delivered twice that
// neither the death of dead (RedeliveredAfterDeath; "" when no member was
// killed) nor a Java member's cooperative revoke without a commit
// (UncommittedAtRevoke, logged) explains.
func checkRedelivered(t *testing.T, c Consumption, dead string, committed map[TopicPartition]int64, members ...Member) {
	t.Helper()
	var explained []Record
	for _, m := range members {
		explained = append(explained, UncommittedAtRevoke(m)...)
	}
	strict, n := c.Excluding(explained)
	if n > 0 {
		t.Logf("%d record(s) delivered twice, first by a Java member between the start of a round and its cooperative revoke in it (UncommittedAtRevoke: its auto-commit ran before the JoinGroup)", n)
	}
	var err error
	if dead == "" {
		err = strict.DuplicatesAfter(nil)
	} else {
		err = strict.RedeliveredAfterDeath(dead, committed)
	}
	if err != nil {
		t.Errorf("duplicates: %v", err)
		for _, d := range strict.Duplicates {
			if first := d.First(); first.Member == dead && d.Offset >= committed[d.TP] {
				if _, ok := committed[d.TP]; ok {
					continue // the dead member's, explained
				}
			}
			var by []string
			for _, r := range d.By {
				by = append(by, fmt.Sprintf("%s #%d at %s", r.Member, r.Seq, r.Time.Format("15:04:05.000")))
			}
			t.Logf("delivered twice: %s@%d %q: %s", d.TP, d.Offset, d.By[0].Value, strings.Join(by, ", "))
		}
	}
}

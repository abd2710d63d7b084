package grouptest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestEagerToCooperativeUpgrade is the two-step rolling upgrade KIP-429
// documents, with a stream of records written throughout: a group of
// rawconsume -G, the Java console consumer and kcat -G on range (eager);
// first every member is restarted with [cooperative-sticky, range], then
// every member with [cooperative-sticky] alone. Nothing may be lost, no
// partition owned by two members at any moment, and at the end the group
// must be cooperative: a member joining makes the others revoke only what
// moves (no member revokes everything it owns), and the group's protocol
// is cooperative-sticky.
//
// kcat cannot take the first step: librdkafka refuses a list that mixes
// eager and cooperative assignors. It stays on range through step one
// (the group keeps choosing range, the one assignor everybody offers) and
// is the first member of step two, going from range to cooperative-sticky
// while the others still offer both; after it, the group chooses
// cooperative-sticky. The Java consumer runs the eager protocol while range
// is in its list; rawconsume either does the same or follows the protocol
// of the assignor the group chose, generation by generation: the checks
// hold either way. kcat is stopped only with nothing in flight (the
// stream paused, everything written consumed; see TestMixedGroup).
func TestEagerToCooperativeUpgrade(t *testing.T) {
	began := time.Now()
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	group := "grouptest-" + topic
	parts := Partitions(topic, 6)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	kinds := map[string]func(testing.TB, Config) *Process{"rc": Rawconsume, "java": Java, "kcat": Kcat}
	current := map[string]Member{}
	order := []string{"rc", "java", "kcat"}
	var all []Member
	live := func() []Member {
		var out []Member
		for _, k := range order {
			if m, ok := current[k]; ok {
				out = append(out, m)
			}
		}
		return out
	}
	stream := StartStream(t, brokers, topic, "", 100000, 25*time.Millisecond)
	n := map[string]int{}
	// roll restarts member k with strategy s (starts it when new) and waits
	// for the group to settle.
	roll := func(k string, s Strategy) {
		t.Helper()
		if old, ok := current[k]; ok {
			if old.Kind() == "kcat" {
				stream.Pause()
				WaitConsumed(t, 30*time.Second, stream.Written(), all...)
			}
			if err := old.Stop(20 * time.Second); err != nil {
				t.Fatal(err)
			}
			if old.Kind() == "kcat" {
				stream.Resume()
			}
			delete(current, k)
		}
		n[k]++
		name := k + "#" + string(rune('0'+n[k]))
		m := start(t, ctx, kinds[k](t, roundsConfig(brokers, group, topic, name, s)))
		current[k] = m
		all = append(all, m)
		WaitStable(t, 40*time.Second, parts, live()...)
		WaitRecords(t, 20*time.Second, 2, m)
		t.Logf("%s on %s:\n%s", name, s, Ownership(live()...))
	}
	for _, k := range order {
		roll(k, Range)
	}
	t.Log("step 1: [cooperative-sticky, range] (kcat stays on range)")
	roll("rc", CooperativeStickyRange)
	roll("java", CooperativeStickyRange)
	t.Log("step 2: [cooperative-sticky], kcat first")
	roll("kcat", CooperativeSticky)
	roll("java", CooperativeSticky)
	roll("rc", CooperativeSticky)
	before := WaitSettled(t, 40*time.Second, quiet, parts, live()...)

	// The group is cooperative now: a member joining moves only what must
	// move.
	mark := time.Now()
	existing := live()
	joiner := start(t, ctx, Rawconsume(t, roundsConfig(brokers, group, topic, "joiner", CooperativeSticky)))
	all = append(all, joiner)
	after := WaitSettled(t, 40*time.Second, quiet, parts, append(existing, joiner)...)
	t.Logf("joiner: generation %d -> %d:\n%s", before, after, Ownership(append(existing, joiner)...))
	if after-before > 2 {
		t.Errorf("the join took %d rounds (generation %d -> %d), want at most 2", after-before, before, after)
	}
	revokedSome := false
	for _, m := range existing {
		for _, e := range FullRevokes(m) {
			if !e.When().Before(mark) {
				t.Errorf("%s revoked everything it owned when a member joined the upgraded group: %s", m.Name(), e.Line)
			}
		}
		for _, e := range m.Events() {
			if e.Type == Revoked && !e.When().Before(mark) {
				revokedSome = true
			}
			if e.Type == Joined && e.Generation == after && !strings.Contains(e.Line, "cooperative-sticky") && m.Kind() != "rawconsume" {
				t.Errorf("%s: generation %d is not cooperative-sticky: %s", m.Name(), after, e.Line)
			}
		}
	}
	if !revokedSome {
		t.Errorf("no member gave the joiner anything: the check above proved nothing")
	}

	ids := stream.Stop()
	members := append(existing, joiner)
	WaitConsumed(t, 30*time.Second, ids, all...)
	for _, m := range members {
		if err := m.Stop(20 * time.Second); err != nil {
			t.Error(err)
		}
	}
	ivs := IntervalsOf(all...)
	t.Logf("ownership intervals:\n%s", FormatIntervals(ivs))
	logMargins(t, ivs, all...)
	if err := NoOverlap(ivs, slack); err != nil {
		t.Errorf("NoOverlap: %v", err)
	}
	if err := RecordsWithinOwnership(all...); err != nil {
		t.Errorf("RecordsWithinOwnership: %v", err)
	}
	c := Consume(ids, AllRecords(all...))
	t.Log(c.Summary())
	if err := c.AllConsumed(); err != nil {
		t.Error(err)
	}
	// Every member stopped cleanly (each commits at revoke and close).
	checkRedelivered(t, c, "", nil, all...)
	if t.Failed() || testing.Verbose() {
		t.Logf("ownership events:\n%s", FormatEvents(all...))
	}
	t.Logf("took %v", time.Since(began).Round(time.Second))
}

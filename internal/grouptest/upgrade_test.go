package grouptest

import (
	"fmt"
	"strings"
	"testing"
	"time"
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
	sc := newScenario(t, 6, 3*time.Minute)
	brokers, topic, group, parts, ctx := sc.brokers, sc.topic, sc.group, sc.parts, sc.ctx
	kinds := map[string]func(testing.TB, Config) *Process{"rc": Rawconsume, "java": Java, "kcat": Kcat}
	r := newRoster("rc", "java", "kcat")
	stream := StartStream(t, brokers, topic, "", 100000, 25*time.Millisecond)
	n := map[string]int{}
	// roll restarts member k with strategy s (starts it when new) and waits
	// for the group to settle.
	roll := func(k string, s Strategy) {
		t.Helper()
		if old, ok := r.current[k]; ok {
			if old.Kind() == "kcat" {
				stream.Pause()
				WaitConsumed(t, 30*time.Second, stream.Written(), r.all...)
			}
			if err := old.Stop(20 * time.Second); err != nil {
				t.Fatal(err)
			}
			if old.Kind() == "kcat" {
				stream.Resume()
			}
			delete(r.current, k)
		}
		n[k]++
		name := fmt.Sprintf("%s#%d", k, n[k])
		m := start(t, ctx, kinds[k](t, roundsConfig(brokers, group, topic, name, s)))
		r.set(k, m)
		WaitStable(t, 40*time.Second, parts, r.live()...)
		WaitRecords(t, 20*time.Second, 2, m)
		t.Logf("%s on %s:\n%s", name, s, Ownership(r.live()...))
	}
	for _, k := range r.order {
		roll(k, Range)
	}
	t.Log("step 1: [cooperative-sticky, range] (kcat stays on range)")
	roll("rc", CooperativeStickyRange)
	roll("java", CooperativeStickyRange)
	t.Log("step 2: [cooperative-sticky], kcat first")
	roll("kcat", CooperativeSticky)
	roll("java", CooperativeSticky)
	roll("rc", CooperativeSticky)
	before := WaitSettled(t, 40*time.Second, quiet, parts, r.live()...)

	// The group is cooperative now: a member joining moves only what must
	// move.
	mark := time.Now()
	existing := r.live()
	joiner := start(t, ctx, Rawconsume(t, roundsConfig(brokers, group, topic, "joiner", CooperativeSticky)))
	r.set("joiner", joiner)
	after := WaitSettled(t, 40*time.Second, quiet, parts, append(existing, joiner)...)
	t.Logf("joiner: generation %d -> %d:\n%s", before, after, Ownership(append(existing, joiner)...))
	missed := MissedSyncs(before, after, append(existing, joiner)...)
	for _, m := range missed {
		t.Logf("joiner: a round more allowed: %s", m)
	}
	if after-before > 2+int32(len(missed)) {
		t.Errorf("the join took %d rounds (generation %d -> %d), want at most 2 (+%d for syncs refused by a racing rejoin)", after-before, before, after, len(missed))
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
	endRun(t, ids, r.all, append(existing, joiner))
	// Every member stopped cleanly (each commits at revoke and close).
	checkRun(t, ids, "", nil, r.all...)
	t.Logf("took %v", time.Since(began).Round(time.Second))
}

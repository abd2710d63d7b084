package grouptest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestStaticCooperativeRollingRestart is USE-CASES.md's recommended
// configuration, cooperative-sticky with static members, in a group of
// rawconsume -G (group.instance.id), kcat -G (-X group.instance.id) and
// the Java console consumer (--consumer-property group.instance.id), all
// three static, while a stream of records is written. Each member in turn
// is stopped (SIGTERM: a static member sends no LeaveGroup at close) and
// started again with the same instance id, within the session timeout.
// The group must not rebalance at all: the generation stays what it was
// (every incarnation joins the same generation, Joined events), the other
// members see no ownership change during each restart (NoRebalance), each
// new incarnation gets back exactly what its instance owned; every record
// is consumed and, as every stop commits, none twice but for what a Java
// revoke explains (UncommittedAtRevoke: none is expected, there is no
// rebalance). A member that did send LeaveGroup at close would fail the
// test: the coordinator rebalances at once when a member leaves.
//
// kcat is stopped only with nothing in flight (the stream paused and
// everything written consumed), as kcat can lose a record at SIGTERM
// (see TestMixedGroup).
func TestStaticCooperativeRollingRestart(t *testing.T) {
	began := time.Now()
	sc := newScenario(t, 6, 2*time.Minute)
	brokers, topic, group, parts, ctx := sc.brokers, sc.topic, sc.group, sc.parts, sc.ctx
	// Longer than groupConfig's 6 s: a JVM's restart on a loaded 2-core
	// machine must fit in it with room to spare.
	const session = 10 * time.Second
	static := func(name, instance string) Config {
		c := roundsConfig(brokers, group, topic, name, CooperativeSticky)
		c.InstanceID = instance
		c.SessionTimeout = session
		return c
	}
	type instance struct {
		id   string
		kind func(testing.TB, Config) *Process
	}
	instances := []instance{{"rc", Rawconsume}, {"kcat", Kcat}, {"java", Java}}
	r := newRoster("rc", "kcat", "java")
	for _, in := range instances {
		r.set(in.id, start(t, ctx, in.kind(t, static(in.id+"#1", in.id))))
		WaitSettled(t, 40*time.Second, quiet, parts, r.live()...)
	}
	gen := Generation(r.all...)
	t.Logf("3 static members, generation %d:\n%s", gen, Ownership(r.live()...))

	stream := StartStream(t, brokers, topic, "", 100000, 25*time.Millisecond)
	WaitRecords(t, 20*time.Second, 3, r.live()...)

	type window struct {
		restarted  string
		others     []Member
		from, till time.Time
	}
	var windows []window
	for _, in := range instances {
		old := r.current[in.id]
		others := without(r.live(), old)
		if old.Kind() == "kcat" {
			stream.Pause()
			WaitConsumed(t, 30*time.Second, stream.Written(), r.all...)
		}
		before := old.Owned()
		from := time.Now()
		if err := old.Stop(20 * time.Second); err != nil {
			t.Fatal(err)
		}
		if old.Kind() == "kcat" {
			stream.Resume()
		}
		nu := start(t, ctx, in.kind(t, static(in.id+"#2", in.id)))
		r.set(in.id, nu)
		WaitStable(t, 30*time.Second, parts, r.live()...)
		took := time.Since(from)
		t.Logf("%s restarted in %v (stop %s, start %s, assignment back)", in.id, took.Round(time.Millisecond), old.Name(), nu.Name())
		if took >= session {
			t.Fatalf("%s's restart took %v, not within the session timeout %v: the test proves nothing", in.id, took, session)
		}
		if got := nu.Owned(); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Errorf("%s owns %v after its restart, its instance owned %v", nu.Name(), got, before)
		}
		if g := Generation(nu); g != gen {
			t.Errorf("%s joined generation %d, the group was in %d: a rebalance", nu.Name(), g, gen)
		}
		WaitRecords(t, 20*time.Second, 3, nu)
		windows = append(windows, window{in.id, others, from, time.Now()})
		for _, l := range strings.Split(old.Output(), "\n") {
			if strings.Contains(l, "LeaveGroup") || strings.Contains(l, "leave group") || strings.Contains(l, "Leaving group") {
				t.Logf("%s at close: %s", old.Name(), l)
			}
		}
	}
	// An absence: a rebalance started by the last restart (a LeaveGroup,
	// or the coordinator dropping an old incarnation) shows within a
	// heartbeat interval. A fixed wait, since an absence has no condition
	// to wait for, and it cannot flake: a rebalance that shows later only
	// escapes the check below, which never fails wrongly for it.
	time.Sleep(quiet)
	ids := stream.Stop()
	WaitConsumed(t, 30*time.Second, ids, r.all...)
	if g := Generation(r.all...); g != gen {
		t.Errorf("generation %d at the end, %d before the restarts", g, gen)
	}
	for _, w := range windows {
		for _, m := range w.others {
			if err := NoRebalance(m, w.from, w.till); err != nil {
				t.Errorf("while %s restarted: %v", w.restarted, err)
			}
		}
	}
	endRun(t, ids, r.all, r.live())
	// Every stop committed: no duplicate is allowed (dead "").
	c, _ := checkRun(t, ids, "", nil, r.all...)
	consumedSomething(t, c, r.all...)
	t.Logf("took %v", time.Since(began).Round(time.Second))
}

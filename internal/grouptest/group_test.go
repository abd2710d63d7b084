package grouptest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// slack is how far apart two members' timestamps may be and still not
// prove an overlap (see the package doc).
const slack = 10 * time.Millisecond

// groupConfig is the small timeouts the issues ask for.
func groupConfig(brokers, group, topic, name string, s Strategy) Config {
	return Config{Name: name, Brokers: brokers, Group: group, Topics: []string{topic}, Strategy: s,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 2 * time.Second, AutoCommitInterval: 2 * time.Second}
}

func start(t *testing.T, ctx context.Context, m Member) Member {
	t.Helper()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMixedGroup runs kcat -G members, a Java console consumer and a
// rawconsume -G member in one group while a stream of records
// is written; one member leaves with Close (SIGTERM), one is killed.
// Everything produced must be consumed, no partition owned twice at once,
// every member must consume only what it owns, and records delivered twice
// must all be at or after the offsets committed when the killed member
// died.
//
// range: rawconsume is the leader (it joins first) and is killed, the Java
// member stops. roundrobin: the Java member leads, rawconsume stops, a kcat
// member is killed. cooperative-sticky runs in TestCooperativeMixedLeaders,
// each kind leading in turn. No kcat is the member that stops: a kcat stopped
// mid-stream can lose a record (kcat.c's consume_cb returns without
// printing what it polls after SIGTERM, though librdkafka has stored the
// offset, so the commit at close covers it); see TestStaticMemberRestart.
func TestMixedGroup(t *testing.T) {
	for _, tc := range []struct {
		strategy     Strategy
		leader       string // the member that joins first
		stop, kill   string // member names
		rawconsume   bool   // a rawconsume member (rc-1) joins too
		records      int
		recordsEvery time.Duration
	}{
		{Range, "rc-1", "java-1", "rc-1", true, 500, 40 * time.Millisecond},
		{RoundRobin, "java-1", "rc-1", "kcat-2", true, 500, 40 * time.Millisecond},
	} {
		t.Run(string(tc.strategy), func(t *testing.T) {
			sc := newScenario(t, 6, 2*time.Minute)
			brokers, topic, group, parts, ctx := sc.brokers, sc.topic, sc.group, sc.parts, sc.ctx

			members := map[string]Member{
				"kcat-1": Kcat(t, groupConfig(brokers, group, topic, "kcat-1", tc.strategy)),
				"kcat-2": Kcat(t, groupConfig(brokers, group, topic, "kcat-2", tc.strategy)),
				"java-1": Java(t, groupConfig(brokers, group, topic, "java-1", tc.strategy)),
			}
			all := []Member{members["kcat-1"], members["kcat-2"], members["java-1"]}
			if tc.rawconsume {
				members["rc-1"] = Rawconsume(t, groupConfig(brokers, group, topic, "rc-1", tc.strategy))
				all = append(all, members["rc-1"])
			}
			first := members[tc.leader]
			var rest []Member
			for _, m := range all {
				if m != first {
					rest = append(rest, m)
				}
			}

			stream := StartStream(t, brokers, topic, "", tc.records, tc.recordsEvery)
			start(t, ctx, first)
			WaitStable(t, 30*time.Second, parts, first)
			for _, m := range rest {
				start(t, ctx, m)
			}
			WaitStable(t, 30*time.Second, parts, all...)
			WaitRecords(t, 20*time.Second, 5, all...)
			t.Logf("%d members:\n%s", len(all), Ownership(all...))

			stopped, killed := members[tc.stop], members[tc.kill]
			if err := stopped.Stop(20 * time.Second); err != nil {
				t.Fatal(err)
			}
			var live []Member
			for _, m := range all {
				if m != stopped {
					live = append(live, m)
				}
			}
			WaitStable(t, 30*time.Second, parts, live...)
			t.Logf("after %s stopped:\n%s", stopped.Name(), Ownership(live...))

			// Let the killed member commit, then consume past its commit.
			deadOwned, committed := killAfterCommit(t, brokers, group, killed)
			var survivors []Member
			for _, m := range live {
				if m != killed {
					survivors = append(survivors, m)
				}
			}
			// The coordinator notices after session.timeout.ms.
			WaitStable(t, 30*time.Second, parts, survivors...)

			ids := stream.Wait()
			endRun(t, ids, all, survivors)

			c, ivs := checkRun(t, ids, killed.Name(), committed, all...)
			// Each member consumed something, and the killed member
			// owned something when it died: the test exercised what it says.
			consumedSomething(t, c, all...)
			if len(deadOwned) == 0 {
				t.Errorf("%s owned nothing when killed", killed.Name())
			}
			// Every member's ownership was seen to end: by a revoke on Stop,
			// by the kill, by the survivors' Stop.
			for _, iv := range ivs {
				if iv.Open() {
					t.Errorf("interval still open after every member ended: %s", iv)
				}
			}
			if last := lastOwnershipChange(stopped); !strings.Contains(last.Line, "evoke") {
				t.Errorf("%s's last ownership change is not a revoke: %+v", stopped.Name(), last)
			}
		})
	}
}

// TestStaticMemberRestart restarts a static member (group.instance.id)
// within the session timeout: a rawconsume member after a Close (SIGTERM:
// a static member sends no LeaveGroup) mid-stream, or a kcat member after a
// kill. It must get its partitions back and the other member (a kcat, the
// leader: it joined first) must see no rebalance. Then, as a control, a
// dynamic member joins, and NoRebalance must see that rebalance on the
// other member. Nothing may be delivered twice after a Close, and after a
// kill only from the offsets committed when it died. Last, in the stop
// case, a second rawconsume with the restarted member's group.instance.id
// joins: the restarted one is fenced and must exit non-zero saying so.
func TestStaticMemberRestart(t *testing.T) {
	for _, kill := range []bool{false, true} {
		name := "stop"
		if kill {
			name = "kill"
		}
		t.Run(name, func(t *testing.T) { staticRestart(t, kill) })
	}
}

func staticRestart(t *testing.T, kill bool) {
	sc := newScenario(t, 4, 2*time.Minute)
	brokers, topic, group, parts, ctx := sc.brokers, sc.topic, sc.group, sc.parts, sc.ctx

	static := func(name, instance string) Config {
		c := groupConfig(brokers, group, topic, name, Range)
		c.InstanceID = instance
		return c
	}
	// kcat stopped mid-stream can lose a record (kcat.c's consume_cb
	// returns without printing a record polled after SIGTERM, though
	// librdkafka has already stored its offset, so the commit at close
	// covers a record nobody printed: one record missing in about one run
	// of three): the member stopped is rawconsume, which commits only what
	// it printed, and it stops with records in flight.
	kind := Rawconsume
	if kill {
		kind = Kcat
	}
	other := start(t, ctx, Kcat(t, static("other", "static-2")))
	WaitStable(t, 30*time.Second, parts, other)
	s1 := start(t, ctx, kind(t, static("static-1#1", "static-1")))
	WaitStable(t, 30*time.Second, parts, other, s1)
	before := s1.Owned()
	stream := StartStream(t, brokers, topic, "", 150, 30*time.Millisecond)
	WaitRecords(t, 20*time.Second, 5, s1, other)

	from := time.Now()
	var committed map[TopicPartition]int64
	if kill {
		// Past an automatic commit, and some records beyond it.
		WaitCommitted(t, 20*time.Second, brokers, group, before)
		WaitRecords(t, 20*time.Second, 3, s1)
		if err := s1.Kill(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // as in TestMixedGroup: reading early only weakens the check
		committed = CommittedOffsets(t, brokers, group, before)
		t.Logf("static-1#1 killed owning %v; committed then: %v", before, committed)
	} else if err := s1.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	s2 := start(t, ctx, kind(t, static("static-1#2", "static-1")))
	WaitStable(t, 30*time.Second, parts, other, s2)
	if restart := time.Since(from); restart > 6*time.Second {
		t.Fatalf("the restart took %v, longer than the session timeout", restart)
	}
	if got := s2.Owned(); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("restarted static member owns %v, before it owned %v", got, before)
	}
	// Past the old session's end: a rebalance the coordinator would start
	// for the old instance would have come by now.
	// An absence: a rebalance later than this would escape the check,
	// never fail it wrongly.
	time.Sleep(7 * time.Second)
	if err := NoRebalance(other, from, time.Now()); err != nil {
		t.Errorf("NoRebalance: %v", err)
	}
	ids := stream.Wait()
	WaitConsumed(t, 30*time.Second, ids, s1, s2, other)

	// Control: a dynamic member joining is a rebalance the others see.
	mark := time.Now()
	dyn := start(t, ctx, Kcat(t, groupConfig(brokers, group, topic, "dynamic", Range)))
	WaitStable(t, 30*time.Second, parts, other, s2, dyn)
	if err := NoRebalance(other, mark, time.Now()); err == nil {
		t.Errorf("NoRebalance saw nothing when a member joined")
	}
	var s3 Member
	if !kill {
		// The same group.instance.id twice: the coordinator gives the
		// newcomer the instance's place, and the one it replaced is fenced
		// (FENCED_INSTANCE_ID) at its next heartbeat. Its ownership
		// overlaps the newcomer's until then (the zombie window static
		// membership has), so s3 stays out of the checks below.
		s3 = start(t, ctx, Rawconsume(t, static("static-1#3", "static-1")))
		select {
		case <-s2.Done():
		case <-time.After(20 * time.Second):
			t.Fatalf("%s, fenced by %s, still runs after 20 s", s2.Name(), s3.Name())
		}
		out := lastLines(s2.Output(), 3)
		if s2.(*Process).Err() == nil || !strings.Contains(out, "% ERROR: Group "+group+": fenced: another consumer joined with group.instance.id=static-1") {
			t.Errorf("%s, fenced: exit %v, want non-zero and the fencing in its last lines:\n%s", s2.Name(), errOrOK(s2.(*Process).Err()), out)
		}
	}
	for _, m := range []Member{dyn, s2, other, s3} {
		if m == nil || (m == s2 && !kill) {
			continue
		}
		if err := m.Stop(10 * time.Second); err != nil {
			t.Error(err)
		}
	}
	// After a Close rawconsume has committed what it printed: nothing comes twice
	// (committed is nil). After a kill, only from the offsets committed then.
	c, _ := checkRun(t, ids, s1.Name(), committed, s1, s2, other, dyn)
	if c.ByMember["static-1#1"] == 0 || c.ByMember["static-1#2"] == 0 {
		t.Errorf("a static incarnation consumed nothing: %v", c.ByMember)
	}
}

// logMargins logs the overlaps within the slack and the closest hand-over
// between two members: how near the run came to what NoOverlap can prove.
func logMargins(t *testing.T, ivs []Interval, members ...Member) {
	t.Helper()
	// The Java client stamps its lines: Time-ClientTime is how late the
	// harness read them (plus up to 1 ms of the stamp's truncation).
	var worst time.Duration
	n := 0
	for _, m := range members {
		for _, e := range m.Events() {
			if !e.ClientTime.IsZero() {
				n++
				worst = max(worst, e.Time.Sub(e.ClientTime))
			}
		}
	}
	if n > 0 {
		t.Logf("%d client-stamped events read at most %v after their stamp", n, worst)
	}
	for _, o := range Overlaps(ivs, slack) {
		t.Logf("overlap: %s", o)
	}
	hs := Handovers(ivs)
	if len(hs) == 0 {
		return
	}
	closest := slices.MinFunc(hs, func(a, b Handover) int { return cmp.Compare(a.Gap, b.Gap) })
	t.Logf("%d hand-overs between members; the closest: %s from %s to %s, gap %v (slack %v)",
		len(hs), closest.TP, closest.From.Member, closest.To.Member, closest.Gap, slack)
}

// TestNoOverlapCatchesTwoOwners is the negative control with real
// processes: two kcat members in two different groups both own every
// partition of one topic, and NoOverlap must say so, as it would for two
// members of one group that a broken client let overlap.
func TestNoOverlapCatchesTwoOwners(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	parts := Partitions(topic, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := start(t, ctx, Kcat(t, groupConfig(brokers, "grouptest-a-"+topic, topic, "a", Range)))
	b := start(t, ctx, Kcat(t, groupConfig(brokers, "grouptest-b-"+topic, topic, "b", Range)))
	WaitStable(t, 30*time.Second, parts, a)
	WaitStable(t, 30*time.Second, parts, b)
	time.Sleep(2 * slack) // both own everything from here on: the overlap is at least this long
	for _, m := range []Member{a, b} {
		if err := m.Stop(10 * time.Second); err != nil {
			t.Error(err)
		}
	}
	ivs := IntervalsOf(a, b)
	t.Logf("ownership intervals:\n%s", FormatIntervals(ivs))
	err := NoOverlap(ivs, slack)
	if err == nil {
		t.Fatal("NoOverlap found nothing")
	}
	for _, tp := range parts {
		if !strings.Contains(err.Error(), tp.String()+" owned by a and b at once") && !strings.Contains(err.Error(), tp.String()+" owned by b and a at once") {
			t.Errorf("%s not reported: %v", tp, err)
		}
	}
}

package group

import (
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// triggerRows: (member, event) → the member's Trigger after the step. A
// rebalance's trigger is set by the event that begins it, kept through
// every retry of the round and cleared by the SyncGroup that completes it.
var triggerRows = []struct {
	name  string
	from  func() Member
	ev    Event
	cause Cause
	at    int // ms after t0; ignored for CauseNone
}{
	{"start: first join", fIdle, Start{Now: at(5), Topics: []string{"a"}}, CauseFirstJoin, 5},
	{"the first join's member id retry keeps it", fJoining, JoinResponse{Now: at(7), Err: protocol.ErrMemberIdRequired, MemberID: "m9"}, CauseFirstJoin, 0},
	{"sync completes the first join", fAwaitingSync, syncOK(at(20), 1, "a/0"), CauseNone, 0},
	{"stable: no rebalance", fStable, Tick{Now: at(3010)}, CauseNone, 0},
	{"heartbeat: rebalance in progress", fStableHB, hb(1, "m2", protocol.ErrRebalanceInProgress), CauseRebalanceInProgress, 3020},
	{"heartbeat: unknown member", fStableHB, hb(1, "m2", protocol.ErrUnknownMemberId), CauseUnknownMember, 3020},
	{"heartbeat: illegal generation", fStableHB, hb(1, "m2", protocol.ErrIllegalGeneration), CauseIllegalGeneration, 3020},
	{"heartbeat: coordinator lost keeps the membership", fStableHB, hb(1, "m2", protocol.ErrNotCoordinator), CauseNone, 0},
	{"subscription changed", fStable, SubscriptionChanged{Now: at(30), Topics: []string{"a", "b"}}, CauseSubscriptionChanged, 30},
	{"subscription changed while the coordinator is looked up", func() Member { return reach(fStableHB(), hb(1, "m2", protocol.ErrNotCoordinator)) },
		SubscriptionChanged{Now: at(40), Topics: []string{"b"}}, CauseSubscriptionChanged, 40},
	{"leader: metadata changed", func() Member {
		return reach(fAssigning(), AssignmentComputed{Now: at(11), Generation: 1, PartitionCounts: map[string]int32{"a": 2}}, syncOK(at(20), 1, "a/0"))
	}, MetadataChanged{Now: at(50), PartitionCounts: map[string]int32{"a": 3}}, CauseMetadataChanged, 50},
	{"pattern: other topics match", func() Member {
		c := testConfig()
		c.Match = func(t string) bool { return t != "x" }
		m, _ := New(c)
		return reach(m, Start{Now: t0}, CoordinatorFound{Now: t0}, joinOK(at(10), "m2", 1, "m1"), syncOK(at(20), 1, ""))
	}, MetadataChanged{Now: at(60), PartitionCounts: map[string]int32{"a": 1, "x": 1}}, CausePatternMatched, 60},
	{"poll interval exceeded", func() Member { return alive(fStable()) }, Tick{Now: at(60010)}, CausePollInterval, 60010},
	{"the poll after the poll interval keeps it", fUnjoined, Poll{Now: at(70000)}, CausePollInterval, 60010},
	{"eager revoke done: the join keeps it", fRevoking, RevokeDone{Now: at(35)}, CauseSubscriptionChanged, 30},
	{"sync: assignment outside the subscription rejoins", fAwaitingSync, syncOK(at(20), 1, "a/0 x/0"), CauseAssignmentOutsideSubscription, 20},
	{"sync: the subscription changed during the round", func() Member { return reach(fAwaitingSync(), SubscriptionChanged{Now: at(15), Topics: []string{"b"}}) },
		syncOK(at(20), 1, "b/0"), CauseChangedDuringRebalance, 20},
	{"sync: rebalance in progress keeps the round's", func() Member {
		return reach(fStableHB(), hb(1, "m2", protocol.ErrRebalanceInProgress), RevokeDone{Now: at(3030)}, joinOK(at(3040), "m2", 2, "m1"))
	}, SyncResponse{Now: at(3050), Generation: 2, Err: protocol.ErrRebalanceInProgress}, CauseRebalanceInProgress, 3020},
	{"close while revoking: the round is not over", fRevoking, Close{Now: at(40)}, CauseSubscriptionChanged, 30},
	{"closed", fLeaving, LeaveResponse{Now: at(50)}, CauseNone, 0},
}

func TestTrigger(t *testing.T) {
	for _, r := range triggerRows {
		before := r.from()
		m, _ := before.Step(r.ev)
		want := Trigger{}
		if r.cause != CauseNone {
			want = Trigger{Cause: r.cause, At: at(r.at)}
			if r.at == 0 {
				want.At = before.Trigger().At // kept from before the step
			}
		}
		if got := m.Trigger(); got.Cause != want.Cause || !got.At.Equal(want.At) {
			t.Errorf("%s: %s --%T--> Trigger() = {%v @%d}, want {%v @%d}", r.name, before.State(), r.ev,
				got.Cause, got.At.Sub(t0).Milliseconds(), want.Cause, want.At.Sub(t0).Milliseconds())
		}
	}
}

// TestTriggerCooperativeFollowUp: the SyncGroup that revokes partitions
// completes its round and begins the follow-up join's, in one step.
func TestTriggerCooperativeFollowUp(t *testing.T) {
	m := coopStable(t)
	m, _ = m.Step(Tick{Now: at(4000)})
	m, _ = m.Step(asCoop(HeartbeatResponse{Now: at(4010), Generation: 5, MemberID: "m2", Err: protocol.ErrRebalanceInProgress}))
	if tr := m.Trigger(); tr.Cause != CauseRebalanceInProgress || !tr.At.Equal(at(4010)) {
		t.Fatalf("after the heartbeat: %+v", tr)
	}
	m, _ = m.Step(asCoop(joinOK(at(4100), "m2", 6, "m1")))
	m, acts := m.Step(asCoop(syncOK(at(4200), 6, "a/0 b/0")))
	if got := describeAll(acts); len(got) < 3 || got[1] != "revoke [a/1]" || got[2] != "assign []" {
		t.Fatalf("sync: %q", got)
	}
	if tr := m.Trigger(); tr.Cause != CauseRevokedRejoin || !tr.At.Equal(at(4200)) {
		t.Fatalf("after the revoking sync: %+v", tr)
	}
}

func TestCauseString(t *testing.T) {
	seen := map[string]bool{}
	for c := range numCauses {
		s := c.String()
		if s == "" || seen[s] {
			t.Errorf("cause %d: name %q empty or repeated", c, s)
		}
		seen[s] = true
	}
	if got := Cause(200).String(); got != "Cause(200)" {
		t.Errorf("unknown cause: %q", got)
	}
}

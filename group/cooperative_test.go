package group

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// coopRange is the cooperative test assignor, until the real
// cooperative-sticky is merged: range's assignment, declared cooperative,
// minus every partition that another member owns now, so that no
// partition changes owner in one round (its owner revokes it, rejoins, and
// the next round hands it out).
type coopRange struct{}

func (coopRange) Name() string { return "coop-range" }
func (coopRange) RebalanceProtocols() []assignor.RebalanceProtocol {
	return []assignor.RebalanceProtocol{assignor.Eager, assignor.Cooperative}
}
func (coopRange) SubscriptionUserData(assignor.Member) []byte   { return nil }
func (coopRange) OnAssignment(assignor.Assignment, int32) error { return nil }
func (coopRange) Assign(g assignor.Group) (map[string]assignor.Assignment, error) {
	r, err := assignor.Range.Assign(g)
	if err != nil {
		return nil, err
	}
	r, _ = validateCooperative(g.Members, r)
	return r, nil
}

func coopConfig() Config {
	c := testConfig()
	c.Assignors = []assignor.Assignor{coopRange{}}
	return c
}

// asCoop renames the chosen protocol of the scripts' answers ("range") to
// the cooperative test assignor's.
func asCoop(ev Event) Event {
	switch r := ev.(type) {
	case JoinResponse:
		if r.ProtocolName != nil && *r.ProtocolName == "range" {
			r.ProtocolName = str("coop-range")
		}
		return r
	case SyncResponse:
		if r.ProtocolName != nil && *r.ProtocolName == "range" {
			r.ProtocolName = str("coop-range")
		}
		return r
	}
	return ev
}

// coop turns a script's events into the cooperative protocol's.
func coop(script []line) []line {
	out := slices.Clone(script)
	for i := range out {
		out[i].ev = asCoop(out[i].ev)
	}
	return out
}

// coopStable is a cooperative follower m2, Stable in generation 5 with a/0
// a/1 b/0, its first quick heartbeat (fastChecks) due at 1000+50.
func coopStable(t *testing.T) Member {
	return run(t, newMember(t, coopConfig()), coop([]line{
		{Start{Now: at(0), Topics: []string{"a", "b"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: at(0)}, Joining, []string{`join member="" gen=-1 topics=[a b]`}},
		{joinOK(at(1000), "m2", 5, "m1"), AwaitingSync, []string{"sync gen=5 member=\"m2\" protocol=coop-range assignments=0", "timer @..."}},
		{syncOK(at(1000), 5, "a/0 a/1 b/0"), Stable, []string{"assign [a/0 a/1 b/0]", "timer @1050"}}, // the first quick heartbeat
	}))
}

func TestNewAcceptsCooperative(t *testing.T) {
	m := newMember(t, coopConfig())
	if m.Rebalance() != assignor.Cooperative {
		t.Fatalf("Rebalance() = %v", m.Rebalance())
	}
	// Before a generation, the protocol of the first assignor: the one
	// the member votes for.
	c := coopConfig()
	c.Assignors = []assignor.Assignor{assignor.Range, coopRange{}}
	if m := newMember(t, c); m.Rebalance() != assignor.Eager {
		t.Fatalf("range first: Rebalance() = %v", m.Rebalance())
	}
}

// TestCooperativeRebalance: a rebalance revokes nothing before the join,
// the JoinGroup carries the owned partitions, and the SyncGroup revokes
// only what moved (committed first, in the new generation), assigns only
// what was added, keeps the rest, and rejoins after RevokeDone.
func TestCooperativeRebalance(t *testing.T) {
	m := coopStable(t)
	m = run(t, m, coop([]line{
		{HeartbeatResponse{Now: at(4000), Generation: 5, MemberID: "m2", Err: protocol.ErrRebalanceInProgress}, Stable, nil},
	}))
	m, _ = m.Step(Tick{Now: at(4000)})
	m = run(t, m, coop([]line{
		{HeartbeatResponse{Now: at(4000), Generation: 5, MemberID: "m2", Err: protocol.ErrRebalanceInProgress}, Joining,
			[]string{`join member="m2" gen=5 topics=[a b] owned=[a/0 a/1 b/0] reason="group is already rebalancing"`, "timer off"}},
	}))
	if got := fmtTPs(flatten(m.joinProtocols()[0].Subscription.OwnedPartitions)); got != "[a/0 a/1 b/0]" {
		t.Fatalf("owned in the subscription: %s", got)
	}
	m = run(t, m, coop([]line{
		{joinOK(at(5000), "m2", 6, "m1"), AwaitingSync, []string{"sync gen=6 ...", "timer @..."}},
		{syncOK(at(5000), 6, "a/1 b/0 b/1"), Revoking, []string{"commit [a/0] gen=6", "revoke [a/0]", "assign [b/1]"}},
		{RevokeDone{Now: at(5100)}, Joining, []string{`join member="m2" gen=6 topics=[a b] owned=[a/1 b/0 b/1] reason="need to revoke partitions and re-join"`, "timer off"}},
		{joinOK(at(5200), "m2", 7, "m1"), AwaitingSync, []string{"sync gen=7 ...", "timer @..."}},
		{syncOK(at(5200), 7, "a/1 b/0 b/1"), Stable, []string{"assign []", "timer @5250"}},
	}))
	if got := fmtTPs(m.Owned()); got != "[a/1 b/0 b/1]" {
		t.Fatalf("owned %s", got)
	}
}

// TestCooperativeLost: with the generation gone the kept partitions are
// lost (no commit), as in eager, and the join waits for RevokeDone.
func TestCooperativeLost(t *testing.T) {
	m := coopStable(t)
	m, _ = m.Step(Tick{Now: at(4000)})
	run(t, m, coop([]line{
		{HeartbeatResponse{Now: at(4000), Generation: 5, MemberID: "m2", Err: protocol.ErrUnknownMemberId}, Revoking,
			[]string{"lose [a/0 a/1 b/0] (...UNKNOWN_MEMBER_ID...)", "timer off"}},
		{RevokeDone{Now: at(4100)}, Joining, []string{`join member="" gen=-1 topics=[a b] reason=...`}},
	}))
}

// TestCooperativeLostDuringJoin: a JoinGroup or SyncGroup that says the
// member is unknown loses what the member kept through the round.
func TestCooperativeLostDuringJoin(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"join unknown member", joinErr(at(5000), protocol.ErrUnknownMemberId)},
		{"sync illegal generation", SyncResponse{Now: at(5000), Generation: 6, Err: protocol.ErrIllegalGeneration}},
	} {
		m := coopStable(t)
		m = reach(m, SubscriptionChanged{Now: at(4000), Topics: []string{"a", "b", "c"}})
		if m.State() != Joining {
			t.Fatalf("%s: %s after a subscription change", tc.name, m.State())
		}
		if _, ok := tc.ev.(SyncResponse); ok {
			m = reach(m, asCoop(joinOK(at(4500), "m2", 6, "m1")))
		}
		next, acts := m.Step(tc.ev)
		if got := describeAll(acts); next.State() != Revoking || len(got) == 0 || !glob("lose [a/0 a/1 b/0] (...)", got[0]) {
			t.Fatalf("%s: %s %v", tc.name, next.State(), got)
		}
		m = next
		checkStep(t, tc.name, m, RevokeDone{Now: at(5100)}, Joining, []string{"join ..."})
	}
}

// TestCooperativeSubscriptionChange: the owned partitions of a topic no
// longer subscribed are revoked (committed first) before the join; the
// rest are kept.
func TestCooperativeSubscriptionChange(t *testing.T) {
	m := coopStable(t)
	run(t, m, coop([]line{
		{SubscriptionChanged{Now: at(2000), Topics: []string{"a"}}, Revoking, []string{"commit [b/0] gen=5", "revoke [b/0]"}},
		{RevokeDone{Now: at(2100)}, Joining, []string{`join member="m2" gen=5 topics=[a] owned=[a/0 a/1] reason="the subscription changed"`, "timer off"}},
		{joinOK(at(2200), "m2", 6, "m1"), AwaitingSync, []string{"sync gen=6 ...", "timer @..."}},
		{syncOK(at(2200), 6, "a/0 a/1"), Stable, []string{"assign []", "timer @2250"}},
	}))
	// Only added topics: join at once, nothing revoked.
	run(t, coopStable(t), coop([]line{
		{SubscriptionChanged{Now: at(2000), Topics: []string{"a", "b", "c"}}, Joining, []string{`join member="m2" gen=5 topics=[a b c] owned=[a/0 a/1 b/0] reason="the subscription changed"`, "timer off"}},
	}))
}

// TestCooperativeCoordinatorMoves: the coordinator moves in the middle of
// a cooperative rebalance; the kept partitions stay owned, the join is
// redone with them at the new coordinator.
func TestCooperativeCoordinatorMoves(t *testing.T) {
	m := coopStable(t)
	m = run(t, m, coop([]line{
		{SubscriptionChanged{Now: at(2000), Topics: []string{"a", "b", "c"}}, Joining, []string{"join ...", "timer off"}},
		{joinErr(at(2100), protocol.ErrNotCoordinator), FindingCoordinator, []string{"timer @2200"}},
		{Tick{Now: at(2200)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
		{CoordinatorFound{Now: at(2300)}, Joining, []string{`join member="m2" gen=5 topics=[a b c] owned=[a/0 a/1 b/0] ...`}},
		{joinOK(at(2400), "m2", 6, "m1"), AwaitingSync, []string{"sync gen=6 ...", "timer @..."}},
		{RequestFailed{Now: at(2500), API: protocol.KeySyncGroup}, FindingCoordinator, []string{"..."}},
	}))
	if got := fmtTPs(m.Owned()); got != "[a/0 a/1 b/0]" {
		t.Fatalf("owned after the coordinator moved: %s", got)
	}
	m = reach(m, Tick{Now: at(5000)}, CoordinatorFound{Now: at(5000)})
	if m.State() != Joining {
		t.Fatalf("%s after the coordinator was found again", m.State())
	}
	run(t, m, coop([]line{
		{joinOK(at(5100), "m2", 7, "m1"), AwaitingSync, []string{"sync gen=7 ...", "timer @..."}},
		{syncOK(at(5100), 7, "a/0 c/0"), Revoking, []string{"commit [a/1 b/0] gen=7", "revoke [a/1 b/0]", "assign [c/0]"}},
	}))
}

// TestCooperativeClose: Close during the revoke of a cooperative round
// revokes the rest after RevokeDone; a static member sends no LeaveGroup
// and closes while the group goes on rebalancing (franz-go #1483, #1500).
func TestCooperativeClose(t *testing.T) {
	cfg := coopConfig()
	cfg.InstanceID = "i1"
	m := run(t, newMember(t, cfg), coop([]line{
		{Start{Now: at(0), Topics: []string{"a", "b"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: at(0)}, Joining, []string{`join member="" gen=-1 topics=[a b] instance=i1`}},
		{joinOK(at(1000), "m2", 5, "m1"), AwaitingSync, []string{"sync ...", "timer @..."}},
		{syncOK(at(1000), 5, "a/0 a/1"), Stable, []string{"assign [a/0 a/1]", "timer @1050"}},
		{SubscriptionChanged{Now: at(2000), Topics: []string{"a", "b", "c"}}, Joining, []string{"join ...", "timer off"}},
		{joinOK(at(2100), "m2", 6, "m1"), AwaitingSync, []string{"sync gen=6 ...", "timer @..."}},
		{syncOK(at(2100), 6, "a/0 b/0"), Revoking, []string{"commit [a/1] gen=6", "revoke [a/1]", "assign [b/0]"}},
		{Close{Now: at(2200)}, Revoking, nil},
		{RevokeDone{Now: at(2300)}, Revoking, []string{"commit [a/0 b/0] gen=6", "revoke [a/0 b/0]"}},
		{RevokeDone{Now: at(2400)}, Closed, []string{"timer off"}},
	}))
	_ = m
	// Close with a JoinGroup in flight: no LeaveGroup, closed after the
	// revoke, without waiting for the join's answer.
	m = newMember(t, cfg)
	m = reach(m, Start{Now: at(0), Topics: []string{"a"}}, CoordinatorFound{Now: at(0)}, asCoop(joinOK(at(1000), "m2", 5, "m1")),
		asCoop(syncOK(at(1000), 5, "a/0")), SubscriptionChanged{Now: at(2000), Topics: []string{"a", "b"}})
	run(t, m, []line{
		{Close{Now: at(2100)}, Revoking, []string{"commit [a/0] gen=5", "revoke [a/0]", "timer @1050"}}, // the quick heartbeat never went out
		{RevokeDone{Now: at(2200)}, Closed, []string{"timer off"}},
	})
}

// TestValidateCooperative: a partition moved between two owners in one
// round is taken out of the new owner's assignment.
func TestValidateCooperative(t *testing.T) {
	members := []assignor.Member{
		{ID: "m1", Topics: []string{"a"}, Owned: tps("a/0 a/1 a/2 a/3"), Generation: 5},
		{ID: "m2", Topics: []string{"a"}, Generation: -1},
	}
	r, err := assignor.Range.Assign(assignor.Group{Members: members, Topics: map[string]assignor.Topic{"a": {Partitions: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	got, stripped := validateCooperative(members, r)
	if fmtTPs(got["m1"].Partitions) != "[a/0 a/1]" || len(got["m2"].Partitions) != 0 || fmtTPs(stripped) != "[a/2 a/3]" {
		t.Fatalf("m1 %v m2 %v stripped %v", got["m1"].Partitions, got["m2"].Partitions, stripped)
	}
	// The higher generation's claim wins; a tie has no single owner.
	members = []assignor.Member{
		{ID: "m1", Owned: tps("a/0 a/1"), Generation: 4},
		{ID: "m2", Owned: tps("a/0"), Generation: 5},
		{ID: "m3", Owned: tps("a/1"), Generation: 4},
	}
	got, stripped = validateCooperative(members, map[string]assignor.Assignment{
		"m1": {Partitions: tps("a/0 a/1")}, "m2": {}, "m3": {},
	})
	if fmtTPs(got["m1"].Partitions) != "[a/1]" || fmtTPs(stripped) != "[a/0]" {
		t.Fatalf("m1 %v stripped %v", got["m1"].Partitions, stripped)
	}
}

// TestAssignMembersCooperative: the leader's assignment goes through
// validateCooperative when the member runs cooperative, not otherwise.
func TestAssignMembersCooperative(t *testing.T) {
	members := []assignor.Member{
		{ID: "m1", Topics: []string{"a"}, Owned: tps("a/0 a/1"), Generation: 5},
		{ID: "m2", Topics: []string{"a"}, Generation: -1},
	}
	counts := map[string]int32{"a": 2}
	_, _, stripped, err := assignMembers(assignor.Range, members, []string{"a"}, fromCounts(counts), true)
	if err != nil || fmtTPs(stripped) != "[a/1]" {
		t.Fatalf("cooperative: stripped %v, %v", stripped, err)
	}
	_, _, stripped, err = assignMembers(assignor.Range, members, []string{"a"}, fromCounts(counts), false)
	if err != nil || len(stripped) != 0 {
		t.Fatalf("eager: stripped %v, %v", stripped, err)
	}
}

// TestCooperativeMixedGroup: a member with an eager-only assignor among
// its assignors runs cooperative when the group selected a cooperative
// one (the protocol follows the selection, not Java's rule that one
// eager-only assignor makes the member eager), and eager when the group
// selected range.
func TestCooperativeMixedGroup(t *testing.T) {
	c := testConfig()
	c.Assignors = []assignor.Assignor{assignor.Range, coopRange{}}
	for _, tc := range []struct{ selected, want string }{
		{"coop-range", `join member="m2" gen=5 topics=[a b] owned=[a/0] reason="the subscription changed"; timer off`},
		{"range", "commit [a/0] gen=5; revoke [a/0]"},
	} {
		m := newMember(t, c)
		m = reach(m, Start{Now: at(0), Topics: []string{"a"}}, CoordinatorFound{Now: at(0)},
			selecting(tc.selected, joinOK(at(1000), "m2", 5, "m1")), syncedAs(tc.selected, syncOK(at(1000), 5, "a/0")))
		_, acts := m.Step(SubscriptionChanged{Now: at(2000), Topics: []string{"a", "b"}})
		if got := strings.Join(describeAll(acts), "; "); got != tc.want {
			t.Errorf("[range coop-range] in a group that selected %s: %s, want %s", tc.selected, got, tc.want)
		}
	}
}

// Cooperative fixtures: member m2 of generation 1 owning a/0 a/1 (topics a
// and b), reached as the eager fixtures are.

func cIdle() Member { m, _ := New(coopConfig()); return m }

func cStable() Member {
	return reach(cIdle(), Start{Now: t0, Topics: []string{"a", "b"}}, CoordinatorFound{Now: t0},
		asCoop(joinOK(at(10), "m2", 1, "m1")), asCoop(syncOK(at(20), 1, "a/0 a/1")))
}

// cJoining: rejoining with a/0 a/1 kept (the group rebalances).
func cJoining() Member {
	return reach(cStable(), Tick{Now: at(3010)}, hb(1, "m2", protocol.ErrRebalanceInProgress))
}

func cAwaitingSync() Member { return reach(cJoining(), asCoop(joinOK(at(3030), "m2", 2, "m1"))) }

// cRevoking: generation 2 took a/0 away and gave b/0; RevokeDone pending.
func cRevoking() Member { return reach(cAwaitingSync(), asCoop(syncOK(at(3040), 2, "a/1 b/0"))) }

func cUnjoined() Member {
	return reach(cStable(), Tick{Now: at(3010)}, HeartbeatResponse{Now: at(59000), Generation: 1, MemberID: "m2"}, Tick{Now: at(60010)})
}

// coopRows is the cooperative transition table.
var coopRows = []row{
	// Stable
	{"rebalance: join at once, keep", func() Member { return reach(cStable(), Tick{Now: at(3010)}) }, hb(1, "m2", protocol.ErrRebalanceInProgress), Joining,
		[]string{`join member="m2" gen=1 topics=[a b] owned=[a/0 a/1] reason="group is already rebalancing"`, "timer off"}},
	{"subscription drops a topic", cStable, SubscriptionChanged{Now: at(30), Topics: []string{"b"}}, Revoking,
		[]string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
	{"subscription adds a topic", cStable, SubscriptionChanged{Now: at(30), Topics: []string{"a", "b", "c"}}, Joining,
		[]string{`join member="m2" gen=1 topics=[a b c] owned=[a/0 a/1] reason="the subscription changed"`, "timer off"}},
	{"unknown member: lose", func() Member { return reach(cStable(), Tick{Now: at(3010)}) }, hb(1, "m2", protocol.ErrUnknownMemberId), Revoking,
		[]string{"lose [a/0 a/1] (...UNKNOWN_MEMBER_ID...)", "timer off"}},
	{"illegal generation: lose", func() Member { return reach(cStable(), Tick{Now: at(3010)}) }, hb(1, "m2", protocol.ErrIllegalGeneration), Revoking,
		[]string{"lose [a/0 a/1] (...ILLEGAL_GENERATION...)", "timer off"}},
	{"close: revoke all", cStable, Close{Now: at(30)}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},

	// Joining, owned kept
	{"join: no heartbeat while in flight", cJoining, Tick{Now: at(6100)}, Joining, nil},
	{"join rebalancing: again, keep", cJoining, joinErr(at(3030), protocol.ErrRebalanceInProgress), Joining, []string{`join member="m2" gen=1 ...`}},
	{"join unknown member: lose", cJoining, joinErr(at(3030), protocol.ErrUnknownMemberId), Revoking, []string{"lose [a/0 a/1] (...UNKNOWN_MEMBER_ID...)"}},
	{"join coordinator moved: keep", cJoining, joinErr(at(3030), protocol.ErrNotCoordinator), FindingCoordinator, []string{"timer @..."}},
	{"close while joining", cJoining, Close{Now: at(3030)}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]", "timer @3020"}}, // the round's cadence: 20 + 3000

	// AwaitingSync
	{"sync keeps all", cAwaitingSync, asCoop(syncOK(at(3040), 2, "a/0 a/1")), Stable, []string{"assign []", "timer @3090"}}, // the first quick heartbeat
	{"sync adds", cAwaitingSync, asCoop(syncOK(at(3040), 2, "a/0 a/1 b/0")), Stable, []string{"assign [b/0]", "timer @3090"}},
	{"sync revokes, adds, keeps", cAwaitingSync, asCoop(syncOK(at(3040), 2, "a/1 b/0")), Revoking,
		[]string{"commit [a/0] gen=2", "revoke [a/0]", "assign [b/0]"}},
	{"sync revokes all", cAwaitingSync, asCoop(syncOK(at(3040), 2, "")), Revoking,
		[]string{"commit [a/0 a/1] gen=2", "revoke [a/0 a/1]", "assign []"}},
	{"sync rebalancing: keep, rejoin", cAwaitingSync, SyncResponse{Now: at(3040), Generation: 2, Err: protocol.ErrRebalanceInProgress}, Joining,
		[]string{`join member="m2" gen=2 ...`, "timer off"}},
	{"sync unknown member: lose", cAwaitingSync, SyncResponse{Now: at(3040), Generation: 2, Err: protocol.ErrUnknownMemberId}, Revoking,
		[]string{"lose [a/0 a/1] (...UNKNOWN_MEMBER_ID...)", "timer off"}},
	{"sync coordinator moved: keep", cAwaitingSync, RequestFailed{Now: at(3040), API: protocol.KeySyncGroup}, FindingCoordinator, []string{"..."}},

	// Revoking after a cooperative SyncGroup
	{"revoke done: follow-up join", cRevoking, RevokeDone{Now: at(3050)}, Joining,
		[]string{`join member="m2" gen=2 topics=[a b] owned=[a/1 b/0] reason="need to revoke partitions and re-join"`, "timer off"}},
	{"revoking: rebalance heartbeat ignored", func() Member { return reach(cRevoking(), Tick{Now: at(6040)}) }, hb(2, "m2", protocol.ErrRebalanceInProgress), Revoking, []string{"timer @9040"}},
	{"revoking: member lost, wait", func() Member { return reach(cRevoking(), Tick{Now: at(6040)}) }, hb(2, "m2", protocol.ErrUnknownMemberId), Revoking, []string{"timer off"}},
	{"revoking: close waits", cRevoking, Close{Now: at(3050)}, Revoking, nil},
	{"revoking: close, then the rest", func() Member { return reach(cRevoking(), Close{Now: at(3050)}) }, RevokeDone{Now: at(3060)}, Revoking,
		[]string{"commit [a/1 b/0] gen=2", "revoke [a/1 b/0]"}},

	// Unjoined
	{"poll after expiry: lose", cUnjoined, Poll{Now: at(70000)}, Revoking, []string{"lose [a/0 a/1] (" + ErrPollIntervalExceeded.Error() + ")"}},
}

func TestCooperativeTable(t *testing.T) {
	for _, r := range coopRows {
		t.Run(r.name, func(t *testing.T) {
			checkStep(t, fmt.Sprintf("%q", r.name), r.from(), asCoop(r.ev), r.state, r.want)
		})
	}
	// After the member was lost while revoking, RevokeDone loses the rest.
	m := reach(cRevoking(), Tick{Now: at(6040)}, hb(2, "m2", protocol.ErrUnknownMemberId))
	checkStep(t, "lost while revoking", m, RevokeDone{Now: at(6050)}, Revoking, []string{"lose [a/1 b/0] (...UNKNOWN_MEMBER_ID...)"})
}

// TestValidateCooperativeRandom: whatever an assignor returns, after
// validateCooperative no partition with a single owner (the highest
// generation's claim) is assigned to another member, and nothing else is
// taken out.
func TestValidateCooperativeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := tps("a/0 a/1 a/2 a/3 a/4 b/0 b/1")
	ids := []string{"m1", "m2", "m3"}
	for range 2000 {
		var members []assignor.Member
		for _, id := range ids {
			m := assignor.Member{ID: id, Generation: int32(rng.IntN(3))}
			for _, tp := range all {
				if rng.IntN(4) == 0 {
					m.Owned = append(m.Owned, tp)
				}
			}
			members = append(members, m)
		}
		result := map[string]assignor.Assignment{}
		for _, tp := range all {
			id := ids[rng.IntN(len(ids))]
			a := result[id]
			a.Partitions = append(a.Partitions, tp)
			result[id] = a
		}
		ownerOf := func(tp protocol.TopicPartition) string {
			var owner string
			best, tie := int32(-2), false
			for _, m := range members {
				if !slices.Contains(m.Owned, tp) {
					continue
				}
				switch {
				case m.Generation > best:
					owner, best, tie = m.ID, m.Generation, false
				case m.Generation == best:
					tie = true
				}
			}
			if tie {
				return ""
			}
			return owner
		}
		got, stripped := validateCooperative(members, result)
		n := len(stripped)
		for id, a := range got {
			n += len(a.Partitions)
			for _, tp := range a.Partitions {
				if o := ownerOf(tp); o != "" && o != id {
					t.Fatalf("%v owned by %s still assigned to %s: members %+v", tp, o, id, members)
				}
			}
		}
		for _, tp := range stripped {
			if ownerOf(tp) == "" {
				t.Fatalf("%v taken out, but it has no single owner: members %+v", tp, members)
			}
		}
		if n != len(all) {
			t.Fatalf("%d partitions after validation and %d stripped, want %d in all", n-len(stripped), len(stripped), len(all))
		}
	}
}

// TestFastChecksAfterCooperativeRound: after a cooperative SyncGroup the
// heartbeats come at 50, 150, 350, 750, 1550 ms (each wait doubling) and
// then in the round's cadence (3000, 6000 ms after it: heartbeatEvery),
// not the last quick one's, so that a follow-up round begun by a member that
// revoked is found within tens of milliseconds; an eager round keeps the
// interval from the start, and a rebalance ends the quick ones.
func TestFastChecksAfterCooperativeRound(t *testing.T) {
	beats := func(m Member, until int) []int {
		var sent []int
		for now := 1000; now <= until; now += 10 {
			var acts []Action
			m, acts = m.Step(Tick{Now: at(now)})
			for _, a := range acts {
				if _, ok := a.(SendHeartbeat); ok {
					sent = append(sent, now)
					m, _ = m.Step(HeartbeatResponse{Now: at(now), Generation: m.Generation(), MemberID: m.MemberID()})
				}
			}
		}
		return sent
	}
	if got, want := fmt.Sprint(beats(coopStable(t), 8000)), "[1050 1150 1350 1750 2550 4000 7000]"; got != want {
		t.Errorf("cooperative: heartbeats at %s, want %s", got, want)
	}
	eager := run(t, newMember(t, testConfig()), []line{
		{Start{Now: at(0), Topics: []string{"a", "b"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: at(0)}, Joining, []string{`join member="" gen=-1 topics=[a b]`}},
		{joinOK(at(1000), "m2", 5, "m1"), AwaitingSync, []string{"sync gen=5 ...", "timer @..."}},
		{syncOK(at(1000), 5, "a/0 a/1 b/0"), Stable, []string{"assign [a/0 a/1 b/0]"}},
	})
	if got, want := fmt.Sprint(beats(eager, 8000)), "[4000 7000]"; got != want {
		t.Errorf("eager: heartbeats at %s, want %s", got, want)
	}
	// A rebalance found by the first quick heartbeat ends them: the next
	// generation's round starts them again, the join does not.
	m := coopStable(t)
	m, _ = m.Step(Tick{Now: at(1050)})
	m, acts := m.Step(HeartbeatResponse{Now: at(1055), Generation: 5, MemberID: "m2", Err: protocol.ErrRebalanceInProgress})
	if m.State() != Joining || m.fastGap != 0 {
		t.Fatalf("after REBALANCE_IN_PROGRESS: %v, fastGap %v, actions %v", m.State(), m.fastGap, describeAll(acts))
	}
}

// TestHeartbeatSlack: heartbeats come heartbeat.interval.ms and a slack
// apart (15 ms over the heartbeats of a session, 1 to 5 ms each), so
// that a member in step with one that was killed heartbeats after the dead
// one's session ended (session.timeout.ms after its last heartbeat), not
// a hair before it, and no more than 15 ms after.
func TestHeartbeatSlack(t *testing.T) {
	for _, c := range []struct{ interval, session, every time.Duration }{
		{50 * time.Millisecond, time.Second, 51 * time.Millisecond},
		{500 * time.Millisecond, 6 * time.Second, 501250 * time.Microsecond},
		{2 * time.Second, 6 * time.Second, 2005 * time.Millisecond},
		{3 * time.Second, 45 * time.Second, 3001 * time.Millisecond},
		{2995 * time.Millisecond, 10 * time.Second, 3000 * time.Millisecond}, // testConfig
	} {
		cfg := testConfig()
		cfg.HeartbeatInterval, cfg.SessionTimeout = c.interval, c.session
		m := newMember(t, cfg)
		if got := m.heartbeatEvery(); got != c.every {
			t.Errorf("interval %v: every %v, want %v", c.interval, got, c.every)
		}
		// The dead member's last heartbeat and the survivor's at the same
		// instant: when the session is n intervals, the survivor's n-th
		// heartbeat comes after the expiry, within 15 ms of it (n ms when
		// the slack's floor of 1 ms makes that more).
		if c.session%c.interval != 0 {
			continue
		}
		n := c.session / c.interval
		bound := max(15*time.Millisecond, time.Duration(n)*time.Millisecond)
		if after := time.Duration(n)*m.heartbeatEvery() - c.session; after <= 0 || after > bound {
			t.Errorf("interval %v, session %v: the %d-th heartbeat %v after the expiry, want within (0, %v]", c.interval, c.session, n, after, bound)
		}
	}
}

package group

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// The rebalance protocol per generation: a member offering
// [coop-range, range] (mixedConfig, as the default [cooperative-sticky,
// range]) runs the protocol of the assignor the coordinator selected.

// selecting returns r with the coordinator's selection name.
func selecting(name string, r JoinResponse) JoinResponse {
	r.ProtocolName = str(name)
	return r
}

func syncedAs(name string, r SyncResponse) SyncResponse {
	r.ProtocolName = str(name)
	return r
}

func mIdle() Member { m, _ := New(mixedConfig()); return m }

// mStable is m2, follower of generation 1 owning a/0 a/1 (topics a and b),
// the generation selecting name.
func mStable(name string) func() Member {
	return func() Member {
		return reach(mIdle(), Start{Now: t0, Topics: []string{"a", "b"}}, CoordinatorFound{Now: t0},
			selecting(name, joinOK(at(10), "m2", 1, "m1")), syncedAs(name, syncOK(at(20), 1, "a/0 a/1")))
	}
}

// mJoiningCoop: the cooperative member rejoining, a/0 a/1 kept.
func mJoiningCoop() Member {
	return reach(mStable("coop-range")(), Tick{Now: at(3010)}, hb(1, "m2", protocol.ErrRebalanceInProgress))
}

// mTransition: the round that selects range answered m2's join, which
// kept a/0 a/1: AwaitingSync in generation 2.
func mTransition() Member {
	return reach(mJoiningCoop(), selecting("range", joinOK(at(3030), "m2", 2, "m1")))
}

// mEagerJoining: the eager member rejoined owning nothing.
func mEagerJoining() Member {
	return reach(mStable("range")(), Tick{Now: at(3010)}, hb(1, "m2", protocol.ErrRebalanceInProgress), RevokeDone{Now: at(3020)})
}

type protocolRow struct {
	row
	rebalance   assignor.RebalanceProtocol // Rebalance() after the step
	incremental []bool                     // each Revoke's Incremental, in order
}

var protocolRows = []protocolRow{
	{row{"before any generation: the first assignor's", mIdle, Start{Now: t0, Topics: []string{"a"}}, FindingCoordinator,
		[]string{"find-coordinator g"}}, assignor.Cooperative, nil},
	{row{"first join selects coop-range: cooperative", func() Member { return reach(mIdle(), Start{Now: t0, Topics: []string{"a"}}, CoordinatorFound{Now: t0}) },
		selecting("coop-range", joinOK(at(10), "m2", 1, "m1")), AwaitingSync, []string{"sync gen=1 member=\"m2\" protocol=coop-range assignments=0", "timer @..."}},
		assignor.Cooperative, nil},
	{row{"first join selects range: eager", func() Member { return reach(mIdle(), Start{Now: t0, Topics: []string{"a"}}, CoordinatorFound{Now: t0}) },
		selecting("range", joinOK(at(10), "m2", 1, "m1")), AwaitingSync, []string{"sync gen=1 member=\"m2\" protocol=range assignments=0", "timer @..."}},
		assignor.Eager, nil},
	{row{"cooperative generation: rejoin keeping", func() Member { return reach(mStable("coop-range")(), Tick{Now: at(3010)}) },
		hb(1, "m2", protocol.ErrRebalanceInProgress), Joining,
		[]string{`join member="m2" gen=1 topics=[a b] owned=[a/0 a/1] reason="group is already rebalancing"`, "timer off"}},
		assignor.Cooperative, nil},
	{row{"eager generation: revoke all before the join", func() Member { return reach(mStable("range")(), Tick{Now: at(3010)}) },
		hb(1, "m2", protocol.ErrRebalanceInProgress), Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]", "timer @..."}},
		assignor.Eager, []bool{false}},

	// Eager -> cooperative: joined owning nothing, only the protocol changes.
	{row{"eager to cooperative: join answer", mEagerJoining, selecting("coop-range", joinOK(at(3030), "m2", 2, "m1")), AwaitingSync,
		[]string{"sync gen=2 member=\"m2\" protocol=coop-range assignments=0", "timer @..."}}, assignor.Cooperative, nil},
	{row{"eager to cooperative: sync assigns all", func() Member {
		return reach(mEagerJoining(), selecting("coop-range", joinOK(at(3030), "m2", 2, "m1")))
	}, syncedAs("coop-range", syncOK(at(3040), 2, "a/1 b/0")), Stable, []string{"assign [a/1 b/0]", "timer @3090"}}, assignor.Cooperative, nil},
	{row{"eager to cooperative: the next rebalance keeps", func() Member {
		return reach(mEagerJoining(), selecting("coop-range", joinOK(at(3030), "m2", 2, "m1")),
			syncedAs("coop-range", syncOK(at(3040), 2, "a/1 b/0")), Tick{Now: at(6040)})
	}, hb(2, "m2", protocol.ErrRebalanceInProgress), Joining,
		[]string{`join member="m2" gen=2 topics=[a b] owned=[a/1 b/0] reason="group is already rebalancing"`, "timer off"}},
		assignor.Cooperative, nil},

	// Cooperative -> eager as a follower: the round ends cooperatively.
	{row{"cooperative to eager: join answer keeps owned", mJoiningCoop, selecting("range", joinOK(at(3030), "m2", 2, "m1")), AwaitingSync,
		[]string{"sync gen=2 member=\"m2\" protocol=range assignments=0", "timer @..."}}, assignor.Eager, nil},
	{row{"cooperative to eager: sync revokes owned - assigned", mTransition, syncedAs("range", syncOK(at(3040), 2, "a/1 b/0")), Revoking,
		[]string{"commit [a/0] gen=2", "revoke [a/0]", "assign [b/0]"}}, assignor.Eager, []bool{true}},
	{row{"cooperative to eager: the follow-up rejoin is eager", func() Member {
		return reach(mTransition(), syncedAs("range", syncOK(at(3040), 2, "a/1 b/0")))
	}, RevokeDone{Now: at(3050)}, Revoking, []string{"commit [a/1 b/0] gen=2", "revoke [a/1 b/0]"}}, assignor.Eager, []bool{false}},
	{row{"cooperative to eager: then the join owns nothing", func() Member {
		return reach(mTransition(), syncedAs("range", syncOK(at(3040), 2, "a/1 b/0")), RevokeDone{Now: at(3050)})
	}, RevokeDone{Now: at(3060)}, Joining, []string{`join member="m2" gen=2 topics=[a b] reason="need to revoke partitions and re-join"`, "timer off"}},
		assignor.Eager, nil},
	{row{"cooperative to eager: sync keeps all, no rejoin", mTransition, syncedAs("range", syncOK(at(3040), 2, "a/0 a/1 b/0")), Stable,
		[]string{"assign [b/0]"}}, assignor.Eager, nil},
	{row{"cooperative to eager: the next rebalance is eager", func() Member {
		return reach(mTransition(), syncedAs("range", syncOK(at(3040), 2, "a/0 a/1 b/0")), Tick{Now: at(6040)})
	}, hb(2, "m2", protocol.ErrRebalanceInProgress), Revoking, []string{"commit [a/0 a/1 b/0] gen=2", "revoke [a/0 a/1 b/0]", "timer @..."}},
		assignor.Eager, []bool{false}},
	{row{"cooperative to eager: sync rebalancing gives up all first", mTransition,
		SyncResponse{Now: at(3040), Generation: 2, Err: protocol.ErrRebalanceInProgress}, Revoking,
		[]string{"commit [a/0 a/1] gen=2", "revoke [a/0 a/1]"}}, assignor.Eager, []bool{false}},
	{row{"cooperative: sync rebalancing keeps", func() Member {
		return reach(mJoiningCoop(), selecting("coop-range", joinOK(at(3030), "m2", 2, "m1")))
	}, SyncResponse{Now: at(3040), Generation: 2, Err: protocol.ErrRebalanceInProgress}, Joining,
		[]string{`join member="m2" gen=2 topics=[a b] owned=[a/0 a/1] reason="the group began another rebalance"`, "timer off"}},
		assignor.Cooperative, nil},

	// Cooperative -> eager as the leader: it assigns with range (the
	// AssignFunc strips what others own: TestFallbackLeaderStrips).
	{row{"cooperative to eager as the leader", func() Member {
		return reach(mStable("coop-range")(), Tick{Now: at(3010)}, hb(1, "m2", protocol.ErrRebalanceInProgress))
	}, selecting("range", joinOK(at(3030), "m2", 2, "m2")), Assigning, []string{"compute-assignment gen=2 protocol=range members=2", "timer @..."}},
		assignor.Eager, nil},

	// A selection the member did not offer: fatal, naming both.
	{row{"unknown protocol name", mJoiningCoop, selecting("roundrobin", joinOK(at(3030), "m2", 2, "m1")), Failed,
		[]string{`lose [a/0 a/1] (...protocol name "roundrobin", expected "[coop-range range]"...)`,
			`fail group: kafka: INCONSISTENT_GROUP_PROTOCOL (23): JoinGroup answered protocol name "roundrobin", expected "[coop-range range]"`}},
		assignor.Cooperative, nil},
}

func TestProtocolPerGeneration(t *testing.T) {
	for _, r := range protocolRows {
		t.Run(r.name, func(t *testing.T) {
			m := r.from()
			checkStep(t, fmt.Sprintf("%q", r.name), m, r.ev, r.state, r.want)
			next, acts := m.Step(r.ev)
			if next.Rebalance() != r.rebalance {
				t.Errorf("Rebalance() = %v after the step, want %v", next.Rebalance(), r.rebalance)
			}
			var incremental []bool
			for _, a := range acts {
				if rv, ok := a.(Revoke); ok {
					incremental = append(incremental, rv.Incremental)
				}
			}
			if fmt.Sprint(incremental) != fmt.Sprint(r.incremental) {
				t.Errorf("revokes Incremental %v, want %v", incremental, r.incremental)
			}
		})
	}
}

// TestFallbackLeaderStrips: a leader whose round selected the eager range
// (a range-only member joined a cooperative group) runs range and takes
// out of its result every partition that another member still owns:
// that member revokes it after SyncGroup and the next round hands it out.
func TestFallbackLeaderStrips(t *testing.T) {
	sub := func(id string, owned ...protocol.ConsumerProtocolTopicPartition) protocol.JoinGroupResponseMember {
		s := protocol.ConsumerProtocolSubscription{Version: 3, Topics: []string{"a"}, OwnedPartitions: owned, GenerationId: 4}
		if len(owned) == 0 {
			s.GenerationId = -1
		}
		b, err := s.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		return protocol.JoinGroupResponseMember{MemberId: id, Metadata: b}
	}
	members := []protocol.JoinGroupResponseMember{
		sub("m1", protocol.ConsumerProtocolTopicPartition{Topic: "a", Partitions: []int32{0, 1, 2}}),
		sub("m2", protocol.ConsumerProtocolTopicPartition{Topic: "a", Partitions: []int32{3, 4, 5}}),
		sub("m3"), // the range-only member, joined eagerly
	}
	meta := func(context.Context, []string) (map[string]assignor.Topic, error) {
		return fromCounts(map[string]int32{"a": 6}), nil
	}
	f := NewAssignFunc(mixedConfig().Assignors, meta, nil)
	out, _, err := f(context.Background(), ComputeAssignment{Generation: 5, Protocol: "range", Members: members})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeAssignments(t, out)
	// range alone: m1 a/0 a/1, m2 a/2 a/3, m3 a/4 a/5. a/2 is m1's and
	// a/4 a/5 are m2's: taken out.
	want := map[string]string{"m1": "[a/0 a/1]", "m2": "[a/3]", "m3": "[]"}
	var diffs []string
	for id, w := range want {
		if g := fmtTPs(got[id].Partitions); g != w {
			diffs = append(diffs, fmt.Sprintf("%s got %s, want %s", id, g, w))
		}
	}
	if len(diffs) > 0 {
		t.Fatal(strings.Join(diffs, "; "))
	}
	// An eager group (no member owns anything) keeps range's result.
	out, _, err = f(context.Background(), ComputeAssignment{Generation: 6, Protocol: "range", Members: []protocol.JoinGroupResponseMember{sub("m1"), sub("m2"), sub("m3")}})
	if err != nil {
		t.Fatal(err)
	}
	got = decodeAssignments(t, out)
	if fmtTPs(got["m1"].Partitions) != "[a/0 a/1]" || fmtTPs(got["m2"].Partitions) != "[a/2 a/3]" || fmtTPs(got["m3"].Partitions) != "[a/4 a/5]" {
		t.Fatalf("eager round: %v", got)
	}
}

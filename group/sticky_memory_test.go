package group

import (
	"fmt"
	"testing"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestEagerStickyRemembersItsAssignment: an eager member revokes everything
// before it joins, so what it owned travels only in the sticky assignor's
// user data, which must carry the last assignment and its generation (Java's
// StickyAssignor keeps memberAssignment from onAssignment for this), not
// the empty owned list the member joins with; after a lost generation too,
// as Java's does (the claim's older generation loses to any newer one).
func TestEagerStickyRemembersItsAssignment(t *testing.T) {
	cfg := testConfig()
	cfg.Assignors = []assignor.Assignor{assignor.Sticky, assignor.Range}
	sticky := func(r JoinResponse) JoinResponse { r.ProtocolName = str("sticky"); return r }
	stickySync := func(r SyncResponse) SyncResponse { r.ProtocolName = str("sticky"); return r }
	m := reach(newMember(t, cfg), Start{Now: t0, Topics: []string{"a", "b"}}, CoordinatorFound{Now: t0},
		sticky(joinOK(at(10), "m2", 4, "m1")), stickySync(syncOK(at(20), 4, "a/0 b/1")))
	userData := func(m Member, evs ...Event) (protocol.StickyAssignorUserData, []protocol.TopicPartition) {
		t.Helper()
		var join *SendJoin
		for _, ev := range evs {
			var acts []Action
			m, acts = m.Step(ev)
			for _, a := range acts {
				if j, ok := a.(SendJoin); ok {
					join = &j
				}
			}
		}
		if join == nil {
			t.Fatalf("no JoinGroup after %v", evs)
		}
		if join.Protocols[0].Name != "sticky" {
			t.Fatalf("first protocol %q", join.Protocols[0].Name)
		}
		var d protocol.StickyAssignorUserData
		if err := d.Decode(join.Protocols[0].Subscription.UserData); err != nil {
			t.Fatal(err)
		}
		return d, flatten(join.Protocols[0].Subscription.OwnedPartitions)
	}
	d, owned := userData(m, Tick{Now: at(3010)}, HeartbeatResponse{Now: at(3020), Generation: 4, MemberID: "m2", Err: protocol.ErrRebalanceInProgress},
		RevokeDone{Now: at(3030)})
	if got := fmt.Sprint(flatten(d.PreviousAssignment), d.Generation, owned); got != "[a/0 b/1] 4 []" {
		t.Errorf("rejoin after a rebalance: user data and owned %s, want [a/0 b/1] 4 []", got)
	}
	d, owned = userData(m, Tick{Now: at(3010)}, HeartbeatResponse{Now: at(3020), Generation: 4, MemberID: "m2", Err: protocol.ErrIllegalGeneration},
		RevokeDone{Now: at(3030)})
	if got := fmt.Sprint(flatten(d.PreviousAssignment), d.Generation, owned); got != "[a/0 b/1] 4 []" {
		t.Errorf("rejoin after ILLEGAL_GENERATION: user data and owned %s, want [a/0 b/1] 4 []", got)
	}
}

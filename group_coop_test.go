package rawkafka

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// coopRange is the cooperative test assignor of the root's tests, until
// cooperative-sticky is merged: range's assignment, declared cooperative,
// minus every partition another member owns now (so no partition changes
// owner in one round; the leader's own check would strip them too).
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
	owner := map[protocol.TopicPartition]string{}
	for _, m := range g.Members {
		for _, tp := range m.Owned {
			owner[tp] = m.ID
		}
	}
	for id, a := range r {
		a.Partitions = slices.DeleteFunc(slices.Clone(a.Partitions), func(tp protocol.TopicPartition) bool {
			o, owned := owner[tp]
			return owned && o != id
		})
		r[id] = a
	}
	return r, nil
}

// useCoop makes c's subscriptions run the cooperative test assignor.
func useCoop(t *testing.T, c *Consumer) {
	testGroupAssignors.Store(c, []assignor.Assignor{coopRange{}})
	t.Cleanup(func() { testGroupAssignors.Delete(c) })
}

// coopCoordinator is the scripted coordinator of a one-member cooperative
// group whose assignment is chosen per generation (assignments, the last
// one repeating); a JoinGroup waits on hold while it is set, and each
// JoinGroup's owned partitions are recorded.
type coopCoordinator struct {
	scriptedCoordinator
	mu          sync.Mutex
	assignments [][]int32 // partitions of topic t, per generation from 1
	owned       [][]protocol.TopicPartition
	hold        chan struct{}
	waiting     atomic.Int32
}

func (f *coopCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	if r, ok := req.(*protocol.JoinGroupRequest); ok {
		var sub protocol.ConsumerProtocolSubscription
		if err := sub.Decode(r.Protocols[0].Metadata); err != nil {
			return nil, err
		}
		var owned []protocol.TopicPartition
		for _, tp := range sub.OwnedPartitions {
			for _, p := range tp.Partitions {
				owned = append(owned, protocol.TopicPartition{Topic: tp.Topic, Partition: p})
			}
		}
		f.mu.Lock()
		f.owned = append(f.owned, owned)
		hold := f.hold
		f.mu.Unlock()
		if hold != nil {
			f.waiting.Add(1)
			select {
			case <-hold:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	return f.scriptedCoordinator.DoPinned(ctx, req)
}

func (f *coopCoordinator) assign(ctx context.Context, a group.ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
	parts := f.assignments[min(int(a.Generation), len(f.assignments))-1]
	var sub protocol.ConsumerProtocolSubscription
	if err := sub.Decode(a.Members[0].Metadata); err != nil {
		return nil, nil, err
	}
	if !slices.Contains(sub.Topics, "t") {
		parts = nil // as an assignor would: only subscribed topics
	}
	as := protocol.ConsumerProtocolAssignment{Version: 3, AssignedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "t", Partitions: parts}}}
	b, err := as.Encode(nil)
	if err != nil {
		return nil, nil, err
	}
	return []protocol.SyncGroupRequestAssignment{{MemberId: "m1", Assignment: b}}, map[string]int32{"t": 3}, nil
}

// TestGroupGlueCooperative: a cooperative rebalance keeps the owned
// partitions in the fetch engine (and paused) while the JoinGroup is
// under way, sends them as owned, then revokes only the one that moved
// (OnRevoked in the new generation, the kept one still held), assigns only
// the added one, and rejoins at once; OnAssigned of the follow-up round
// gets nothing.
func TestGroupGlueCooperative(t *testing.T) {
	c, _ := newScriptedGroupConsumer(t, "")
	defer c.Close()
	useCoop(t, c)
	fc := &coopCoordinator{assignments: [][]int32{{0, 1}, {1, 2}}}
	c.testFind = func(context.Context, string) (group.Coordinator, error) { return fc, nil }
	c.testAssign = fc.assign
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	t1 := TopicPartition{Topic: "t", Partition: 1}
	if err := c.Pause(t1); err != nil {
		t.Fatal(err)
	}
	hold := make(chan struct{})
	fc.mu.Lock()
	fc.hold = hold
	fc.mu.Unlock()
	fc.rebalance.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for fc.waiting.Load() == 0 && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		c.Poll(ctx)
		cancel()
	}
	if fc.waiting.Load() == 0 {
		t.Fatal("no JoinGroup for the rebalance")
	}
	// The JoinGroup is under way: nothing revoked, everything still held.
	if got := fmt.Sprint(c.Assignment()); got != "[t/0 t/1]" || g.String() != "assigned [t/0 t/1] held [t/0 t/1] gen 1" {
		t.Fatalf("during the JoinGroup: held %s, listener %s", got, g)
	}
	fc.mu.Lock()
	fc.hold = nil
	fc.mu.Unlock()
	close(hold)
	if err := pollUntil(t, c, g, 4); err != nil {
		t.Fatal(err)
	}
	want := "assigned [t/0 t/1] held [t/0 t/1] gen 1; revoked [t/0] held [t/1] gen 2; assigned [t/2] held [t/1 t/2] gen 2; assigned [] held [t/1 t/2] gen 3"
	if got := g.String(); got != want {
		t.Errorf("listener:\n got %s\nwant %s", got, want)
	}
	if p := c.Paused(); !slices.Equal(p, []TopicPartition{t1}) {
		t.Errorf("paused after the rebalance: %v, want the kept t/1", p)
	}
	fc.mu.Lock()
	owned := fmt.Sprint(fc.owned)
	fc.mu.Unlock()
	if owned != "[[] [t/0 t/1] [t/1 t/2]]" {
		t.Errorf("owned partitions in the JoinGroups: %s", owned)
	}
	if m := c.Metrics().Group; m.Revoked != 1 {
		t.Errorf("metrics %+v", m)
	}
}

// TestGroupGlueCooperativeSubscriptionChange: a subscription that drops a
// topic revokes its partitions before the JoinGroup, the others stay.
func TestGroupGlueCooperativeSubscriptionChange(t *testing.T) {
	c, _ := newScriptedGroupConsumer(t, "")
	defer c.Close()
	useCoop(t, c)
	fc := &coopCoordinator{assignments: [][]int32{{0, 1}}}
	c.testFind = func(context.Context, string) (group.Coordinator, error) { return fc, nil }
	c.testAssign = fc.assign
	g := &glueLog{}
	if err := c.Subscribe([]string{"t", "u"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe([]string{"u"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 3); err != nil {
		t.Fatal(err)
	}
	if got, want := g.String(), "assigned [t/0 t/1] held [t/0 t/1] gen 1; revoked [t/0 t/1] held [] gen 1; assigned [] held [] gen 2"; got != want {
		t.Errorf("listener:\n got %s\nwant %s", got, want)
	}
}

package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// The glue between the group driver and Poll, against a scripted
// coordinator in the test process: no broker. The consumer's own cluster
// points at an address that answers nothing, so the fetch engine never
// gets data; what is checked is the order of the listener's calls, the
// assignment the fetch engine holds at each, and what Poll returns.

// scriptedCoordinator answers JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup as a one-member group would: this member leads, and each
// join opens the next generation.
type scriptedCoordinator struct {
	gen       atomic.Int32
	rebalance atomic.Bool // the next heartbeat answers REBALANCE_IN_PROGRESS
	fence     atomic.Bool // heartbeats answer FENCED_INSTANCE_ID
	hang      atomic.Bool // no request is answered (a coordinator gone)
	leaves    atomic.Int32
	joins     atomic.Int32
}

func (f *scriptedCoordinator) Version(key protocol.APIKey) (int16, bool) {
	switch key {
	case protocol.KeyJoinGroup:
		return 5, true
	case protocol.KeySyncGroup, protocol.KeyHeartbeat, protocol.KeyLeaveGroup:
		return 3, true
	}
	return 0, false
}

func (f *scriptedCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	if f.hang.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	switch r := req.(type) {
	case *protocol.JoinGroupRequest:
		f.joins.Add(1)
		name := r.Protocols[0].Name
		return &protocol.JoinGroupResponse{Version: r.Version, GenerationId: f.gen.Add(1), ProtocolName: &name,
			Leader: "m1", MemberId: "m1", Members: []protocol.JoinGroupResponseMember{{MemberId: "m1", GroupInstanceId: r.GroupInstanceId, Metadata: r.Protocols[0].Metadata}}}, nil
	case *protocol.SyncGroupRequest:
		return &protocol.SyncGroupResponse{Version: r.Version, Assignment: r.Assignments[0].Assignment}, nil
	case *protocol.HeartbeatRequest:
		code := int16(0)
		switch {
		case f.fence.Load():
			code = protocol.ErrFencedInstanceId.Code
		case f.rebalance.CompareAndSwap(true, false):
			code = protocol.ErrRebalanceInProgress.Code
		}
		return &protocol.HeartbeatResponse{Version: r.Version, ErrorCode: code}, nil
	case *protocol.LeaveGroupRequest:
		f.leaves.Add(1)
		return &protocol.LeaveGroupResponse{Version: r.Version}, nil
	}
	return nil, fmt.Errorf("scripted coordinator: unexpected %T", req)
}

// assignAll gives the one member partitions 0 and 1 of topic t.
func assignAll(ctx context.Context, a group.ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
	as := protocol.ConsumerProtocolAssignment{Version: 3, AssignedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "t", Partitions: []int32{0, 1}}}}
	b, err := as.Encode(nil)
	if err != nil {
		return nil, nil, err
	}
	return []protocol.SyncGroupRequestAssignment{{MemberId: "m1", Assignment: b}}, map[string]int32{"t": 2}, nil
}

func newScriptedGroupConsumer(t *testing.T, instance string) (*Consumer, *scriptedCoordinator) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.BootstrapServers, cfg.GroupID, cfg.GroupInstanceID = []string{"127.0.0.1:1"}, "g", instance
	cfg.DisableAutoCommit = true // no broker to commit to
	// Eager, as the scripts expect (useCoop switches to cooperative-sticky).
	cfg.PartitionAssignmentStrategy = []string{"range"}
	cfg.SessionTimeout, cfg.HeartbeatInterval = time.Second, 20*time.Millisecond
	cfg.RequestTimeout = time.Second
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fc := &scriptedCoordinator{}
	c.testFind = func(context.Context, string) (group.Coordinator, error) { return fc, nil }
	c.testAssign = assignAll
	return c, fc
}

// glueLog records the listener's calls with the assignment the fetch
// engine holds during each.
type glueLog struct {
	mu  sync.Mutex
	log []string
}

func (g *glueLog) add(s string) {
	g.mu.Lock()
	g.log = append(g.log, s)
	g.mu.Unlock()
}

func (g *glueLog) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return strings.Join(g.log, "; ")
}

func (g *glueLog) listener() *RebalanceListener {
	rec := func(kind string) func(*Consumer, []TopicPartition) {
		return func(c *Consumer, p []TopicPartition) {
			g.add(fmt.Sprintf("%s %v held %v gen %d", kind, p, c.Assignment(), c.GroupMetadata().GenerationID))
		}
	}
	return &RebalanceListener{OnAssigned: rec("assigned"), OnRevoked: rec("revoked"), OnLost: rec("lost")}
}

// pollUntil polls (100ms at a time) until the log has n entries or Poll
// fails; it returns Poll's error.
func pollUntil(t *testing.T, c *Consumer, g *glueLog, n int) error {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		have := len(g.log)
		g.mu.Unlock()
		if have >= n {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := c.Poll(ctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	t.Fatalf("timed out; log: %s", g)
	return nil
}

// TestGroupGlue: assignment, a rebalance (revoke everything, then assign
// again, in a new generation), then fencing (lost, and Poll's error from
// then on), then Close.
func TestGroupGlue(t *testing.T) {
	c, fc := newScriptedGroupConsumer(t, "i1")
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := c.Assign(map[TopicPartition]StartPosition{{Topic: "t"}: Earliest}); !errors.Is(err, ErrAssignAndSubscribe) {
		t.Errorf("Assign under a subscription: %v", err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	fc.rebalance.Store(true)
	if err := pollUntil(t, c, g, 3); err != nil {
		t.Fatal(err)
	}
	fc.fence.Store(true)
	var err error
	for err == nil {
		err = pollUntil(t, c, g, 100)
	}
	want := "assigned [t/0 t/1] held [t/0 t/1] gen 1; revoked [t/0 t/1] held [] gen 1; assigned [t/0 t/1] held [t/0 t/1] gen 2; lost [t/0 t/1] held [] gen -1"
	if got := g.String(); got != want {
		t.Errorf("listener:\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, protocol.ErrFencedInstanceId) || !errors.Is(err, ErrGroupFailed) || !strings.Contains(err.Error(), `group.instance.id "i1"`) {
		t.Errorf("Poll after fencing: %v", err)
	}
	if _, again := c.Poll(context.Background()); !errors.Is(again, protocol.ErrFencedInstanceId) {
		t.Errorf("the next Poll: %v", again)
	}
	if m := c.Metrics().Group; m.Rebalances != 2 || m.Revoked != 2 || m.Lost != 2 {
		t.Errorf("metrics %+v", m)
	}
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
}

// TestGroupGlueCloseLeaves: a dynamic member leaves at Close, after
// OnRevoked; a static one only with CloseLeave. Unsubscribe then Assign
// works.
func TestGroupGlueCloseLeaves(t *testing.T) {
	for _, tc := range []struct {
		instance string
		leave    bool
		stay     bool // internal.leave.group.on.close=false
		leaves   int32
	}{{"", false, false, 1}, {"", false, true, 0}, {"i1", false, false, 0}, {"i1", true, false, 1}} {
		c, fc := newScriptedGroupConsumer(t, tc.instance)
		c.cfg.LeaveGroupOnClose = !tc.stay
		g := &glueLog{}
		if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
			t.Fatal(err)
		}
		if err := pollUntil(t, c, g, 1); err != nil {
			t.Fatal(err)
		}
		var err error
		if tc.leave {
			err = c.CloseLeave()
		} else {
			err = c.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := g.String(); !strings.HasSuffix(got, "revoked [t/0 t/1] held [] gen 1") {
			t.Errorf("%+v: listener %s", tc, got)
		}
		if n := fc.leaves.Load(); n != tc.leaves {
			t.Errorf("%+v: %d LeaveGroup, want %d", tc, n, tc.leaves)
		}
	}
	c, _ := newScriptedGroupConsumer(t, "")
	defer c.Close()
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.SubscribeRegex("x.*", nil); !errors.Is(err, ErrAssignAndSubscribe) {
		t.Errorf("SubscribeRegex under Subscribe: %v", err)
	}
	if err := c.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if got := c.Subscription(); got != nil || len(c.Assignment()) != 0 {
		t.Errorf("after Unsubscribe: subscription %v, assignment %v", got, c.Assignment())
	}
	if err := c.Assign(map[TopicPartition]StartPosition{{Topic: "t"}: Earliest}); err != nil {
		t.Errorf("Assign after Unsubscribe: %v", err)
	}
	if err := c.Subscribe([]string{"t"}, nil); !errors.Is(err, ErrAssignAndSubscribe) {
		t.Errorf("Subscribe after Assign: %v", err)
	}
}

// TestGroupGlueConcurrent runs rebalances while other goroutines read the
// consumer's state, commit asynchronously and finally Unsubscribe while
// Poll runs (for -race): the listener runs only inside Poll, CommitAsync's
// callbacks too, in the order of the commits.
func TestGroupGlueConcurrent(t *testing.T) {
	c, fc := newScriptedGroupConsumer(t, "")
	defer c.Close()
	var inPoll atomic.Bool // set by the test around each Poll
	var outside atomic.Int32
	g := &glueLog{}
	l := g.listener()
	for _, f := range []*func(*Consumer, []TopicPartition){&l.OnAssigned, &l.OnRevoked, &l.OnLost} {
		inner := *f
		*f = func(c *Consumer, p []TopicPartition) {
			if !inPoll.Load() {
				outside.Add(1)
			}
			inner(c, p)
		}
	}
	if err := c.Subscribe([]string{"t"}, l); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // readers, and rebalances
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			_ = c.Metrics()
			_ = c.GroupMetadata()
			_ = c.Subscription()
			_ = c.Assignment()
			fc.rebalance.Store(true)
		}
	}()
	var order []int
	var orderMu sync.Mutex
	go func() { // asynchronous commits (the offline coordinator fails them)
		defer wg.Done()
		for i := range 3 {
			c.CommitAsync(map[TopicPartition]CommittedOffset{{Topic: "t"}: {Offset: int64(i), LeaderEpoch: -1}},
				func(_ map[TopicPartition]CommittedOffset, err error) {
					if !inPoll.Load() {
						outside.Add(1)
					}
					orderMu.Lock()
					order = append(order, i)
					orderMu.Unlock()
				})
		}
	}()
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			inPoll.Store(true)
			_, err := c.Poll(ctx)
			inPoll.Store(false)
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Poll: %v", err)
				return
			}
			if c.Subscription() == nil {
				return
			}
		}
	}()
	time.Sleep(time.Second) // how long the interleavings run; any length must pass
	close(stop)
	wg.Wait()
	if err := c.Unsubscribe(); err != nil { // while Poll runs
		t.Fatal(err)
	}
	<-polled
	if n := outside.Load(); n != 0 {
		t.Errorf("%d callbacks ran outside Poll", n)
	}
	waitFor(t, 5*time.Second, "the commits' callbacks", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		inPoll.Store(true)
		c.Poll(ctx)
		inPoll.Store(false)
		cancel()
		orderMu.Lock()
		defer orderMu.Unlock()
		return len(order) == 3
	})
	if !slices.Equal(order, []int{0, 1, 2}) {
		t.Errorf("callbacks in order %v", order)
	}
	if m := c.Metrics().Group; m.Rebalances < 2 {
		t.Errorf("only %d rebalances", m.Rebalances)
	}
	t.Logf("%d rebalances; log: %.300s", c.Metrics().Group.Rebalances, g)
}

// TestGroupGlueCloseCoordinatorGone: Close returns within its bound when
// the coordinator answers nothing, after OnRevoked.
func TestGroupGlueCloseCoordinatorGone(t *testing.T) {
	c, fc := newScriptedGroupConsumer(t, "")
	c.cfg.RequestTimeout = 30 * time.Second // the driver's; Close's own bound is shorter
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	fc.hang.Store(true)
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > c.closeTimeout()+time.Second {
		t.Errorf("Close took %v; its bound is %v", d, c.closeTimeout())
	}
	if got := g.String(); !strings.HasSuffix(got, "revoked [t/0 t/1] held [] gen 1") {
		t.Errorf("listener %s", got)
	}
	t.Logf("Close took %v", time.Since(start).Round(time.Millisecond))
}

// TestGroupGlueResubscribePause: a partition paused and then revoked comes
// back unpaused; Subscribe with other topics rebalances.
func TestGroupGlueResubscribePause(t *testing.T) {
	c, fc := newScriptedGroupConsumer(t, "")
	defer c.Close()
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Pause(TopicPartition{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe([]string{"u", "t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 3); err != nil {
		t.Fatal(err)
	}
	if got := c.Subscription(); !slices.Equal(got, []string{"t", "u"}) {
		t.Errorf("Subscription() = %v", got)
	}
	if p := c.Paused(); len(p) != 0 {
		t.Errorf("paused after the rebalance: %v", p)
	}
	if n := fc.joins.Load(); n != 2 {
		t.Errorf("%d joins", n)
	}
}

package rawkafka

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// groupState is the state of c's group member, Idle before Subscribe.
func groupState(c *Consumer) group.State {
	s := c.sub.Load()
	if s == nil || s.driver == nil {
		return group.Idle
	}
	return s.driver.Member().State()
}

// joinGate holds a member's JoinGroup requests on their way to the real
// coordinator while it is shut: the member has not rejoined as far as the
// coordinator knows, so the round waits for it.
type joinGate struct {
	mu      sync.Mutex
	shut    chan struct{} // nil: open
	waiting atomic.Int32  // JoinGroups held so far
	// only, when set, picks the JoinGroups a shut gate holds; the others
	// pass. nil: all of them.
	only func(*protocol.JoinGroupRequest) bool
}

// isRejoin reports whether a JoinGroup comes from a member that has a
// generation (its subscription names one): a rejoin, not its first join.
func isRejoin(req *protocol.JoinGroupRequest) bool {
	if len(req.Protocols) == 0 {
		return false
	}
	var s protocol.ConsumerProtocolSubscription
	return s.Decode(req.Protocols[0].Metadata) == nil && s.GenerationId >= 0
}

func (g *joinGate) close() {
	g.mu.Lock()
	g.shut = make(chan struct{})
	g.mu.Unlock()
}

func (g *joinGate) open() {
	g.mu.Lock()
	if g.shut != nil {
		close(g.shut)
		g.shut = nil
	}
	g.mu.Unlock()
}

func (g *joinGate) find(find group.FindFunc) group.FindFunc {
	return func(ctx context.Context, name string) (group.Coordinator, error) {
		co, err := find(ctx, name)
		if err != nil {
			return nil, err
		}
		return gatedCoordinator{co, g}, nil
	}
}

type gatedCoordinator struct {
	group.Coordinator
	g *joinGate
}

func (gc gatedCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	if jr, ok := req.(*protocol.JoinGroupRequest); ok {
		gc.g.mu.Lock()
		shut := gc.g.shut
		gc.g.mu.Unlock()
		if shut != nil && (gc.g.only == nil || gc.g.only(jr)) {
			gc.g.waiting.Add(1)
			select {
			case <-shut:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	return gc.Coordinator.DoPinned(ctx, req)
}

// startGatedCoopMember is startCoopMember with the member's JoinGroups
// passing through gate (the real coordinator and assignors behind it).
func startGatedCoopMember(t *testing.T, name string, props map[string]string, gate *joinGate, topics ...string) *member {
	t.Helper()
	props["partition.assignment.strategy"] = "cooperative-sticky"
	c := newTestConsumer(t, props)
	gcfg, err := c.groupConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.testFind = gate.find(group.FindFromCluster(c.cl))
	c.testAssign = group.NewAssignFunc(gcfg.Assignors, group.MetadataFromCluster(c.cl), c.log)
	m := &member{name: name, c: c, t: t, done: make(chan struct{})}
	if err := c.Subscribe(topics, m.listener()); err != nil {
		t.Fatal(err)
	}
	m.run()
	return m
}

// TestIntegrationStaticCooperativeCloseMidRebalance is franz-go #1483 and
// #1500 against the real broker: s1 and s2, static members with
// cooperative-sticky, share a topic written to all the time; a third
// member joins, and s1 is closed while its JoinGroup for that rebalance
// is under way: the coordinator holds it, because s2's JoinGroup is held
// on s2's side (a gate in front of s2's coordinator connection), so the
// round cannot end. Close must return while the round is still open
// (#1500), within its bound (closeTimeout: the request timeout). Then s2
// is let through; once the coordinator has dropped s1 (session.timeout.ms
// after its last heartbeat: a static member sends no LeaveGroup) the two
// others must own every partition between them (#1483: a static member's
// close mid-rebalance must not leave partitions nobody owns), no partition
// owned by two members at once, every record delivered, and none twice
// but records s1 delivered first at or above what the group had committed
// when its Close returned.
//
// s1's Close commits what it revokes over the coordinator's offsets
// connection, apart from the membership connection its held JoinGroup
// occupies (a broker answers one request per connection at a time), and
// the coordinator accepts a commit of the current generation while the
// group prepares a rebalance: so Close returns at once, and nothing s1
// delivered comes again (on one shared connection the commit waited
// behind the JoinGroup until Close's bound, and failed).
func TestIntegrationStaticCooperativeCloseMidRebalance(t *testing.T) {
	began := time.Now()
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 12)
	// A short request timeout: Close's bound.
	s1 := startCoopMember(t, "s1", groupProps(g, "group.instance.id", "s1", "request.timeout.ms", "3000"), topic)
	waitFor(t, 20*time.Second, "s1 to own everything", func() bool { return len(s1.owned()) == 6 })
	gate := &joinGate{}
	// s2's session outlasts the time its JoinGroup is held (it sends no
	// heartbeat while it joins).
	s2 := startGatedCoopMember(t, "s2", groupProps(g, "group.instance.id", "s2", "session.timeout.ms", "15000"), gate, topic)
	waitFor(t, 30*time.Second, "s1 and s2 to split", func() bool { return len(s1.owned()) == 3 && len(s2.owned()) == 3 })
	waitFor(t, 20*time.Second, "s2's first records", func() bool { return len(s2.records()) > 0 })

	gate.close()
	m3 := startCoopMember(t, "m3", groupProps(g), topic)
	waitFor(t, 20*time.Second, "s1's and s2's JoinGroups for m3's rebalance", func() bool {
		return groupState(s1.c) == group.Joining && gate.waiting.Load() > 0
	})
	owned := s1.owned()
	bound := s1.c.closeTimeout()
	closing := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		s1.stop(false) // Close: a static member, no LeaveGroup
		closed <- time.Since(closing)
	}()
	var took time.Duration
	select {
	case took = <-closed:
	case <-time.After(bound + 10*time.Second):
		t.Fatalf("Close of a static member with its JoinGroup under way still blocked %v after its bound %v (franz-go #1500)", bound+10*time.Second, bound)
	}
	t.Logf("s1 closed in %v (bound %v) owning %v, the round still open (s2's JoinGroup held)", took.Round(time.Millisecond), bound, owned)
	// What s1's Close managed to commit: none of its partitions has
	// another owner before s1's session expires.
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	committed, err := s2.c.Committed(cctx, owned...)
	ccancel()
	if err != nil {
		t.Fatalf("committed offsets after s1's Close: %v", err)
	}
	t.Logf("committed after s1's Close: %v", committed)
	if left := s1.owned(); len(left) != 0 {
		t.Errorf("s1 after Close still owns %v (listener: %s), want everything revoked", left, s1.kinds())
	}
	gate.open()

	// s1's session expires, the coordinator drops it and rebalances.
	waitFor(t, 40*time.Second, "s2 and m3 to own every partition", func() bool {
		return len(s2.owned())+len(m3.owned()) == 6 && len(s2.owned()) > 0 && len(m3.owned()) > 0
	})
	settled := time.Since(closing)
	before := len(union(s2, m3))
	waitFor(t, 20*time.Second, "records after the group settled", func() bool { return len(union(s2, m3)) > before })
	stream.end()
	acked, failed := stream.written()
	if len(failed) > 0 {
		t.Logf("%d batches failed to write", len(failed))
	}
	waitFor(t, 30*time.Second, "every record written", func() bool { return haveAll(union(s1, s2, m3), acked) })
	checkOwnership(t, s1, s2, m3)
	checkRedeliveredAfterClose(t, committed, s1, s2, m3)
	for _, m := range []*member{s1, s2, m3} {
		t.Logf("%s: %s; errors %v", m.name, m.kinds(), m.errors())
		for _, e := range m.snapshot() {
			if e.kind != "record" {
				t.Logf("  %s %s %v", e.at.Format("15:04:05.000"), e.kind, e.parts)
			}
		}
	}
	t.Logf("every partition owned again %v after s1's Close; %d records; the test took %v",
		settled.Round(time.Millisecond), len(acked), time.Since(began).Round(time.Second))
	s2.stop(false)
	m3.stop(false)
}

// checkRedeliveredAfterClose fails the test for a record delivered twice
// unless closed, the first member, delivered it first and its offset is at
// or above what the group had committed for its partition when closed's
// Close returned (committed): the records closed could not commit.
func checkRedeliveredAfterClose(t *testing.T, committed map[TopicPartition]CommittedOffset, closed *member, others ...*member) {
	t.Helper()
	type delivery struct {
		member string
		tp     TopicPartition
		off    int64
		at     time.Time
	}
	byID := map[string][]delivery{}
	for _, m := range append([]*member{closed}, others...) {
		for _, e := range m.snapshot() {
			if e.kind == "record" {
				byID[e.id] = append(byID[e.id], delivery{m.name, e.tp, e.off, e.at})
			}
		}
	}
	n, bad := 0, 0
	for id, ds := range byID {
		if len(ds) < 2 {
			continue
		}
		n++
		first := slices.MinFunc(ds, func(a, b delivery) int { return a.at.Compare(b.at) })
		co, ok := committed[first.tp]
		if first.member == closed.name && ok && first.off >= co.Offset {
			continue
		}
		if bad++; bad <= 10 {
			t.Errorf("%s (%v@%d) delivered %d times, first by %s: not a record %s could not commit (committed %v)", id, first.tp, first.off, len(ds), first.member, closed.name, committed[first.tp].Offset)
		}
	}
	t.Logf("%d record(s) delivered twice, %d of them unexplained", n, bad)
}

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
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// useCoop makes c's subscriptions run cooperative-sticky, whatever the
// scripted consumer's configuration says.
func useCoop(t *testing.T, c *Consumer) {
	t.Helper()
	c.cfg.PartitionAssignmentStrategy = []string{"cooperative-sticky"}
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

// holdNextJoin makes fc start a rebalance and hold the JoinGroup until hold
// is closed, polling c until that JoinGroup has arrived.
func (fc *coopCoordinator) holdNextJoin(t *testing.T, c *Consumer, hold chan struct{}) {
	t.Helper()
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
	fc.holdNextJoin(t, c, hold)
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

// TestGroupGlueCooperativeStaticClose: a static cooperative member closed
// while its JoinGroup is under way revokes what it owns (OnRevoked), sends
// no LeaveGroup (its partitions stay with its instance id, franz-go
// #1483), and Close returns without waiting for the round (#1500).
func TestGroupGlueCooperativeStaticClose(t *testing.T) {
	c, _ := newScriptedGroupConsumer(t, "i1")
	useCoop(t, c)
	fc := &coopCoordinator{assignments: [][]int32{{0, 1}}}
	c.testFind = func(context.Context, string) (group.Coordinator, error) { return fc, nil }
	c.testAssign = fc.assign
	g := &glueLog{}
	if err := c.Subscribe([]string{"t"}, g.listener()); err != nil {
		t.Fatal(err)
	}
	if err := pollUntil(t, c, g, 1); err != nil {
		t.Fatal(err)
	}
	hold := make(chan struct{})
	defer close(hold)
	fc.holdNextJoin(t, c, hold)
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with a JoinGroup under way", d)
	}
	if got, want := g.String(), "assigned [t/0 t/1] held [t/0 t/1] gen 1; revoked [t/0 t/1] held [] gen 1"; got != want {
		t.Errorf("listener:\n got %s\nwant %s", got, want)
	}
	if n := fc.leaves.Load(); n != 0 {
		t.Errorf("a static member sent %d LeaveGroup", n)
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

// startCoopMember subscribes a new consumer with cooperative-sticky to
// topics and polls it.
func startCoopMember(t *testing.T, name string, props map[string]string, topics ...string) *member {
	t.Helper()
	// The real cooperative-sticky assignor, through the configuration.
	props["partition.assignment.strategy"] = "cooperative-sticky"
	c := newTestConsumer(t, props)
	m := &member{name: name, c: c, t: t, done: make(chan struct{})}
	if err := c.Subscribe(topics, m.listener()); err != nil {
		t.Fatal(err)
	}
	m.run()
	return m
}

// interval is one stretch of ownership of a partition by a member, from
// its OnAssigned to its OnRevoked or OnLost (end zero: still owned).
type interval struct {
	member     string
	start, end time.Time
}

func (iv interval) contains(at time.Time) bool {
	return !at.Before(iv.start) && (iv.end.IsZero() || !at.After(iv.end))
}

// ownership returns every member's ownership intervals per partition,
// from its listener's events.
func ownership(ms ...*member) map[TopicPartition][]interval {
	out := map[TopicPartition][]interval{}
	for _, m := range ms {
		open := map[TopicPartition]time.Time{}
		for _, e := range m.snapshot() {
			switch e.kind {
			case "assigned":
				for _, tp := range e.parts {
					open[tp] = e.at
				}
			case "revoked", "lost":
				for _, tp := range e.parts {
					out[tp] = append(out[tp], interval{m.name, open[tp], e.at})
					delete(open, tp)
				}
			}
		}
		for tp, start := range open {
			out[tp] = append(out[tp], interval{member: m.name, start: start})
		}
	}
	return out
}

// checkOwnership fails the test for two members owning a partition at
// the same time, and for a record delivered to a member outside its
// ownership of the record's partition.
func checkOwnership(t *testing.T, ms ...*member) {
	t.Helper()
	own := ownership(ms...)
	for tp, ivs := range own {
		for i, a := range ivs {
			for _, b := range ivs[i+1:] {
				if a.member == b.member {
					continue
				}
				if (b.end.IsZero() || a.start.Before(b.end)) && (a.end.IsZero() || b.start.Before(a.end)) {
					t.Errorf("%v owned by %s [%s, %s] and %s [%s, %s]", tp, a.member, a.start.Format("15:04:05.000"), a.end.Format("15:04:05.000"),
						b.member, b.start.Format("15:04:05.000"), b.end.Format("15:04:05.000"))
				}
			}
		}
	}
	for _, m := range ms {
		for _, e := range m.snapshot() {
			if e.kind != "record" {
				continue
			}
			if !slices.ContainsFunc(own[e.tp], func(iv interval) bool { return iv.member == m.name && iv.contains(e.at) }) {
				t.Errorf("%s got %s of %v at %s, not owning it", m.name, e.id, e.tp, e.at.Format("15:04:05.000"))
			}
		}
	}
}

// endAndConsume ends the stream and waits until the members together got
// every record it wrote.
func endAndConsume(t *testing.T, stream *idStream, ms ...*member) {
	t.Helper()
	stream.end()
	acked, failed := stream.written()
	if len(failed) > 0 {
		t.Logf("%d batches failed to write", len(failed))
	}
	waitFor(t, 30*time.Second, "every record written", func() bool { return haveAll(union(ms...), acked) })
}

// keptRecords counts the records of partitions in kept that m got
// strictly between from and to.
func keptRecords(m *member, kept []TopicPartition, from, to time.Time) int {
	n := 0
	for _, e := range m.snapshot() {
		if e.kind == "record" && slices.Contains(kept, e.tp) && e.at.After(from) && e.at.Before(to) {
			n++
		}
	}
	return n
}

// TestIntegrationGroupCooperative: three rawkafka members with the
// cooperative test assignor on a topic of 6 partitions written to all the
// time. A member joining moves only some partitions (the first member
// revokes 3 of its 6, not all); the partitions kept are fetched and
// delivered through the follow-up round (the second member's rejoin is
// held on its side until they are, so the round is provably open
// meanwhile; the quick heartbeats after a cooperative round would end it
// in tens of milliseconds otherwise); no partition is owned by two
// members at once and no record reaches a member outside its ownership
// (intervals from each member's listener, with timestamps); nothing is
// lost, and no record is delivered twice (every revoke committed first).
func TestIntegrationGroupCooperative(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "r", 12)
	m1 := startCoopMember(t, "m1", groupProps(g), topic)
	waitFor(t, 20*time.Second, "m1 to own everything", func() bool { return len(m1.owned()) == 6 })
	waitFor(t, 20*time.Second, "m1's first records", func() bool { return len(m1.records()) > 0 })
	joined2 := time.Now()
	// Commits through the rebalance, beside m1's Poll: each succeeds or
	// fails with ErrCommitFailed, and none takes a partition away.
	var commitOK, commitFailed atomic.Int32
	var commitOther []error
	commitsDone := make(chan struct{})
	stopCommits := make(chan struct{})
	go func() {
		defer close(commitsDone)
		for {
			select {
			case <-stopCommits:
				return
			case <-time.After(50 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := m1.c.CommitConsumed(ctx)
			cancel()
			switch {
			case err == nil:
				commitOK.Add(1)
			case errors.Is(err, ErrCommitFailed):
				commitFailed.Add(1)
			default:
				commitOther = append(commitOther, err)
			}
		}
	}()
	// m2 joins once m1's commits are going through (a fixed 500 ms here
	// once; on 3.9.1 the rebalance then came before any commit did).
	waitFor(t, 20*time.Second, "a first commit of m1", func() bool { return commitOK.Load() > 0 })
	gate := &joinGate{only: isRejoin}
	gate.close()
	m2 := startGatedCoopMember(t, "m2", groupProps(g), gate, topic)
	waitFor(t, 30*time.Second, "m1's revoke, and m2's rejoin for the follow-up round held", func() bool {
		return strings.HasPrefix(m1.kinds(), "assigned:6 revoked:3") && gate.waiting.Load() > 0
	})
	var revokedAt time.Time
	for _, e := range m1.snapshot() {
		if e.kind == "revoked" {
			revokedAt = e.at
			break
		}
	}
	kept := m1.owned()
	waitFor(t, 20*time.Second, "records of m1's kept partitions while the follow-up round is open", func() bool {
		return keptRecords(m1, kept, revokedAt, time.Now()) > 0
	})
	held := time.Now()
	gate.open()
	waitFor(t, 30*time.Second, "the partitions split", func() bool { return len(m1.owned()) == 3 && len(m2.owned()) == 3 })
	close(stopCommits)
	<-commitsDone
	t.Logf("commits of m1 during the rebalance: %d ok, %d ErrCommitFailed", commitOK.Load(), commitFailed.Load())
	if len(commitOther) > 0 || commitOK.Load() == 0 {
		t.Errorf("commits during the rebalance: %d ok, other errors %v", commitOK.Load(), commitOther)
	}
	if strings.Contains(m1.kinds(), "lost") {
		t.Errorf("m1 lost partitions: %s", m1.kinds())
	}
	if k := m1.kinds(); !strings.HasPrefix(k, "assigned:6 revoked:3 assigned:0") {
		t.Errorf("m1's listener when m2 joined: %s", k)
	}
	// The follow-up round ran from m1's revoke to m2's rejoin, held until
	// records of the partitions m1 kept had arrived: they did, or the
	// wait above failed.
	t.Logf("m2 joined at %s; m1 revoked at %s; %d records of its kept partitions %v before m2's rejoin was let go at %s",
		joined2.Format("15:04:05.000"), revokedAt.Format("15:04:05.000"), keptRecords(m1, kept, revokedAt, held), kept, held.Format("15:04:05.000"))
	if !slices.Equal(m1.owned(), kept) {
		t.Errorf("m1 owns %v after the follow-up round, want the kept %v", m1.owned(), kept)
	}
	m3 := startCoopMember(t, "m3", groupProps(g), topic)
	waitFor(t, 30*time.Second, "three ways", func() bool {
		return len(m1.owned()) == 2 && len(m2.owned()) == 2 && len(m3.owned()) == 2
	})
	waitFor(t, 20*time.Second, "m3's first records", func() bool { return len(m3.records()) > 0 })
	m1.stop(false) // dynamic: OnRevoked with its commit, LeaveGroup
	waitFor(t, 30*time.Second, "m2 and m3 to own everything", func() bool { return len(m2.owned())+len(m3.owned()) == 6 })
	before := len(union(m2, m3))
	waitFor(t, 20*time.Second, "records after m1 left", func() bool { return len(union(m2, m3)) > before })
	endAndConsume(t, stream, m1, m2, m3)
	checkOwnership(t, m1, m2, m3)
	if d := dups(union(m1, m2, m3)); len(d) > 0 {
		t.Errorf("%d records delivered twice although every revoke committed first: %v", len(d), d[:min(len(d), 10)])
	}
	for _, m := range []*member{m1, m2, m3} {
		t.Logf("%s: %s; errors %v", m.name, m.kinds(), m.errors())
		for _, e := range m.snapshot() {
			if e.kind != "record" {
				t.Logf("  %s %s %v", e.at.Format("15:04:05.000"), e.kind, e.parts)
			}
		}
	}
	m2.stop(false)
	m3.stop(false)
}

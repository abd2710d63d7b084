package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// Consumer groups against the real broker: members are Consumers polling
// on goroutines of their own; records carry an id in their value, so that
// who got what can be counted.

// groupProps are fast group settings for tests.
func groupProps(group string, extra ...string) map[string]string {
	p := map[string]string{
		"group.id": group, "auto.offset.reset": "earliest",
		"session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
		"max.poll.interval.ms": "15000", "auto.commit.interval.ms": "200",
		"metadata.max.age.ms": "1000", "request.timeout.ms": "10000",
		"retry.backoff.ms": "50", "retry.backoff.max.ms": "500",
		// range: these tests check eager rebalances (the default
		// [cooperative-sticky, range] runs cooperative among rawkafka
		// members: group_fallback_integration_test.go).
		"partition.assignment.strategy": "range",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

// produceIDs writes n records with values "<prefix>-<i>" spread over the
// partitions, and returns the values.
func produceIDs(t *testing.T, topic string, partitions, n int, prefix string) []string {
	t.Helper()
	recs := make([]kafkatest.Record, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%d", prefix, i)
		recs[i] = kafkatest.Record{Key: []byte(ids[i]), Value: []byte(ids[i]), Partition: int32(i % partitions)}
	}
	kafkatest.Produce(t, kafkatest.Brokers(t), topic, recs...)
	return ids
}

// event is one thing a member saw, in order.
type event struct {
	kind  string // "assigned", "revoked", "lost", "record", "error"
	parts []TopicPartition
	id    string // a record's value
	tp    TopicPartition
	off   int64
	err   error
	at    time.Time
}

// member polls a Consumer on its own goroutine until stopped, recording
// records and listener calls.
type member struct {
	name string
	c    *Consumer
	t    *testing.T

	mu     sync.Mutex
	events []event
	paused bool // stop polling (max.poll.interval.ms tests)

	cancel context.CancelFunc
	done   chan struct{}
}

func (m *member) add(e event) {
	e.at = time.Now()
	m.mu.Lock()
	m.events = append(m.events, e)
	m.mu.Unlock()
}

func (m *member) listener() *RebalanceListener {
	return &RebalanceListener{
		OnAssigned: func(c *Consumer, p []TopicPartition) { m.add(event{kind: "assigned", parts: p}) },
		OnRevoked:  func(c *Consumer, p []TopicPartition) { m.add(event{kind: "revoked", parts: p}) },
		OnLost:     func(c *Consumer, p []TopicPartition) { m.add(event{kind: "lost", parts: p}) },
	}
}

// startMember subscribes a new consumer to topics and polls it.
func startMember(t *testing.T, name string, props map[string]string, topics ...string) *member {
	t.Helper()
	c := newTestConsumer(t, props)
	m := &member{name: name, c: c, t: t, done: make(chan struct{})}
	if err := c.Subscribe(topics, m.listener()); err != nil {
		t.Fatal(err)
	}
	m.run()
	return m
}

func (m *member) run() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() {
		defer close(m.done)
		for ctx.Err() == nil {
			m.mu.Lock()
			paused := m.paused
			m.mu.Unlock()
			if paused {
				time.Sleep(10 * time.Millisecond) // a paused member: not polling, on purpose
				continue
			}
			pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
			fs, err := m.c.Poll(pctx)
			pcancel()
			if err != nil {
				if errors.Is(err, ErrClosed) {
					return
				}
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
					m.add(event{kind: "error", err: err})
					if !errors.Is(err, ErrPollIntervalExceeded) {
						return
					}
				}
				continue
			}
			for r := range fs.Records() {
				m.add(event{kind: "record", id: string(r.Value), tp: TopicPartition{Topic: r.Topic, Partition: r.Partition}, off: r.Offset})
			}
		}
	}()
}

// stop ends the poll loop and closes the consumer (Close, or CloseLeave).
func (m *member) stop(leave bool) {
	m.cancel()
	<-m.done
	start := time.Now()
	var err error
	if leave {
		err = m.c.CloseLeave()
	} else {
		err = m.c.Close()
	}
	if err != nil {
		m.t.Errorf("%s: close: %v", m.name, err)
	}
	m.t.Logf("%s closed in %v", m.name, time.Since(start).Round(time.Millisecond))
}

func (m *member) snapshot() []event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

// records returns how often each id arrived.
func (m *member) records() map[string]int {
	out := map[string]int{}
	for _, e := range m.snapshot() {
		if e.kind == "record" {
			out[e.id]++
		}
	}
	return out
}

func (m *member) errors() []error {
	var out []error
	for _, e := range m.snapshot() {
		if e.kind == "error" {
			out = append(out, e.err)
		}
	}
	return out
}

// owned returns the partitions as the listener last left them.
func (m *member) owned() []TopicPartition {
	own := m.fold(nil)
	slices.SortFunc(own, TopicPartition.Compare)
	return own
}

// fold replays m's listener events and returns what it owns after them;
// visit, when not nil, sees each event with what m owns after it.
func (m *member) fold(visit func(e event, own []TopicPartition)) []TopicPartition {
	var own []TopicPartition
	for _, e := range m.snapshot() {
		switch e.kind {
		case "assigned":
			own = append(own, e.parts...)
		case "revoked", "lost":
			own = slices.DeleteFunc(own, func(tp TopicPartition) bool { return slices.Contains(e.parts, tp) })
		}
		if visit != nil {
			visit(e, own)
		}
	}
	return own
}

// waitFor polls cond every 20ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !kafkatest.Poll(d, cond) {
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}

// union sums the members' record counts.
func union(ms ...*member) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for id, n := range m.records() {
			out[id] += n
		}
	}
	return out
}

func haveAll(got map[string]int, ids []string) bool {
	for _, id := range ids {
		if got[id] == 0 {
			return false
		}
	}
	return true
}

func dups(got map[string]int) []string {
	var out []string
	for id, n := range got {
		if n > 1 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// TestIntegrationGroupsShareAndSplit: two groups read the same topic and
// each gets every record; within a group of two each record goes to one
// member, and the partitions are split between them.
func TestIntegrationGroupsShareAndSplit(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	ids := produceIDs(t, topic, 4, 200, "r")
	ga, gb := kafkatest.TopicName(t)+"-a", kafkatest.TopicName(t)+"-b"
	a1 := startMember(t, "a1", groupProps(ga), topic)
	a2 := startMember(t, "a2", groupProps(ga), topic)
	b1 := startMember(t, "b1", groupProps(gb), topic)
	waitFor(t, 20*time.Second, "both groups to read every record", func() bool {
		return haveAll(union(a1, a2), ids) && haveAll(b1.records(), ids)
	})
	waitFor(t, 10*time.Second, "the partitions split", func() bool {
		return len(a1.owned()) == 2 && len(a2.owned()) == 2
	})
	if d := dups(union(a1, a2)); len(d) > 0 {
		t.Errorf("group a: records delivered twice: %v", d)
	}
	if d := dups(b1.records()); len(d) > 0 {
		t.Errorf("group b: records delivered twice: %v", d)
	}
	if got := b1.c.Subscription(); !slices.Equal(got, []string{topic}) {
		t.Errorf("Subscription() = %v", got)
	}
	md1, md2 := a1.c.GroupMetadata(), a2.c.GroupMetadata()
	if md1.GroupID != ga || md1.MemberID == "" || md1.MemberID == md2.MemberID || md1.GenerationID != md2.GenerationID || md1.GenerationID < 1 {
		t.Errorf("group metadata %+v and %+v", md1, md2)
	}
	if m := a1.c.Metrics(); m.Group.Generation != md1.GenerationID || m.Group.Rebalances < 1 {
		t.Errorf("metrics %+v", m.Group)
	}
	for _, m := range []*member{a1, a2, b1} {
		if errs := m.errors(); len(errs) > 0 {
			t.Errorf("%s: %v", m.name, errs)
		}
	}
	t.Logf("a1 %v, a2 %v", a1.owned(), a2.owned())
	a1.stop(false)
	a2.stop(false)
	b1.stop(false)
}

// kinds returns the listener events, e.g. "assigned:4 revoked:4".
func (m *member) kinds() string {
	var out []string
	for _, e := range m.snapshot() {
		if e.kind != "record" && e.kind != "error" {
			out = append(out, fmt.Sprintf("%s:%d", e.kind, len(e.parts)))
		}
	}
	return strings.Join(out, " ")
}

// lastOffsets returns the offset past the last record the member got of
// each partition.
func (m *member) lastOffsets() map[TopicPartition]int64 {
	out := map[TopicPartition]int64{}
	for _, e := range m.snapshot() {
		if e.kind == "record" {
			out[e.tp] = max(out[e.tp], e.off+1)
		}
	}
	return out
}

// TestIntegrationGroupJoinLeave: a member joins a running one, which then
// leaves with Close; the partitions move each time, no record is lost, and
// none is delivered twice since every revocation commits first (checked
// inside OnRevoked: the committed offsets are past the records returned).
// The listener sees revoked before the next assigned.
func TestIntegrationGroupJoinLeave(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	ids := produceIDs(t, topic, 4, 100, "a")
	var bad []string
	var badMu sync.Mutex
	checkRevoke := func(m *member) {
		l := m.listener()
		revoked := l.OnRevoked
		l.OnRevoked = func(c *Consumer, parts []TopicPartition) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := c.Committed(ctx, parts...)
			last := m.lastOffsets()
			for _, tp := range parts {
				if want, ok := last[tp]; ok && (err != nil || got[tp].Offset != want) {
					badMu.Lock()
					bad = append(bad, fmt.Sprintf("%s: %v committed %+v, %v; want %d", m.name, tp, got[tp], err, want))
					badMu.Unlock()
				}
			}
			revoked(c, parts)
		}
		if err := m.c.Subscribe([]string{topic}, l); err != nil { // replaces the listener
			t.Fatal(err)
		}
	}
	m1 := startMember(t, "m1", groupProps(g), topic)
	checkRevoke(m1)
	waitFor(t, 15*time.Second, "m1 to read everything", func() bool { return haveAll(m1.records(), ids) })
	m2 := startMember(t, "m2", groupProps(g), topic)
	checkRevoke(m2)
	waitFor(t, 15*time.Second, "the partitions split", func() bool { return len(m1.owned()) == 2 && len(m2.owned()) == 2 })
	ids2 := produceIDs(t, topic, 4, 100, "b")
	waitFor(t, 15*time.Second, "the second batch", func() bool { return haveAll(union(m1, m2), ids2) })
	m1.stop(false)
	waitFor(t, 15*time.Second, "m2 to own everything", func() bool { return len(m2.owned()) == 4 })
	ids3 := produceIDs(t, topic, 4, 100, "c")
	waitFor(t, 15*time.Second, "the third batch", func() bool { return haveAll(m2.records(), ids3) })
	all := union(m1, m2)
	if !haveAll(all, ids) {
		t.Error("records lost")
	}
	if d := dups(all); len(d) > 0 {
		t.Errorf("duplicates although every revocation committed: %v", d)
	}
	badMu.Lock()
	for _, b := range bad {
		t.Error(b)
	}
	badMu.Unlock()
	if k := m1.kinds(); k != "assigned:4 revoked:4 assigned:2 revoked:2" {
		t.Errorf("m1's listener: %s", k)
	}
	if k := m2.kinds(); k != "assigned:2 revoked:2 assigned:4" {
		t.Errorf("m2's listener: %s", k)
	}
	if m := m2.c.Metrics().Group; m.Rebalances != 2 || m.Revoked != 2 || m.Lost != 0 || m.Commits == 0 {
		t.Errorf("m2's metrics %+v", m)
	}
	m2.stop(false)
}

// TestIntegrationGroupStaticRestart: a static member closed and started
// again within session.timeout.ms gets its partitions back in the same
// generation, and the other member sees no rebalance.
func TestIntegrationGroupStaticRestart(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	s1 := startMember(t, "s1", groupProps(g, "group.instance.id", "i1"), topic)
	s2 := startMember(t, "s2", groupProps(g, "group.instance.id", "i2"), topic)
	waitFor(t, 15*time.Second, "the partitions split", func() bool { return len(s1.owned()) == 2 && len(s2.owned()) == 2 })
	gen := s2.c.GroupMetadata().GenerationID
	owned := s1.owned()
	before := s2.kinds()
	s1.stop(false) // no LeaveGroup
	s1b := startMember(t, "s1b", groupProps(g, "group.instance.id", "i1"), topic)
	waitFor(t, 15*time.Second, "s1b to get the partitions back", func() bool { return len(s1b.owned()) == 2 })
	if got := s1b.owned(); !slices.Equal(got, owned) {
		t.Errorf("s1b owns %v; s1 owned %v", got, owned)
	}
	if md := s1b.c.GroupMetadata(); md.GenerationID != gen || md.InstanceID != "i1" {
		t.Errorf("s1b's group metadata %+v; want generation %d", md, gen)
	}
	// A rebalance would reach s2 with its next heartbeat (500 ms); an
	// absence: a later one would escape this check, never fail it wrongly.
	time.Sleep(time.Second)
	if after := s2.kinds(); after != before || s2.c.GroupMetadata().GenerationID != gen {
		t.Errorf("s2's listener went from %q to %q (generation %d -> %d)", before, after, gen, s2.c.GroupMetadata().GenerationID)
	}
	s1b.stop(true) // CloseLeave: s2 takes over at once
	waitFor(t, 5*time.Second, "s2 to own everything after CloseLeave", func() bool { return len(s2.owned()) == 4 })
	s2.stop(true)
}

// TestIntegrationGroupStaticRestartAfterTimeout: a static member that comes
// back after session.timeout.ms is a new member to the group: the
// coordinator has removed the old one and rebalanced, so the restarted one
// rejoins normally, in a later generation, and gets its share again.
func TestIntegrationGroupStaticRestartAfterTimeout(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	props := func(id string) map[string]string {
		return groupProps(g, "group.instance.id", id, "session.timeout.ms", "2000")
	}
	s1 := startMember(t, "s1", props("i1"), topic)
	s2 := startMember(t, "s2", props("i2"), topic)
	waitFor(t, 15*time.Second, "the partitions split", func() bool { return len(s1.owned()) == 2 && len(s2.owned()) == 2 })
	gen := s2.c.GroupMetadata().GenerationID
	s1.stop(false) // no LeaveGroup: the coordinator waits out the session
	waitFor(t, 10*time.Second, "s2 to own everything once s1's session expired", func() bool { return len(s2.owned()) == 4 })
	expired := s2.c.GroupMetadata().GenerationID
	if expired <= gen {
		t.Errorf("generation %d after the session expired, want above %d", expired, gen)
	}
	s1b := startMember(t, "s1b", props("i1"), topic)
	waitFor(t, 15*time.Second, "s1b and s2 to split again", func() bool { return len(s1b.owned()) == 2 && len(s2.owned()) == 2 })
	if md := s1b.c.GroupMetadata(); md.GenerationID <= expired {
		t.Errorf("s1b joined in generation %d, want above %d (a normal rejoin)", md.GenerationID, expired)
	}
	t.Logf("generations: %d with both, %d after s1's session expired, %d after s1b rejoined", gen, expired, s1b.c.GroupMetadata().GenerationID)
	s1b.stop(true)
	s2.stop(true)
}

// TestIntegrationGroupFenced: a second consumer with the same
// group.instance.id fences the first, whose Poll says so.
func TestIntegrationGroupFenced(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	g := kafkatest.TopicName(t)
	a := startMember(t, "a", groupProps(g, "group.instance.id", "same"), topic)
	waitFor(t, 15*time.Second, "a to be assigned", func() bool { return len(a.owned()) == 2 })
	b := startMember(t, "b", groupProps(g, "group.instance.id", "same"), topic)
	waitFor(t, 15*time.Second, "a to be fenced", func() bool { return len(a.errors()) > 0 })
	err := a.errors()[0]
	if !errors.Is(err, protocol.ErrFencedInstanceId) || !strings.Contains(err.Error(), `group.instance.id "same"`) {
		t.Errorf("a's error: %v", err)
	}
	t.Logf("a: %v", err)
	if _, err := a.c.Poll(context.Background()); err == nil || !errors.Is(err, protocol.ErrFencedInstanceId) {
		t.Errorf("the next Poll: %v; want the same error", err)
	}
	waitFor(t, 15*time.Second, "b to be assigned", func() bool { return len(b.owned()) == 2 })
	if errs := b.errors(); len(errs) > 0 {
		t.Errorf("b: %v", errs)
	}
	a.stop(false)
	b.stop(false)
}

// TestIntegrationGroupPollInterval: a member that stops polling loses its
// partitions to the other within max.poll.interval.ms plus a heartbeat or
// so; a commit it makes then fails with ErrCommitFailed; its next Poll
// reports ErrPollIntervalExceeded (OnLost, not OnRevoked) and it rejoins.
func TestIntegrationGroupPollInterval(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	ids := produceIDs(t, topic, 4, 40, "p")
	props := groupProps(g, "max.poll.interval.ms", "3000")
	m1 := startMember(t, "m1", props, topic)
	m2 := startMember(t, "m2", props, topic)
	waitFor(t, 15*time.Second, "the partitions split", func() bool { return len(m1.owned()) == 2 && len(m2.owned()) == 2 })
	waitFor(t, 15*time.Second, "every record", func() bool { return haveAll(union(m1, m2), ids) })
	m1.mu.Lock()
	m1.paused = true
	m1.mu.Unlock()
	<-time.After(300 * time.Millisecond) // the poll in progress ends
	paused := time.Now()
	waitFor(t, 3*time.Second+3*time.Second, "m2 to own everything", func() bool { return len(m2.owned()) == 4 })
	t.Logf("m2 got everything %v after m1 stopped polling", time.Since(paused).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tp := m1.owned()[0]
	err := m1.c.Commit(ctx, map[TopicPartition]CommittedOffset{tp: {Offset: 1, LeaderEpoch: -1}})
	if !errors.Is(err, ErrCommitFailed) || !errors.Is(err, commit.ErrCommitFailed) {
		t.Errorf("a commit of the stale generation: %v; want ErrCommitFailed", err)
	}
	t.Logf("stale commit: %v", err)
	m1.mu.Lock()
	m1.paused = false
	m1.mu.Unlock()
	waitFor(t, 5*time.Second, "m1's Poll to report it", func() bool { return len(m1.errors()) > 0 })
	if err := m1.errors()[0]; !errors.Is(err, ErrPollIntervalExceeded) {
		t.Errorf("m1's Poll: %v", err)
	}
	waitFor(t, 15*time.Second, "the partitions split again", func() bool { return len(m1.owned()) == 2 && len(m2.owned()) == 2 })
	// m1 may have owned all four before m2 joined (assigned:4 revoked:4
	// first): what matters is what follows the split.
	if k := m1.kinds(); !strings.Contains(k, "assigned:2 lost:2 assigned:2") {
		t.Errorf("m1's listener: %s", k)
	}
	if m := m1.c.Metrics().Group; m.Lost != 2 {
		t.Errorf("m1's metrics %+v", m)
	}
	m1.stop(false)
	m2.stop(false)
}

// TestIntegrationGroupRegex: a pattern subscription picks up a topic
// created after it started.
func TestIntegrationGroupRegex(t *testing.T) {
	prefix := kafkatest.TopicName(t)
	t1 := kafkatest.CreateTopic(t, prefix+"-one", 2, 1)
	ids1 := produceIDs(t, t1, 2, 20, "one")
	c := newTestConsumer(t, groupProps(prefix))
	m := &member{name: "re", c: c, t: t, done: make(chan struct{})}
	if err := c.SubscribeRegex(regexp.QuoteMeta(prefix)+`-.*`, m.listener()); err != nil {
		t.Fatal(err)
	}
	if err := c.Assign(tps(t1, 1, Earliest)); !errors.Is(err, ErrAssignAndSubscribe) {
		t.Errorf("Assign under a subscription: %v", err)
	}
	m.run()
	waitFor(t, 15*time.Second, "the first topic's records", func() bool { return haveAll(m.records(), ids1) })
	t2 := kafkatest.CreateTopic(t, prefix+"-two", 3, 1)
	ids2 := produceIDs(t, t2, 3, 30, "two")
	start := time.Now()
	waitFor(t, 20*time.Second, "the new topic's records", func() bool { return haveAll(m.records(), ids2) })
	t.Logf("the new topic read %v after it was written", time.Since(start).Round(time.Millisecond))
	if got := c.Subscription(); !slices.Equal(got, []string{t1, t2}) {
		t.Errorf("Subscription() = %v", got)
	}
	if d := dups(m.records()); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
	// The first join already named the matching topic (the metadata came
	// first); the new topic took one more rebalance.
	if k := m.kinds(); k != "assigned:2 revoked:2 assigned:5" {
		t.Errorf("listener: %s", k)
	}
	m.stop(false)
}

// TestIntegrationGroupPartitionsAdded: partitions added to a subscribed
// topic are assigned and read from their start (auto.offset.reset=earliest).
func TestIntegrationGroupPartitionsAdded(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	g := kafkatest.TopicName(t)
	m := startMember(t, "m", groupProps(g), topic)
	waitFor(t, 15*time.Second, "the assignment", func() bool { return len(m.owned()) == 1 })
	javaTool(t, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", strings.Split(kafkatest.Brokers(t), ",")[0],
		"--alter", "--topic", topic, "--partitions", "3")
	ids := produceIDs(t, topic, 3, 30, "n")
	waitFor(t, 20*time.Second, "the new partitions' records", func() bool { return haveAll(m.records(), ids) })
	if got := m.owned(); len(got) != 3 {
		t.Errorf("owns %v", got)
	}
	m.stop(false)
}

// TestIntegrationGroupCommittedJava: the offsets a member committed (at
// Close, under auto-commit) are what the Java tool kafka-consumer-groups
// describes.
func TestIntegrationGroupCommittedJava(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 3, 1)
	g := kafkatest.TopicName(t)
	ids := produceIDs(t, topic, 3, 31, "j")
	m := startMember(t, "m", groupProps(g), topic)
	waitFor(t, 15*time.Second, "every record", func() bool { return haveAll(m.records(), ids) })
	want := m.lastOffsets()
	m.stop(false)
	out := javaTool(t, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server",
		strings.Split(kafkatest.Brokers(t), ",")[0], "--describe", "--group", g)
	got := map[TopicPartition]int64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[1] != topic {
			continue
		}
		var p int32
		var off int64
		if _, err := fmt.Sscan(f[2], &p); err != nil {
			continue
		}
		if _, err := fmt.Sscan(f[3], &off); err != nil {
			t.Fatalf("describe line %q", line)
		}
		got[TopicPartition{Topic: topic, Partition: p}] = off
	}
	if !maps.Equal(got, want) {
		t.Errorf("kafka-consumer-groups describes %v; rawkafka committed %v\n%s", got, want, out)
	}
}

// javaTool runs `scripts/kafka java-tool class args...` and returns its
// output; a failure fails the test.
func javaTool(t *testing.T, class string, args ...string) string {
	t.Helper()
	root, err := kafkatest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(root, "scripts", "kafka"), append([]string{"java-tool", class}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("java-tool %s %v: %v\n%s", class, args, err, out)
	}
	return string(out)
}

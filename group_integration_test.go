package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
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
				time.Sleep(10 * time.Millisecond)
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
				m.add(event{kind: "record", id: string(r.Value)})
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
	var own []TopicPartition
	for _, e := range m.snapshot() {
		switch e.kind {
		case "assigned":
			own = append(own, e.parts...)
		case "revoked", "lost":
			own = slices.DeleteFunc(own, func(tp TopicPartition) bool { return slices.Contains(e.parts, tp) })
		}
	}
	slices.SortFunc(own, TopicPartition.Compare)
	return own
}

// waitFor polls cond every 20ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
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

var _ = maps.Keys[map[int]int]
var _ = strings.Contains

package group_test

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

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// The Driver against the real broker (kafkatest): each member has a
// conn.Cluster of its own, as separate consumers would, since a broker
// answers one request per connection at a time and a JoinGroup waits for
// the whole group.

// member is one Driver with the Consumer's side played by the test: it
// polls, answers Revoke and Lose with RevokeDone, and keeps what the
// listener was told.
type member struct {
	name string
	d    *group.Driver
	cl   *conn.Cluster
	errc chan error // Run's result

	mu      sync.Mutex
	skips   int                              // ComputeAssignment with SkipAssignment (KIP-814)
	view    map[protocol.TopicPartition]bool // owned, as the listener saw it
	revokes int                              // Revoke and Lose seen
	fails   []error
}

func fastConfig(g, instance string, as ...assignor.Assignor) group.Config {
	return group.Config{
		Group:             g,
		InstanceID:        instance,
		Assignors:         as,
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: 500 * time.Millisecond,
		MaxPollInterval:   15 * time.Second, // also the rebalance timeout
		RetryBackoff:      50 * time.Millisecond,
		RetryBackoffMax:   500 * time.Millisecond,
	}
}

func startMember(t *testing.T, name string, cfg group.Config, topics ...string) *member {
	t.Helper()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(kafkatest.Brokers(t), ","),
		MetadataMaxAge: 300 * time.Millisecond}) // for watchMetadata
	if err != nil {
		t.Fatal(err)
	}
	m, err := group.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mb := &member{name: name, cl: cl, errc: make(chan error, 1), view: make(map[protocol.TopicPartition]bool)}
	assign := group.NewAssignFunc(cfg.Assignors, group.MetadataFromCluster(cl), nil)
	mb.d = group.NewDriver(m, group.DriverConfig{
		Find: group.FindFromCluster(cl),
		Assign: func(ctx context.Context, a group.ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
			if a.SkipAssignment {
				mb.mu.Lock()
				mb.skips++
				mb.mu.Unlock()
			}
			return assign(ctx, a)
		},
		RequestTimeout: 10 * time.Second,
	})
	d := mb.d
	ctx, cancel := context.WithCancel(context.Background())
	go func() { mb.errc <- d.Run(ctx, topics) }()
	go mb.consume()
	t.Cleanup(func() {
		cancel()
		<-d.Done()
		cl.Close()
	})
	return mb
}

func (mb *member) consume() {
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-mb.d.Done():
			return
		case <-poll.C:
			mb.d.Send(group.Poll{})
		case <-mb.d.Ready():
			for _, a := range mb.d.Take() {
				mb.mu.Lock()
				switch a := a.(type) {
				case group.Assign:
					for _, tp := range a.Partitions {
						mb.view[tp] = true
					}
				case group.Revoke:
					mb.revokes++
					for _, tp := range a.Partitions {
						delete(mb.view, tp)
					}
				case group.Lose:
					mb.revokes++
					for _, tp := range a.Partitions {
						delete(mb.view, tp)
					}
				case group.Fail:
					mb.fails = append(mb.fails, a.Err)
				}
				mb.mu.Unlock()
				switch a.(type) {
				case group.Revoke, group.Lose:
					mb.d.Send(group.RevokeDone{})
				}
			}
		}
	}
}

// watchMetadata plays the Consumer's metadata loop: every 300ms it sends
// MetadataChanged with the counts of the member's own topics and of every
// topic it assigned from as the leader (Member.AssignedFrom), 0 for a
// topic that does not exist.
func (mb *member) watchMetadata() {
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-mb.d.Done():
			return
		case <-tick.C:
		}
		m := mb.d.Member()
		topics := slices.Sorted(maps.Keys(m.AssignedFrom()))
		topics = slices.Compact(slices.Sorted(slices.Values(slices.Concat(topics, m.Topics()))))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		md, err := mb.cl.Metadata(ctx, topics...)
		cancel()
		if err == nil {
			mb.d.Send(group.MetadataChanged{PartitionCounts: group.PartitionCounts(md, topics)})
		}
	}
}

func (mb *member) seen() (view []protocol.TopicPartition, revokes int) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	view = slices.SortedFunc(maps.Keys(mb.view), protocol.TopicPartition.Compare)
	return view, mb.revokes
}

// close sends Close and waits for Run's result.
func (mb *member) close(t *testing.T, leave group.LeaveMode) error {
	t.Helper()
	mb.d.Send(group.Close{Leave: leave})
	select {
	case err := <-mb.errc:
		return err
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: Run did not end after Close", mb.name)
		return nil
	}
}

// eventually polls cond until it holds or timeout passes, then fails
// with what describe says.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, describe())
		}
		time.Sleep(50 * time.Millisecond) // polling, bounded by the deadline
	}
}

func describeMembers(ms []*member) string {
	var b strings.Builder
	for _, mb := range ms {
		m := mb.d.Member()
		view, revokes := mb.seen()
		fmt.Fprintf(&b, "\n  %s: %s id=%q gen=%d leader=%v owned=%v listener=%v revokes=%d err=%v",
			mb.name, m.State(), m.MemberID(), m.Generation(), m.Leader(), m.Owned(), view, revokes, m.Err())
	}
	return b.String()
}

// settled reports whether every member is Stable in one generation, one
// of them leads it, the listener saw what each owns, and together they
// own every partition of counts exactly once.
func settled(ms []*member, counts map[string]int32) bool {
	gen := ms[0].d.Member().Generation()
	leaders := 0
	owner := make(map[protocol.TopicPartition]int)
	for _, mb := range ms {
		m := mb.d.Member()
		view, _ := mb.seen()
		if m.State() != group.Stable || m.Generation() != gen || !slices.Equal(view, m.Owned()) {
			return false
		}
		if m.Leader() {
			leaders++
		}
		for _, tp := range m.Owned() {
			owner[tp]++
		}
	}
	total := 0
	for t, n := range counts {
		total += int(n)
		for p := range n {
			if owner[protocol.TopicPartition{Topic: t, Partition: p}] != 1 {
				return false
			}
		}
	}
	return leaders == 1 && len(owner) == total
}

// checkAssignor checks that the members own exactly what as gives them
// when it runs here over their ids, with the same subscriptions.
func checkAssignor(t *testing.T, as assignor.Assignor, ms []*member, counts map[string]int32) {
	t.Helper()
	g := assignor.Group{Topics: make(map[string]assignor.Topic)}
	for name, n := range counts {
		g.Topics[name] = assignor.Topic{Partitions: n}
	}
	for _, mb := range ms {
		m := mb.d.Member()
		g.Members = append(g.Members, assignor.Member{ID: m.MemberID(), InstanceID: m.Config().InstanceID, Topics: m.Topics()})
	}
	want, err := as.Assign(g)
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]assignor.Assignment)
	for _, mb := range ms {
		m := mb.d.Member()
		got[m.MemberID()] = assignor.Assignment{Partitions: m.Owned()}
		if w := want[m.MemberID()].Partitions; !slices.Equal(w, m.Owned()) {
			t.Errorf("%s owns %v; %s here gives it %v", mb.name, m.Owned(), as.Name(), w)
		}
	}
	if err := assignor.Check(g, got, assignor.BalancePerTopic); err != nil {
		t.Error(err)
	}
}

// checkBroker asks the coordinator (DescribeGroups) what it holds: the
// group Stable under protocol, with exactly these members, each with the
// assignment it owns, at v3 as the rawkafka leader writes it.
func checkBroker(t *testing.T, g, proto string, ms []*member) {
	t.Helper()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(kafkatest.Brokers(t), ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cl.Coordinator(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(ctx, &protocol.DescribeGroupsRequest{Groups: []string{g}})
	if err != nil {
		t.Fatal(err)
	}
	d := resp.(*protocol.DescribeGroupsResponse).Groups[0]
	if d.ErrorCode != 0 || d.GroupState != "Stable" || d.ProtocolType != "consumer" || d.ProtocolData != proto || len(d.Members) != len(ms) {
		t.Fatalf("the coordinator describes %s: error %d state %s type %q protocol %q, %d members (want %d)",
			g, d.ErrorCode, d.GroupState, d.ProtocolType, d.ProtocolData, len(d.Members), len(ms))
	}
	owned := make(map[string][]protocol.TopicPartition)
	for _, mb := range ms {
		m := mb.d.Member()
		owned[m.MemberID()] = m.Owned()
	}
	for _, dm := range d.Members {
		want, ok := owned[dm.MemberId]
		var a protocol.ConsumerProtocolAssignment
		if err := a.Decode(dm.MemberAssignment); err != nil || !ok {
			t.Fatalf("member %s (known %v): %v", dm.MemberId, ok, err)
		}
		got := assignor.AssignmentFromProtocol(&a).Partitions
		slices.SortFunc(got, protocol.TopicPartition.Compare)
		if a.Version != 3 || !slices.Equal(got, want) {
			t.Errorf("the coordinator holds v%d %v for %s, which owns %v", a.Version, got, dm.MemberId, want)
		}
	}
}

func groupName(t *testing.T) string { return "g-" + kafkatest.TopicName(t) }

// TestIntegrationGroupAssignors: three members agree on one generation
// and share every partition of two topics, as range or roundrobin gives
// them; the member that closes leaves (LeaveGroup) and the other two take
// its partitions in the next generation.
func TestIntegrationGroupAssignors(t *testing.T) {
	for _, as := range []assignor.Assignor{assignor.Range, assignor.RoundRobin} {
		t.Run(as.Name(), func(t *testing.T) {
			a := kafkatest.CreateTopic(t, "", 5, 1)
			b := kafkatest.CreateTopic(t, "", 2, 1)
			counts := map[string]int32{a: 5, b: 2}
			g := groupName(t)
			// The other assignor is offered too, after the preferred one:
			// every member votes for its first, so the group runs as.
			other := assignor.RoundRobin
			if as == assignor.RoundRobin {
				other = assignor.Range
			}
			var ms []*member
			for i := range 3 {
				ms = append(ms, startMember(t, fmt.Sprintf("m%d", i), fastConfig(g, "", as, other), a, b))
			}
			eventually(t, 20*time.Second, func() bool { return settled(ms, counts) }, func() string { return describeMembers(ms) })
			for _, mb := range ms {
				if p := mb.d.Member().Protocol(); p != as.Name() {
					t.Fatalf("%s runs %q", mb.name, p)
				}
			}
			checkAssignor(t, as, ms, counts)
			checkBroker(t, g, as.Name(), ms)
			gen := ms[0].d.Member().Generation()
			t.Logf("generation %d:%s", gen, describeMembers(ms))

			if err := ms[2].close(t, group.LeaveDefault); err != nil {
				t.Fatalf("close: %v", err)
			}
			rest := ms[:2]
			eventually(t, 15*time.Second, func() bool {
				return settled(rest, counts) && rest[0].d.Member().Generation() > gen
			}, func() string { return describeMembers(rest) })
			checkAssignor(t, as, rest, counts)
			checkBroker(t, g, as.Name(), rest)
			t.Logf("after a member left, generation %d:%s", rest[0].d.Member().Generation(), describeMembers(rest))
		})
	}
}

// TestIntegrationLeaderSeesTopicCreated: members subscribe to a topic
// that does not exist yet; the leader assigns the other one and logs the
// missing one, and when it is created the leader's metadata shows it and
// the group rebalances to share it too.
func TestIntegrationLeaderSeesTopicCreated(t *testing.T) {
	a := kafkatest.CreateTopic(t, "", 3, 1)
	later := kafkatest.TopicName(t)
	g := groupName(t)
	var ms []*member
	for i := range 2 {
		mb := startMember(t, fmt.Sprintf("m%d", i), fastConfig(g, "", assignor.Range), a, later)
		go mb.watchMetadata()
		ms = append(ms, mb)
	}
	eventually(t, 20*time.Second, func() bool { return settled(ms, map[string]int32{a: 3}) }, func() string { return describeMembers(ms) })
	gen := ms[0].d.Member().Generation()
	for _, mb := range ms {
		if m := mb.d.Member(); m.Leader() && !maps.Equal(m.AssignedFrom(), map[string]int32{a: 3, later: 0}) {
			t.Fatalf("the leader watches %v", m.AssignedFrom())
		}
	}
	kafkatest.CreateTopic(t, later, 2, 1)
	counts := map[string]int32{a: 3, later: 2}
	eventually(t, 15*time.Second, func() bool { return settled(ms, counts) && ms[0].d.Member().Generation() > gen },
		func() string { return describeMembers(ms) })
	checkAssignor(t, assignor.Range, ms, counts)
}

// TestIntegrationStaticMemberRestart: a static member that closes without
// LeaveGroup and comes back within session.timeout.ms, as a new process
// would (a new Member, no member id), gets its partitions and generation
// back, and the other member does not rebalance. The leader restarting
// goes through KIP-814: the coordinator tells it to skip the assignment.
func TestIntegrationStaticMemberRestart(t *testing.T) {
	for _, restartLeader := range []bool{false, true} {
		t.Run(map[bool]string{false: "follower", true: "leader"}[restartLeader], func(t *testing.T) {
			topic := kafkatest.CreateTopic(t, "", 4, 1)
			counts := map[string]int32{topic: 4}
			g := groupName(t)
			ms := []*member{
				startMember(t, "s1", fastConfig(g, "s1", assignor.Range), topic),
				startMember(t, "s2", fastConfig(g, "s2", assignor.Range), topic),
			}
			eventually(t, 20*time.Second, func() bool { return settled(ms, counts) }, func() string { return describeMembers(ms) })
			// Restart the leader or the follower; the other one stays.
			r := slices.IndexFunc(ms, func(mb *member) bool { return mb.d.Member().Leader() == restartLeader })
			stays := ms[1-r]
			before := ms[r].d.Member()
			gen := before.Generation()
			_, revokes := stays.seen()
			t.Logf("generation %d:%s", gen, describeMembers(ms))

			if err := ms[r].close(t, group.LeaveDefault); err != nil {
				t.Fatalf("close: %v", err)
			}
			ms[r] = startMember(t, ms[r].name+" again", fastConfig(g, before.Config().InstanceID, assignor.Range), topic)
			eventually(t, 10*time.Second, func() bool { return settled(ms, counts) }, func() string { return describeMembers(ms) })
			after := ms[r].d.Member()
			// The restarted leader skipped the assignment (KIP-814) but
			// counted the group's topics, which it now watches.
			ms[r].mu.Lock()
			skips := ms[r].skips
			ms[r].mu.Unlock()
			if restartLeader && (skips != 1 || !maps.Equal(after.AssignedFrom(), counts)) {
				t.Errorf("the restarted leader skipped %d assignments and watches %v, want 1 and %v", skips, after.AssignedFrom(), counts)
			}
			if after.Generation() != gen || !slices.Equal(after.Owned(), before.Owned()) || after.Leader() != restartLeader {
				t.Errorf("restarted: generation %d owning %v (leader %v), want generation %d owning %v",
					after.Generation(), after.Owned(), after.Leader(), gen, before.Owned())
			}
			// A second later, still the same generation and no revoke on
			// the member that stayed.
			// An absence: a rebalance reaching the member later would only
			// escape this check, never fail it wrongly.
			time.Sleep(time.Second)
			if _, n := stays.seen(); n != revokes || stays.d.Member().Generation() != gen || stays.d.Member().State() != group.Stable {
				t.Errorf("the other member rebalanced:%s", describeMembers(ms))
			}
			t.Logf("after the restart:%s", describeMembers(ms))
		})
	}
}

// TestIntegrationFencedInstance: a second consumer with the same
// group.instance.id takes the membership over, and the first one fails
// with an error that says so.
func TestIntegrationFencedInstance(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	counts := map[string]int32{topic: 2}
	g := groupName(t)
	first := startMember(t, "first", fastConfig(g, "twin", assignor.Range), topic)
	eventually(t, 20*time.Second, func() bool { return settled([]*member{first}, counts) }, func() string { return describeMembers([]*member{first}) })

	second := startMember(t, "second", fastConfig(g, "twin", assignor.Range), topic)
	eventually(t, 15*time.Second, func() bool { return first.d.Member().State() == group.Failed },
		func() string { return describeMembers([]*member{first, second}) })
	ferr := first.d.Member().Err()
	if !errors.Is(ferr, protocol.ErrFencedInstanceId) || !strings.Contains(ferr.Error(), `another consumer instance is using group.instance.id "twin"`) {
		t.Fatalf("fenced with %v", ferr)
	}
	if view, _ := first.seen(); len(view) != 0 {
		t.Errorf("the fenced member still owns %v", view)
	}
	if err := first.close(t, group.LeaveDefault); !errors.Is(err, protocol.ErrFencedInstanceId) {
		t.Errorf("Run: %v", err)
	}
	eventually(t, 15*time.Second, func() bool { return settled([]*member{second}, counts) }, func() string { return describeMembers([]*member{second}) })
	t.Logf("fenced: %v", ferr)
}

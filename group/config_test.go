package group

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// coopAssignor supports both protocols, so a member with it alone would
// run cooperative; onlyCoop supports cooperative only.
type coopAssignor struct{ userData []byte }

func (coopAssignor) Name() string { return "coop" }
func (coopAssignor) RebalanceProtocols() []assignor.RebalanceProtocol {
	return []assignor.RebalanceProtocol{assignor.Eager, assignor.Cooperative}
}
func (c coopAssignor) SubscriptionUserData(assignor.Member) []byte { return c.userData }
func (coopAssignor) Assign(g assignor.Group) (map[string]assignor.Assignment, error) {
	return assignor.Range.Assign(g)
}
func (coopAssignor) OnAssignment(assignor.Assignment, int32) error { return nil }

type onlyCoop struct{ coopAssignor }

func (onlyCoop) Name() string { return "only-coop" }
func (onlyCoop) RebalanceProtocols() []assignor.RebalanceProtocol {
	return []assignor.RebalanceProtocol{assignor.Cooperative}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no group", func(c *Config) { c.Group = "" }, "Config.Group is empty"},
		{"no assignors", func(c *Config) { c.Assignors = nil }, "Config.Assignors is empty"},
		{"nil assignor", func(c *Config) { c.Assignors = []assignor.Assignor{nil} }, "nil assignor"},
		{"twice", func(c *Config) {
			c.Assignors = []assignor.Assignor{assignor.Range, assignor.RoundRobin, assignor.Range}
		}, `"range" is configured twice`},
		{"no common protocol", func(c *Config) { c.Assignors = []assignor.Assignor{assignor.Range, onlyCoop{}} }, "share no rebalance protocol"},
		{"jitter", func(c *Config) { c.BackoffJitter = 1 }, "BackoffJitter must be below 1"},
		{"heartbeat too slow", func(c *Config) { c.HeartbeatInterval = c.SessionTimeout }, "heartbeat interval"},
	} {
		cfg := testConfig()
		tc.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestDefaultsAndAccessors(t *testing.T) {
	m := newMember(t, Config{Group: "g", Assignors: []assignor.Assignor{assignor.Range, assignor.RoundRobin}, Rack: "r1"})
	c := m.Config()
	if c.SessionTimeout != DefaultSessionTimeout || c.HeartbeatInterval != DefaultHeartbeatInterval ||
		c.MaxPollInterval != DefaultMaxPollInterval || c.RetryBackoff != DefaultRetryBackoff || c.RetryBackoffMax != DefaultRetryBackoffMax ||
		c.BackoffJitter != DefaultBackoffJitter || m.Rebalance() != assignor.Eager {
		t.Fatalf("defaults %+v", c)
	}
	m, _ = m.Step(Start{Now: t0, Topics: []string{"b", "a"}})
	m, acts := m.Step(CoordinatorFound{Now: t0})
	j := acts[0].(SendJoin)
	if len(j.Protocols) != 2 || j.Protocols[0].Name != "range" || j.Protocols[1].Name != "roundrobin" {
		t.Fatalf("protocols %+v", j.Protocols)
	}
	sub := j.Protocols[0].Subscription
	if sub.RackId == nil || *sub.RackId != "r1" || sub.Version != 3 ||
		j.SessionTimeout != 45*time.Second || j.RebalanceTimeout != 5*time.Minute {
		t.Fatalf("join %+v", j)
	}
	r := joinOK(t0, "m1", 3, "m1")
	m, _ = m.Step(r)
	if !m.Leader() || m.Protocol() != "range" || m.Generation() != 3 || m.MemberID() != "m1" || strings.Join(m.Topics(), ",") != "a,b" {
		t.Fatalf("member %+v", m)
	}
	if len(m.Owned()) != 0 || m.State().Terminal() || !Closed.Terminal() || !Failed.Terminal() {
		t.Fatal("owned or terminal")
	}
	if State(99).String() != "State(99)" {
		t.Fatal("String")
	}
}

// userDataAssignor is an eager assignor that puts its name and what it
// was told about the member in its user data, and refuses assignments
// whose user data is "bad".
type userDataAssignor struct{ name string }

func (u userDataAssignor) Name() string { return u.name }
func (userDataAssignor) RebalanceProtocols() []assignor.RebalanceProtocol {
	return []assignor.RebalanceProtocol{assignor.Eager}
}
func (u userDataAssignor) SubscriptionUserData(m assignor.Member) []byte {
	return fmt.Appendf(nil, "%s:%s:%s:%d:%v", u.name, m.ID, m.InstanceID, m.Generation, m.Topics)
}
func (userDataAssignor) Assign(g assignor.Group) (map[string]assignor.Assignment, error) {
	return assignor.Range.Assign(g)
}
func (userDataAssignor) OnAssignment(a assignor.Assignment, _ int32) error {
	if string(a.UserData) == "bad" {
		return errors.New("bad user data")
	}
	return nil
}

// TestJoinProtocolsEachWithItsSubscription: every assignor is offered in
// order with its own user data, as Java's metadata() builds them.
func TestJoinProtocolsEachWithItsSubscription(t *testing.T) {
	cfg := staticConfig()
	cfg.Assignors = []assignor.Assignor{userDataAssignor{"x"}, assignor.Range, userDataAssignor{"y"}}
	m := newMember(t, cfg)
	m, _ = m.Step(Start{Now: t0, Topics: []string{"b", "a"}})
	m, acts := m.Step(CoordinatorFound{Now: t0})
	j := acts[0].(SendJoin)
	var got []string
	for _, p := range j.Protocols {
		got = append(got, fmt.Sprintf("%s=%q v%d gen=%d", p.Name, p.Subscription.UserData, p.Subscription.Version, p.Subscription.GenerationId))
	}
	want := []string{`x="x::i1:-1:[a b]" v3 gen=-1`, `range="" v3 gen=-1`, `y="y::i1:-1:[a b]" v3 gen=-1`}
	if !slices.Equal(got, want) {
		t.Fatalf("protocols\n got:  %q\n want: %q", got, want)
	}
	req, err := joinRequest(j, 9)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range req.Protocols {
		var sub protocol.ConsumerProtocolSubscription
		if err := sub.Decode(p.Metadata); err != nil || p.Name != j.Protocols[i].Name || string(sub.UserData) != string(j.Protocols[i].Subscription.UserData) {
			t.Fatalf("protocol %d on the wire: %s %+v %v", i, p.Name, sub, err)
		}
	}
	// The group picks y: the member takes it, and y reads the assignment.
	r := joinOK(t0, "m2", 4, "m1")
	r.ProtocolName = str("y")
	m, _ = m.Step(r)
	if m.Protocol() != "y" {
		t.Fatalf("protocol %q", m.Protocol())
	}
	bad := protocol.ConsumerProtocolAssignment{Version: 3, AssignedPartitions: grouped(tps("a/0")), UserData: []byte("bad")}
	b, _ := bad.Encode(nil)
	m, acts = m.Step(SyncResponse{Now: t0, Generation: 4, Assignment: b})
	if m.State() != Failed || !strings.Contains(describeAll(acts)[0], `assignor "y" in group "g": the assignment: bad user data`) {
		t.Fatalf("%s %q", m.State(), describeAll(acts))
	}
	// The next join carries the generation and member id to the user data.
	m = newMember(t, cfg)
	m = reach(m, Start{Now: t0, Topics: []string{"a"}}, CoordinatorFound{Now: t0}, joinOK(t0, "m2", 4, "m1"), syncOK(t0, 4, "a/0"))
	m, acts = m.Step(SubscriptionChanged{Now: t0, Topics: []string{"a", "c"}})
	m, acts = m.Step(RevokeDone{Now: t0})
	if j := acts[0].(SendJoin); string(j.Protocols[0].Subscription.UserData) != "x:m2:i1:4:[a c]" {
		t.Fatalf("rejoin user data %q", j.Protocols[0].Subscription.UserData)
	}
}

// TestBackoffJitter: the backoff is spread by ±20% by default, the same
// for the same seed, and exact with jitter off.
func TestBackoffJitter(t *testing.T) {
	waits := func(cfg Config) []time.Duration {
		m := newMember(t, cfg)
		m, _ = m.Step(Start{Now: t0, Topics: []string{"a"}})
		var out []time.Duration
		now := t0
		for range 8 {
			m, _ = m.Step(CoordinatorFailed{Now: now, Err: protocol.ErrCoordinatorNotAvailable})
			out = append(out, m.retryAt.Sub(now))
			now = m.retryAt
			m, _ = m.Step(Tick{Now: now})
		}
		return out
	}
	cfg := testConfig()
	exact := waits(cfg)
	if want := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000, 1000}; !slices.Equal(exact, scale(want, time.Millisecond)) {
		t.Fatalf("without jitter %v", exact)
	}
	cfg.BackoffJitter, cfg.Seed = 0, 42
	a, b := waits(cfg), waits(cfg)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, other waits: %v %v", a, b)
	}
	cfg.Seed = 43
	if c := waits(cfg); slices.Equal(a, c) {
		t.Fatalf("another seed, the same waits: %v", c)
	}
	for i, d := range a {
		if lo, hi := exact[i]*8/10, exact[i]*12/10; d < lo || d >= hi || d == exact[i] {
			t.Errorf("wait %d: %v, want in [%v, %v)", i, d, lo, hi)
		}
	}
}

func scale(ds []time.Duration, unit time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d * unit
	}
	return out
}

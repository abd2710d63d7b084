package group

import (
	"strings"
	"testing"
	"time"
)

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no group", func(c *Config) { c.Group = "" }, "Config.Group is empty"},
		{"no protocols", func(c *Config) { c.Protocols = nil }, "Config.Protocols is empty"},
		{"cooperative", func(c *Config) { c.Rebalance = Cooperative }, "cooperative protocol is not implemented"},
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
	m := newMember(t, Config{Group: "g", Protocols: []string{"range", "roundrobin"}, Rack: "r1"})
	c := m.Config()
	if c.SessionTimeout != DefaultSessionTimeout || c.HeartbeatInterval != DefaultHeartbeatInterval ||
		c.MaxPollInterval != DefaultMaxPollInterval || c.RetryBackoff != DefaultRetryBackoff || c.RetryBackoffMax != DefaultRetryBackoffMax {
		t.Fatalf("defaults %+v", c)
	}
	m, _ = m.Step(Start{Now: t0, Topics: []string{"b", "a"}})
	m, acts := m.Step(CoordinatorFound{Now: t0})
	j := acts[0].(SendJoin)
	if j.Subscription.RackId == nil || *j.Subscription.RackId != "r1" || j.Subscription.Version != 3 ||
		j.SessionTimeout != 45*time.Second || j.RebalanceTimeout != 5*time.Minute || len(j.Protocols) != 2 {
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
	if State(99).String() != "State(99)" || Eager.String() != "eager" || Cooperative.String() != "cooperative" {
		t.Fatal("String")
	}
}

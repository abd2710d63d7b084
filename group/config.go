package group

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
)

// Config is what the machine needs to know about the member; the Java
// consumer's setting names are given for each field.
type Config struct {
	// Group is group.id.
	Group string
	// InstanceID is group.instance.id (KIP-345); empty for a dynamic member.
	InstanceID string
	// Assignors are partition.assignment.strategy, in order of preference
	// (assignor.ByNames): JoinGroup offers each by name with its own
	// subscription (its SubscriptionUserData), and the coordinator selects
	// one that every member offers. The rebalance protocol follows that
	// selection, generation by generation (as librdkafka's follows its
	// selected assignor): cooperative (KIP-429) when the selected assignor
	// supports it, eager otherwise. So [cooperative-sticky, range] runs
	// cooperative in a group of such members and falls back to eager when
	// a member that offers only range joins (see doc.go, "Cooperative").
	// They must share a rebalance protocol (assignor.RebalanceProtocolOf),
	// as Java requires.
	Assignors []assignor.Assignor
	// SessionTimeout is session.timeout.ms (default 45s).
	SessionTimeout time.Duration
	// HeartbeatInterval is heartbeat.interval.ms (default 3s).
	HeartbeatInterval time.Duration
	// MaxPollInterval is max.poll.interval.ms (default 5m); it is also the
	// rebalance timeout sent in JoinGroup.
	MaxPollInterval time.Duration
	// RetryBackoff is retry.backoff.ms (default 100ms): the wait after a
	// failed attempt, doubled after each further one in a row.
	RetryBackoff time.Duration
	// RetryBackoffMax is retry.backoff.max.ms (default 1s), the longest wait.
	RetryBackoffMax time.Duration
	// BackoffJitter spreads the retries of many members that failed at the
	// same moment (a coordinator that moved): each backoff is multiplied by
	// a factor drawn uniformly from [1-BackoffJitter, 1+BackoffJitter), as
	// Java's ExponentialBackoff and conn's reconnect backoff do. Zero takes
	// the default 0.2; a negative value turns jitter off.
	BackoffJitter float64
	// Seed seeds the machine's own random numbers (the jitter), which live
	// in the Member, so that a Member replayed with the same events makes
	// the same choices. Zero lets New pick one at random.
	Seed uint64
	// AutoCommit is enable.auto.commit: CommitBeforeRevoke precedes every
	// Revoke.
	AutoCommit bool
	// Match, when set, makes the subscription a pattern (subscribe(Pattern)):
	// on MetadataChanged every member subscribes to the topics it matches,
	// and rejoins when that set changes.
	Match func(topic string) bool
	// Rack is client.rack, sent in the subscription (v3).
	Rack string
}

// Defaults of the Java consumer.
const (
	DefaultSessionTimeout    = 45 * time.Second
	DefaultHeartbeatInterval = 3 * time.Second
	DefaultMaxPollInterval   = 5 * time.Minute
	DefaultRetryBackoff      = 100 * time.Millisecond
	DefaultRetryBackoffMax   = time.Second
	DefaultBackoffJitter     = 0.2
)

// ProtocolType is the JoinGroup protocol type of consumers.
const ProtocolType = "consumer"

func (c Config) withDefaults() Config {
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.MaxPollInterval <= 0 {
		c.MaxPollInterval = DefaultMaxPollInterval
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.RetryBackoffMax < c.RetryBackoff {
		c.RetryBackoffMax = max(DefaultRetryBackoffMax, c.RetryBackoff)
	}
	switch {
	case c.BackoffJitter == 0:
		c.BackoffJitter = DefaultBackoffJitter
	case c.BackoffJitter < 0:
		c.BackoffJitter = 0
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Group == "":
		return errors.New("group: Config.Group is empty")
	case len(c.Assignors) == 0:
		return errors.New("group: Config.Assignors is empty")
	case c.HeartbeatInterval >= c.SessionTimeout:
		return errors.New("group: heartbeat interval must be below the session timeout")
	case c.BackoffJitter >= 1:
		return errors.New("group: Config.BackoffJitter must be below 1")
	}
	seen := make(map[string]bool, len(c.Assignors))
	for _, a := range c.Assignors {
		if a == nil {
			return errors.New("group: a nil assignor in Config.Assignors")
		}
		if seen[a.Name()] {
			return fmt.Errorf("group: assignor %q is configured twice", a.Name())
		}
		seen[a.Name()] = true
	}
	if _, err := assignor.RebalanceProtocolOf(c.Assignors); err != nil {
		return fmt.Errorf("group: %w", err)
	}
	return nil
}

// protocols returns the assignors' names, in order: the protocols of
// JoinGroup.
func (c Config) protocols() []string {
	names := make([]string, len(c.Assignors))
	for i, a := range c.Assignors {
		names[i] = a.Name()
	}
	return names
}

// assignor returns the configured assignor called name.
func (c Config) assignor(name string) (assignor.Assignor, bool) {
	for _, a := range c.Assignors {
		if a.Name() == name {
			return a, true
		}
	}
	return nil, false
}

func (c Config) static() bool { return c.InstanceID != "" }

// rebalanceOf is the rebalance protocol a generation that selected a
// runs: cooperative when a supports it, else eager; false when a supports
// neither (validate makes that impossible for a configured assignor).
func rebalanceOf(a assignor.Assignor) (assignor.RebalanceProtocol, bool) {
	ps := a.RebalanceProtocols()
	switch {
	case slices.Contains(ps, assignor.Cooperative):
		return assignor.Cooperative, true
	case slices.Contains(ps, assignor.Eager):
		return assignor.Eager, true
	}
	return 0, false
}

package group

import (
	"errors"
	"time"
)

// Rebalance is the rebalance protocol a member runs.
type Rebalance uint8

const (
	// Eager revokes every owned partition before each join (the classic
	// protocol as it was before KIP-429).
	Eager Rebalance = iota
	// Cooperative (KIP-429) keeps owned partitions through the rebalance
	// and revokes only owned − assigned after SyncGroup. Not implemented
	// yet: New rejects it. See doc.go for where its branch goes.
	Cooperative
)

// String returns "eager" or "cooperative".
func (r Rebalance) String() string {
	if r == Cooperative {
		return "cooperative"
	}
	return "eager"
}

// Config is what the machine needs to know about the member; the Java
// consumer's setting names are given for each field.
type Config struct {
	// Group is group.id.
	Group string
	// InstanceID is group.instance.id (KIP-345); empty for a dynamic member.
	InstanceID string
	// Protocols are the assignor names offered in JoinGroup, in order of
	// preference (partition.assignment.strategy).
	Protocols []string
	// Rebalance is the rebalance protocol; only Eager is implemented.
	Rebalance Rebalance
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
	return c
}

func (c Config) validate() error {
	switch {
	case c.Group == "":
		return errors.New("group: Config.Group is empty")
	case len(c.Protocols) == 0:
		return errors.New("group: Config.Protocols is empty")
	case c.Rebalance != Eager:
		return errors.New("group: the cooperative protocol is not implemented yet")
	case c.HeartbeatInterval >= c.SessionTimeout:
		return errors.New("group: heartbeat interval must be below the session timeout")
	}
	return nil
}

func (c Config) static() bool { return c.InstanceID != "" }

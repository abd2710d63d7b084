package rawkafka

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

// Config configures a Consumer. Start from DefaultConfig, which holds the
// Java consumer's defaults, and change what differs; ParseConfig does the
// same from Java-style properties.
//
// New takes every field as given. Zero means zero where Kafka allows it
// (fetch.min.bytes=0, fetch.max.wait.ms=0, retry.backoff.ms=0,
// metadata.max.age.ms=0, ...); a value Kafka or rawkafka rejects is a
// *ConfigError naming the Java key, the same error for a typed Config as
// for ParseConfig's properties. So the zero Config is not a working one: it
// has no bootstrap.servers and max.poll.records=0.
//
// A Config never prints its SASLPassword: fmt's verbs and slog show it as
// "[redacted]".
type Config struct {
	// BootstrapServers lists host:port addresses to learn the cluster from
	// (bootstrap.servers). Required.
	BootstrapServers []string
	// ClientID is client.id, sent in every request header; default
	// "rawkafka".
	ClientID string
	// GroupID is group.id: the consumer group Subscribe joins, and whose
	// committed offsets the Committed start position reads and Commit
	// writes.
	GroupID string
	// DisableAutoCommit turns off the commits Poll makes every
	// AutoCommitInterval when GroupID is set (enable.auto.commit=false).
	DisableAutoCommit bool
	// AutoCommitInterval is auto.commit.interval.ms, default 5s.
	AutoCommitInterval time.Duration
	// ClientRack is client.rack: when set, fetches go to a replica in the
	// same rack when the leader names one (KIP-392).
	ClientRack string

	// GroupInstanceID is group.instance.id: a static member's id (KIP-345);
	// "" (the default) is a dynamic member.
	GroupInstanceID string
	// SessionTimeout is session.timeout.ms, default 45s: how long the
	// coordinator waits for a heartbeat before it removes the member.
	SessionTimeout time.Duration
	// HeartbeatInterval is heartbeat.interval.ms, default 3s; it must be
	// below SessionTimeout.
	HeartbeatInterval time.Duration
	// MaxPollInterval is max.poll.interval.ms, default 5m: the longest time
	// between Polls before the member leaves the group (and the rebalance
	// timeout it joins with).
	MaxPollInterval time.Duration
	// PartitionAssignmentStrategy is partition.assignment.strategy: the
	// assignors the member offers, in order of preference, by protocol
	// name ("range", "roundrobin", "sticky", "cooperative-sticky");
	// ParseConfig also takes the Java class names. Default
	// [cooperative-sticky, range]: cooperative-sticky first, as
	// USE-CASES.md recommends, so that a group of rawkafka members
	// rebalances incrementally (KIP-429); range second, so that a member
	// offering only range (kcat's default, librdkafka's range,roundrobin)
	// can still join the group, which then runs range. The rebalance
	// protocol follows the assignor the coordinator selects, generation by
	// generation: cooperative with cooperative-sticky, eager with range
	// (see the README). The Java client's default is [range,
	// cooperative-sticky], which Java runs eager always.
	PartitionAssignmentStrategy []string
	// GroupProtocol is group.protocol: "classic" (the default and, for
	// now, the only one; "consumer", KIP-848, is rejected).
	GroupProtocol string
	// LeaveGroupOnClose is internal.leave.group.on.close, default true: a
	// dynamic member sends LeaveGroup at Close (a static member never
	// does, unless CloseLeave).
	LeaveGroupOnClose bool

	// SecurityProtocol is security.protocol: PLAINTEXT (the default), SSL,
	// SASL_PLAINTEXT or SASL_SSL, in any case; "" is PLAINTEXT.
	SecurityProtocol string
	// SASLMechanism is sasl.mechanism: PLAIN (rawkafka's default; the Java
	// client's GSSAPI is not supported), SCRAM-SHA-256 or SCRAM-SHA-512;
	// "" is PLAIN.
	SASLMechanism string
	SASLUsername  string // sasl.username (or from sasl.jaas.config)
	SASLPassword  string // sasl.password (or from sasl.jaas.config); never printed
	// SSLCALocation is a PEM file of the CAs to trust (ssl.ca.location, or
	// ssl.truststore.location with ssl.truststore.type=PEM); "" trusts the
	// system's roots.
	SSLCALocation          string
	SSLCertificateLocation string // ssl.certificate.location: PEM client certificate
	SSLKeyLocation         string // ssl.key.location: PEM client key (unencrypted)
	// SSLSkipHostnameVerification turns off the check of the broker's name
	// against its certificate (ssl.endpoint.identification.algorithm="");
	// the certificate chain is still verified.
	SSLSkipHostnameVerification bool
	// TLS, when set, is used as is for SSL and SASL_SSL instead of the SSL
	// settings above.
	TLS *tls.Config

	FetchMinBytes          int32         // fetch.min.bytes, default 1; 0 answers at once
	FetchMaxBytes          int32         // fetch.max.bytes, default 52428800; at least 1
	MaxPartitionFetchBytes int32         // max.partition.fetch.bytes, default 1048576; at least 1
	FetchMaxWait           time.Duration // fetch.max.wait.ms, default 500ms; 0 does not wait
	MaxPollRecords         int           // max.poll.records, default 500; at least 1
	IsolationLevel         IsolationLevel
	// AutoOffsetReset is auto.offset.reset: Latest (the default), Earliest,
	// None, or ByDuration(d). Default means Latest.
	AutoOffsetReset StartPosition
	// SkipCRCCheck turns off CRC checks of fetched data (check.crcs=false).
	SkipCRCCheck bool
	// DisableFetchSessions sends full fetches instead of incremental fetch
	// sessions (KIP-227) (enable.fetch.sessions=false, a rawkafka setting).
	DisableFetchSessions bool
	// FetchBufferMaxBytes bounds the fetched record bytes held in memory
	// (fetch.buffer.max.bytes, a rawkafka setting); default 100 MiB.
	FetchBufferMaxBytes int64

	RequestTimeout time.Duration // request.timeout.ms, default 30s; at least 1ms
	// MetadataMaxAge is metadata.max.age.ms, default 5m: how old metadata
	// may grow before it is refreshed. Metadata is never refreshed more
	// often than RetryBackoff (and 1ms) allows, so 0 refreshes it as often
	// as that, not in a busy loop.
	MetadataMaxAge      time.Duration
	RetryBackoff        time.Duration // retry.backoff.ms, default 100ms
	RetryBackoffMax     time.Duration // retry.backoff.max.ms, default 1s
	ReconnectBackoff    time.Duration // reconnect.backoff.ms, default 50ms
	ReconnectBackoffMax time.Duration // reconnect.backoff.max.ms, default 1s
	ConnectTimeout      time.Duration // socket.connection.setup.timeout.ms, default 10s; at least 1ms
	// ConnectionsMaxIdle is connections.max.idle.ms, default 9m; negative
	// (-1) never closes an idle connection.
	ConnectionsMaxIdle time.Duration

	// Logger receives the consumer's events with the keys topic, partition
	// and broker; nil discards them.
	Logger *slog.Logger
	// Dialer, when set, opens TCP connections instead of a net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

	// sslCAKey is the property SSLCALocation came from, for errors:
	// ssl.ca.location or ssl.truststore.location.
	sslCAKey string
}

// The Java consumer's defaults that have no constant elsewhere.
const (
	DefaultSessionTimeout    = 45 * time.Second // session.timeout.ms
	DefaultHeartbeatInterval = 3 * time.Second  // heartbeat.interval.ms
	DefaultMaxPollInterval   = 5 * time.Minute  // max.poll.interval.ms
)

// DefaultConfig returns a Config with the Java consumer's defaults (and
// rawkafka's for its own settings), without BootstrapServers. One default
// differs from Java's on purpose: partition.assignment.strategy is
// [cooperative-sticky, range], which runs the cooperative protocol in a
// group of rawkafka members and falls back to range (eager) in a group
// with a member offering only range.
func DefaultConfig() Config {
	return Config{
		ClientID:           conn.DefaultClientID,
		AutoCommitInterval: DefaultAutoCommitInterval,
		SessionTimeout:     DefaultSessionTimeout,
		HeartbeatInterval:  DefaultHeartbeatInterval,
		MaxPollInterval:    DefaultMaxPollInterval,
		// Not Java's [range, cooperative-sticky]: see the field.
		PartitionAssignmentStrategy: []string{"cooperative-sticky", "range"},
		GroupProtocol:               "classic",
		LeaveGroupOnClose:           true,
		SecurityProtocol:            "PLAINTEXT",
		SASLMechanism:               conn.MechanismPlain,
		FetchMinBytes:               fetch.DefaultMinBytes,
		FetchMaxBytes:               fetch.DefaultMaxBytes,
		MaxPartitionFetchBytes:      fetch.DefaultPartitionMaxBytes,
		FetchMaxWait:                fetch.DefaultMaxWait,
		MaxPollRecords:              fetch.DefaultMaxRecords,
		IsolationLevel:              ReadUncommitted,
		AutoOffsetReset:             Latest,
		FetchBufferMaxBytes:         fetch.DefaultBufferMaxBytes,
		RequestTimeout:              conn.DefaultRequestTimeout,
		MetadataMaxAge:              conn.DefaultMetadataMaxAge,
		RetryBackoff:                fetch.DefaultRetryBackoff,
		RetryBackoffMax:             fetch.DefaultRetryBackoffMax,
		ReconnectBackoff:            conn.DefaultReconnectBackoff,
		ReconnectBackoffMax:         conn.DefaultReconnectBackoffMax,
		ConnectTimeout:              conn.DefaultConnectTimeout,
		ConnectionsMaxIdle:          conn.DefaultIdleTimeout,
	}
}

// minMetadataAge is the floor under metadata.max.age.ms when it and
// retry.backoff.ms are both 0.
const minMetadataAge = time.Millisecond

// metadataMaxAge is the metadata age conn and fetch get: metadata.max.age.ms,
// but never below retry.backoff.ms (the Java client's refresh backoff), so
// that 0 means "as often as the backoff allows" rather than a busy loop.
func (c *Config) metadataMaxAge() time.Duration {
	return max(c.MetadataMaxAge, c.RetryBackoff, minMetadataAge)
}

// explicit hands a duration that may be zero to conn or fetch, which read a
// zero field as "use the default". A resolved Config's zero is a real zero,
// so it goes down as the shortest duration there is.
func explicit(d time.Duration) time.Duration {
	if d == 0 {
		return time.Nanosecond
	}
	return d
}

package conn

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// SoftwareName and SoftwareVersion identify rawkafka to brokers in
// ApiVersions v3+ (KIP-511); brokers show them in their metrics.
const (
	SoftwareName    = "rawkafka"
	SoftwareVersion = "0.1.0"
)

// Defaults, named after the Java client's settings.
const (
	DefaultClientID        = "rawkafka"
	DefaultMaxResponseSize = 100 << 20                 // bytes
	DefaultIdleTimeout     = 540000 * time.Millisecond // connections.max.idle.ms
	DefaultConnectTimeout  = 10 * time.Second          // socket.connection.setup.timeout.ms
	DefaultWriteTimeout    = 30 * time.Second          // request.timeout.ms
)

// Direction says which way a frame went, for Config.OnFrame.
type Direction int8

const (
	Sent     Direction = iota // a request frame written to the broker
	Received                  // a response frame read from the broker
)

// String returns the Direction in readable form, for logs and errors.
func (d Direction) String() string {
	if d == Sent {
		return "sent"
	}
	return "received"
}

// The SASL mechanisms Dial implements.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// SASL configures authentication (sasl.mechanism, sasl.jaas.config).
// Dial runs SaslHandshake v1 and then SaslAuthenticate (KIP-152); brokers
// older than Kafka 1.0, which only know raw SASL frames after a SaslHandshake
// v0, are not supported.
type SASL struct {
	Mechanism string // MechanismPlain, MechanismScramSHA256 or MechanismScramSHA512
	Username  string
	Password  string
}

// Config configures a connection. The zero value is a plaintext connection
// with the defaults above.
type Config struct {
	// ClientID is sent in every request header (client.id); "" means
	// DefaultClientID.
	ClientID string
	// TLS, when set, wraps the connection in TLS (security.protocol SSL or
	// SASL_SSL). An empty ServerName is taken from the address's host.
	TLS *tls.Config
	// SASL, when set, authenticates after ApiVersions (SASL_PLAINTEXT or
	// SASL_SSL).
	SASL *SASL
	// ConnectTimeout bounds Dial as a whole (TCP, TLS, ApiVersions, SASL) in
	// addition to Dial's context; 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxResponseSize is the largest response frame accepted; a larger size
	// prefix kills the connection before anything is allocated. 0 means
	// DefaultMaxResponseSize.
	MaxResponseSize int32
	// IdleTimeout closes a connection that has had no request in flight for
	// this long (connections.max.idle.ms). 0 means DefaultIdleTimeout; a
	// negative value never closes.
	IdleTimeout time.Duration
	// WriteTimeout kills the connection when writing queued requests blocks
	// this long (the broker stopped reading). 0 means DefaultWriteTimeout; a
	// negative value never times out.
	WriteTimeout time.Duration
	// Logger receives connection events with the key "addr" (the address
	// dialed; "broker" is kept for broker ids); nil discards.
	Logger *slog.Logger
	// Dialer, when set, opens the TCP connection instead of a net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// OnFrame, when set, sees the exact bytes of every frame, size prefix
	// included, for requests as they are written and responses as they are
	// read (before decoding). frame is only valid during the call; OnFrame
	// runs on the connection's goroutines and must be quick.
	OnFrame func(dir Direction, key protocol.APIKey, version int16, frame []byte)
	// Expect, when set, names the broker this connection means to reach: an
	// ApiVersions v5 request carries it (KIP-1242), and a broker that is not
	// that node of that cluster answers REBOOTSTRAP_REQUIRED, which fails
	// the dial with an error wrapping protocol.ErrRebootstrapRequired.
	// Brokers before Kafka 4.4 do not check. A Cluster sets it for every
	// broker it dials once it knows the cluster id.
	Expect *Node

	// apiVersionsMax, when above 0, is the highest ApiVersions version the
	// broker at this address served last time: a Cluster redialing it asks
	// for that at once, sparing old brokers the UNSUPPORTED_VERSION round.
	apiVersionsMax int16
}

// Node names one broker of one cluster, as KIP-1242 lets a client ask.
type Node struct {
	ClusterID string
	NodeID    int32
}

func (c *Config) clientID() string {
	if c.ClientID == "" {
		return DefaultClientID
	}
	return c.ClientID
}

func (c *Config) maxResponseSize() int32 {
	if c.MaxResponseSize <= 0 {
		return DefaultMaxResponseSize
	}
	return c.MaxResponseSize
}

func (c *Config) idleTimeout() time.Duration {
	if c.IdleTimeout == 0 {
		return DefaultIdleTimeout
	}
	return c.IdleTimeout
}

func (c *Config) writeTimeout() time.Duration {
	if c.WriteTimeout == 0 {
		return DefaultWriteTimeout
	}
	return max(c.WriteTimeout, 0)
}

func (c *Config) connectTimeout() time.Duration {
	if c.ConnectTimeout <= 0 {
		return DefaultConnectTimeout
	}
	return c.ConnectTimeout
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

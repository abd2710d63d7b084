package rawkafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

// Config configures a Consumer. The zero value of every field means the
// Java consumer's default (so a duration that must really be zero, such as
// fetch.max.wait.ms=0, is given as time.Nanosecond, as ParseConfig does);
// ParseConfig builds a Config from Java-style properties.
type Config struct {
	// BootstrapServers lists host:port addresses to learn the cluster from
	// (bootstrap.servers). Required.
	BootstrapServers []string
	ClientID         string // client.id; "" means "rawkafka"
	// GroupID is group.id: the consumer group whose committed offsets the
	// Committed start position reads and Commit writes. (Group membership
	// is not built yet: partitions are assigned with Assign.)
	GroupID string
	// DisableAutoCommit turns off the commits Poll makes every
	// AutoCommitInterval when GroupID is set (enable.auto.commit=false).
	DisableAutoCommit bool
	// AutoCommitInterval is auto.commit.interval.ms, default 5s.
	AutoCommitInterval time.Duration
	// ClientRack is client.rack: when set, fetches go to a replica in the
	// same rack when the leader names one (KIP-392).
	ClientRack string

	// SecurityProtocol is security.protocol: PLAINTEXT (the default), SSL,
	// SASL_PLAINTEXT or SASL_SSL.
	SecurityProtocol string
	// SASLMechanism is sasl.mechanism: PLAIN (the default), SCRAM-SHA-256
	// or SCRAM-SHA-512.
	SASLMechanism string
	SASLUsername  string // sasl.username (or from sasl.jaas.config)
	SASLPassword  string // sasl.password (or from sasl.jaas.config)
	// SSLCALocation is a PEM file of the CAs to trust (ssl.ca.location, or
	// ssl.truststore.location with ssl.truststore.type=PEM); "" trusts the
	// system's roots.
	SSLCALocation          string
	SSLCertificateLocation string // ssl.certificate.location: PEM client certificate
	SSLKeyLocation         string // ssl.key.location: PEM client key
	// SSLSkipHostnameVerification turns off the check of the broker's name
	// against its certificate (ssl.endpoint.identification.algorithm="").
	SSLSkipHostnameVerification bool
	// TLS, when set, is used as is for SSL and SASL_SSL instead of the SSL
	// settings above.
	TLS *tls.Config

	FetchMinBytes          int32         // fetch.min.bytes, default 1
	FetchMaxBytes          int32         // fetch.max.bytes, default 52428800
	MaxPartitionFetchBytes int32         // max.partition.fetch.bytes, default 1048576
	FetchMaxWait           time.Duration // fetch.max.wait.ms, default 500ms
	MaxPollRecords         int           // max.poll.records, default 500
	IsolationLevel         IsolationLevel
	// AutoOffsetReset is auto.offset.reset: Latest (the default), Earliest,
	// None, or ByDuration(d).
	AutoOffsetReset StartPosition
	// SkipCRCCheck turns off CRC checks of fetched data (check.crcs=false).
	SkipCRCCheck bool
	// DisableFetchSessions sends full fetches instead of incremental fetch
	// sessions (KIP-227) (enable.fetch.sessions=false, a rawkafka setting).
	DisableFetchSessions bool
	// FetchBufferMaxBytes bounds the fetched record bytes held in memory
	// (fetch.buffer.max.bytes, a rawkafka setting); default 100 MiB.
	FetchBufferMaxBytes int64

	RequestTimeout      time.Duration // request.timeout.ms, default 30s
	MetadataMaxAge      time.Duration // metadata.max.age.ms, default 5m
	RetryBackoff        time.Duration // retry.backoff.ms, default 100ms
	RetryBackoffMax     time.Duration // retry.backoff.max.ms, default 1s
	ReconnectBackoff    time.Duration // reconnect.backoff.ms, default 50ms
	ReconnectBackoffMax time.Duration // reconnect.backoff.max.ms, default 1s
	ConnectTimeout      time.Duration // socket.connection.setup.timeout.ms, default 10s
	ConnectionsMaxIdle  time.Duration // connections.max.idle.ms, default 9m

	// Logger receives the consumer's events with the keys topic, partition
	// and broker; nil discards them.
	Logger *slog.Logger
	// Dialer, when set, opens TCP connections instead of a net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ParseConfig builds a Config from Java-style properties, such as
// {"bootstrap.servers": "localhost:9092", "fetch.max.bytes": "1048576"}.
// An unknown key or an invalid value is an error that names the key.
//
// Known keys: bootstrap.servers, client.id, group.id, enable.auto.commit,
// auto.commit.interval.ms, client.rack, security.protocol,
// sasl.mechanism, sasl.username, sasl.password, sasl.jaas.config (PLAIN and
// SCRAM login modules), ssl.ca.location, ssl.truststore.location,
// ssl.truststore.type (PEM only), ssl.certificate.location,
// ssl.key.location, ssl.endpoint.identification.algorithm,
// fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes,
// fetch.max.wait.ms, max.poll.records, isolation.level, auto.offset.reset,
// check.crcs, enable.fetch.sessions, fetch.buffer.max.bytes,
// request.timeout.ms, metadata.max.age.ms, retry.backoff.ms,
// retry.backoff.max.ms, reconnect.backoff.ms, reconnect.backoff.max.ms,
// socket.connection.setup.timeout.ms, connections.max.idle.ms.
func ParseConfig(props map[string]string) (Config, error) {
	var c Config
	var errs []error
	bad := func(key, why string) {
		v := props[key]
		if key == "sasl.password" || key == "sasl.jaas.config" {
			v = "(hidden)"
		}
		errs = append(errs, fmt.Errorf("rawkafka: config %s=%q: %s", key, v, why))
	}
	trustType := ""
	for key, v := range props {
		v = strings.TrimSpace(v)
		switch key {
		case "bootstrap.servers":
			c.BootstrapServers = nil
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					c.BootstrapServers = append(c.BootstrapServers, a)
				}
			}
			if len(c.BootstrapServers) == 0 {
				bad(key, "want host:port[,host:port...]")
			}
		case "client.id":
			c.ClientID = v
		case "group.id":
			c.GroupID = v
		case "enable.auto.commit":
			c.DisableAutoCommit = !parseBool(key, v, bad)
		case "client.rack":
			c.ClientRack = v
		case "security.protocol":
			c.SecurityProtocol = strings.ToUpper(v)
		case "sasl.mechanism":
			c.SASLMechanism = strings.ToUpper(v)
		case "sasl.username":
			c.SASLUsername = v
		case "sasl.password":
			c.SASLPassword = props[key] // passwords keep their spaces
		case "sasl.jaas.config":
			user, pass, err := parseJAAS(props[key])
			if err != nil {
				bad(key, err.Error())
				continue
			}
			if _, ok := props["sasl.username"]; !ok {
				c.SASLUsername = user
			}
			if _, ok := props["sasl.password"]; !ok {
				c.SASLPassword = pass
			}
		case "ssl.ca.location", "ssl.truststore.location":
			c.SSLCALocation = v
		case "ssl.truststore.type":
			trustType = strings.ToUpper(v)
			if trustType != "PEM" {
				bad(key, "only PEM trust stores are supported (give a PEM file of CAs)")
			}
		case "ssl.certificate.location":
			c.SSLCertificateLocation = v
		case "ssl.key.location":
			c.SSLKeyLocation = v
		case "ssl.endpoint.identification.algorithm":
			switch strings.ToLower(v) {
			case "":
				c.SSLSkipHostnameVerification = true
			case "https":
			default:
				bad(key, `want "https" or ""`)
			}
		case "fetch.min.bytes":
			c.FetchMinBytes = int32(parseInt(key, v, 0, math.MaxInt32, bad))
		case "fetch.max.bytes":
			c.FetchMaxBytes = int32(parseInt(key, v, 1, math.MaxInt32, bad))
		case "max.partition.fetch.bytes":
			c.MaxPartitionFetchBytes = int32(parseInt(key, v, 1, math.MaxInt32, bad))
		case "fetch.max.wait.ms":
			c.FetchMaxWait = parseMs(key, v, bad)
		case "max.poll.records":
			c.MaxPollRecords = int(parseInt(key, v, 1, math.MaxInt32, bad))
		case "isolation.level":
			l, err := fetch.ParseIsolationLevel(v)
			if err != nil {
				bad(key, "want read_uncommitted or read_committed")
			}
			c.IsolationLevel = l
		case "auto.offset.reset":
			s, err := fetch.ParseReset(v)
			if err != nil {
				bad(key, "want earliest, latest, none or by_duration:PnDTnHnMnS")
			}
			c.AutoOffsetReset = s
		case "check.crcs":
			c.SkipCRCCheck = !parseBool(key, v, bad)
		case "enable.fetch.sessions":
			c.DisableFetchSessions = !parseBool(key, v, bad)
		case "fetch.buffer.max.bytes":
			c.FetchBufferMaxBytes = parseInt(key, v, 1, math.MaxInt64, bad)
		case "auto.commit.interval.ms":
			c.AutoCommitInterval = parseMs(key, v, bad)
		case "request.timeout.ms":
			c.RequestTimeout = parseMs(key, v, bad)
		case "metadata.max.age.ms":
			c.MetadataMaxAge = parseMs(key, v, bad)
		case "retry.backoff.ms":
			c.RetryBackoff = parseMs(key, v, bad)
		case "retry.backoff.max.ms":
			c.RetryBackoffMax = parseMs(key, v, bad)
		case "reconnect.backoff.ms":
			c.ReconnectBackoff = parseMs(key, v, bad)
		case "reconnect.backoff.max.ms":
			c.ReconnectBackoffMax = parseMs(key, v, bad)
		case "socket.connection.setup.timeout.ms":
			c.ConnectTimeout = parseMs(key, v, bad)
		case "connections.max.idle.ms":
			c.ConnectionsMaxIdle = parseMs(key, v, bad)
		default:
			errs = append(errs, fmt.Errorf("rawkafka: config %s: unknown property", key))
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

func parseInt(key, v string, lo, hi int64, bad func(key, why string)) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		bad(key, fmt.Sprintf("want an integer from %d to %d", lo, hi))
		return 0
	}
	return n
}

func parseMs(key, v string, bad func(key, why string)) time.Duration {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/int64(time.Millisecond) {
		bad(key, "want a non-negative number of milliseconds")
		return 0
	}
	if n == 0 {
		return time.Nanosecond // zero means "default" in Config; 0 ms here means "no wait"
	}
	return time.Duration(n) * time.Millisecond
}

func parseBool(key, v string, bad func(key, why string)) bool {
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	bad(key, "want true or false")
	return false
}

// parseJAAS reads the username and password of a PLAIN or SCRAM login
// module line, e.g.
// org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";
func parseJAAS(s string) (user, pass string, err error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ";")
	module, rest, _ := strings.Cut(s, " ")
	switch module {
	case "org.apache.kafka.common.security.plain.PlainLoginModule",
		"org.apache.kafka.common.security.scram.ScramLoginModule":
	default:
		return "", "", fmt.Errorf("login module %q: want PlainLoginModule or ScramLoginModule", module)
	}
	rest = strings.TrimSpace(rest)
	flag, rest, _ := strings.Cut(rest, " ")
	switch flag {
	case "required", "requisite", "sufficient", "optional":
	default:
		return "", "", fmt.Errorf("want a control flag (required) after the module, got %q", flag)
	}
	opts := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		k, r, ok := strings.Cut(rest, "=")
		if !ok {
			return "", "", fmt.Errorf("option %q has no value", rest)
		}
		k = strings.TrimSpace(k)
		r = strings.TrimLeft(r, " ")
		var val string
		if strings.HasPrefix(r, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(r) && r[i] != '"'; i++ {
				if r[i] == '\\' && i+1 < len(r) {
					i++
				}
				b.WriteByte(r[i])
			}
			if i >= len(r) {
				return "", "", fmt.Errorf("option %s: unterminated quote", k)
			}
			val, rest = b.String(), r[i+1:]
		} else {
			val, rest, _ = strings.Cut(r, " ")
		}
		opts[k] = val
	}
	user, uok := opts["username"]
	pass, pok := opts["password"]
	if !uok || !pok {
		return "", "", errors.New("want username=\"...\" and password=\"...\"")
	}
	return user, pass, nil
}

// clusterConfig turns the Config into the connection layer's settings.
func (c *Config) clusterConfig(log *slog.Logger) (conn.ClusterConfig, error) {
	if len(c.BootstrapServers) == 0 {
		return conn.ClusterConfig{}, errors.New("rawkafka: config bootstrap.servers: required")
	}
	cc := conn.ClusterConfig{
		Bootstrap:           c.BootstrapServers,
		MetadataMaxAge:      c.MetadataMaxAge,
		ReconnectBackoff:    c.ReconnectBackoff,
		ReconnectBackoffMax: c.ReconnectBackoffMax,
		RequestTimeout:      c.RequestTimeout,
		Conn: conn.Config{
			ClientID:       c.ClientID,
			ConnectTimeout: c.ConnectTimeout,
			IdleTimeout:    c.ConnectionsMaxIdle,
			Logger:         log,
			Dialer:         c.Dialer,
		},
	}
	// A response may exceed fetch.max.bytes by a batch: leave room.
	maxBytes := int64(c.FetchMaxBytes)
	if maxBytes == 0 {
		maxBytes = fetch.DefaultMaxBytes
	}
	cc.Conn.MaxResponseSize = int32(min(max(int64(conn.DefaultMaxResponseSize), 2*maxBytes), math.MaxInt32))

	var useTLS, useSASL bool
	switch p := strings.ToUpper(c.SecurityProtocol); p {
	case "", "PLAINTEXT":
	case "SSL":
		useTLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useTLS, useSASL = true, true
	default:
		return cc, fmt.Errorf("rawkafka: config security.protocol=%q: want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", c.SecurityProtocol)
	}
	if useSASL {
		mech := strings.ToUpper(c.SASLMechanism)
		switch mech {
		case "":
			mech = conn.MechanismPlain
		case conn.MechanismPlain, conn.MechanismScramSHA256, conn.MechanismScramSHA512:
		default:
			return cc, fmt.Errorf("rawkafka: config sasl.mechanism=%q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.SASLMechanism)
		}
		if c.SASLUsername == "" {
			return cc, errors.New("rawkafka: config sasl.username: required with SASL (or give sasl.jaas.config)")
		}
		cc.Conn.SASL = &conn.SASL{Mechanism: mech, Username: c.SASLUsername, Password: c.SASLPassword}
	}
	if useTLS {
		t, err := c.tlsConfig()
		if err != nil {
			return cc, err
		}
		cc.Conn.TLS = t
	}
	return cc, nil
}

func (c *Config) tlsConfig() (*tls.Config, error) {
	if c.TLS != nil {
		return c.TLS, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.SSLCALocation != "" {
		pem, err := os.ReadFile(c.SSLCALocation)
		if err != nil {
			return nil, fmt.Errorf("rawkafka: config ssl.ca.location: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("rawkafka: config ssl.ca.location=%q: no PEM certificate in the file", c.SSLCALocation)
		}
	}
	if c.SSLCertificateLocation != "" || c.SSLKeyLocation != "" {
		cert, err := tls.LoadX509KeyPair(c.SSLCertificateLocation, c.SSLKeyLocation)
		if err != nil {
			return nil, fmt.Errorf("rawkafka: config ssl.certificate.location/ssl.key.location: %w", err)
		}
		t.Certificates = []tls.Certificate{cert}
	}
	if c.SSLSkipHostnameVerification {
		// Verify the chain but not the name, as Java does with an empty
		// ssl.endpoint.identification.algorithm.
		roots := t.RootCAs
		t.InsecureSkipVerify = true
		t.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("rawkafka: broker sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, ic := range cs.PeerCertificates[1:] {
				inter.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return t, nil
}

// fetchConfig turns the Config into the fetch engine's settings.
func (c *Config) fetchConfig(log *slog.Logger) fetch.Config {
	return fetch.Config{
		MinBytes:          c.FetchMinBytes,
		MaxBytes:          c.FetchMaxBytes,
		PartitionMaxBytes: c.MaxPartitionFetchBytes,
		MaxWait:           c.FetchMaxWait,
		IsolationLevel:    c.IsolationLevel,
		Reset:             c.AutoOffsetReset,
		Rack:              c.ClientRack,
		SkipCRC:           c.SkipCRCCheck,
		DisableSessions:   c.DisableFetchSessions,
		BufferMaxBytes:    c.FetchBufferMaxBytes,
		RequestTimeout:    c.RequestTimeout,
		RetryBackoff:      c.RetryBackoff,
		RetryBackoffMax:   c.RetryBackoffMax,
		MetadataMaxAge:    c.MetadataMaxAge,
		Logger:            log,
	}
}

// ConnConfig returns the settings of one broker connection that c describes
// (client id, timeouts, TLS, SASL, response size), for tools that talk to
// brokers directly with package conn, as `rawconsume -L` does.
func (c *Config) ConnConfig() (conn.Config, error) {
	cc, err := c.clusterConfig(c.Logger)
	return cc.Conn, err
}

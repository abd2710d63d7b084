package rawkafka

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

// ConfigError is an invalid configuration value, from ParseConfig or New.
// Key is the Java property (the one given, for a property with two names:
// ssl.truststore.location, not ssl.ca.location), Value its value as a
// property would hold it ("" when it is missing; secrets are "(hidden)"),
// and Reason what is wrong with it.
type ConfigError struct {
	Key, Value, Reason string
}

// Error returns "rawkafka: config key="value": reason".
func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("rawkafka: config %s: %s", e.Key, e.Reason)
	}
	return fmt.Sprintf("rawkafka: config %s=%q: %s", e.Key, e.Value, e.Reason)
}

// joinConfigErrors returns errs sorted by key (then by reason, for a stable
// order), the first error of each key only, as one error; nil when empty.
func joinConfigErrors(errs []*ConfigError) error {
	slices.SortStableFunc(errs, func(a, b *ConfigError) int { return cmp.Compare(a.Key, b.Key) })
	var out []error
	for i, e := range errs {
		if i > 0 && errs[i-1].Key == e.Key {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// maxMs is the longest duration a Kafka int32 millisecond field holds.
const maxMs = time.Duration(math.MaxInt32) * time.Millisecond

// msKey is a property in milliseconds and the Config field it sets.
type msKey struct {
	key   string
	field func(*Config) *time.Duration
	lo    time.Duration // the least valid value
	hi    time.Duration // the greatest
}

func (k msKey) ok(d time.Duration) bool { return d >= k.lo && d <= k.hi }

func (k msKey) want() string {
	return fmt.Sprintf("want a number of milliseconds from %d to %d", k.lo.Milliseconds(), k.hi.Milliseconds())
}

// msKeys are the millisecond properties, each with its valid range: from
// 0 where Kafka allows 0 and rawkafka can honour it.
var msKeys = []msKey{
	{"auto.commit.interval.ms", func(c *Config) *time.Duration { return &c.AutoCommitInterval }, 0, math.MaxInt64},
	{"fetch.max.wait.ms", func(c *Config) *time.Duration { return &c.FetchMaxWait }, 0, maxMs},
	{"heartbeat.interval.ms", func(c *Config) *time.Duration { return &c.HeartbeatInterval }, time.Millisecond, maxMs},
	{"max.poll.interval.ms", func(c *Config) *time.Duration { return &c.MaxPollInterval }, time.Millisecond, maxMs},
	{"metadata.max.age.ms", func(c *Config) *time.Duration { return &c.MetadataMaxAge }, 0, math.MaxInt64},
	{"reconnect.backoff.max.ms", func(c *Config) *time.Duration { return &c.ReconnectBackoffMax }, 0, math.MaxInt64},
	{"reconnect.backoff.ms", func(c *Config) *time.Duration { return &c.ReconnectBackoff }, 0, math.MaxInt64},
	{"request.timeout.ms", func(c *Config) *time.Duration { return &c.RequestTimeout }, time.Millisecond, maxMs},
	{"retry.backoff.max.ms", func(c *Config) *time.Duration { return &c.RetryBackoffMax }, 0, math.MaxInt64},
	{"retry.backoff.ms", func(c *Config) *time.Duration { return &c.RetryBackoff }, 0, math.MaxInt64},
	{"session.timeout.ms", func(c *Config) *time.Duration { return &c.SessionTimeout }, time.Millisecond, maxMs},
	{"socket.connection.setup.timeout.ms", func(c *Config) *time.Duration { return &c.ConnectTimeout }, time.Millisecond, math.MaxInt64},
}

// intKey is an integer property and the Config field it sets.
type intKey struct {
	key    string
	get    func(*Config) int64
	set    func(*Config, int64)
	lo, hi int64
}

func (k intKey) want() string { return fmt.Sprintf("want an integer from %d to %d", k.lo, k.hi) }

var intKeys = []intKey{
	{"fetch.buffer.max.bytes", func(c *Config) int64 { return c.FetchBufferMaxBytes }, func(c *Config, n int64) { c.FetchBufferMaxBytes = n }, 1, math.MaxInt64},
	{"fetch.max.bytes", func(c *Config) int64 { return int64(c.FetchMaxBytes) }, func(c *Config, n int64) { c.FetchMaxBytes = int32(n) }, 1, math.MaxInt32},
	{"fetch.min.bytes", func(c *Config) int64 { return int64(c.FetchMinBytes) }, func(c *Config, n int64) { c.FetchMinBytes = int32(n) }, 0, math.MaxInt32},
	{"max.partition.fetch.bytes", func(c *Config) int64 { return int64(c.MaxPartitionFetchBytes) }, func(c *Config, n int64) { c.MaxPartitionFetchBytes = int32(n) }, 1, math.MaxInt32},
	{"max.poll.records", func(c *Config) int64 { return int64(c.MaxPollRecords) }, func(c *Config, n int64) { c.MaxPollRecords = int(n) }, 1, math.MaxInt32},
}

// formatMs writes d as a millisecond property value.
func formatMs(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(d.Milliseconds(), 10)
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// assignors maps the names partition.assignment.strategy takes, Java class
// names included, to the assignors' protocol names.
var assignors = map[string]string{
	"range":              "range",
	"roundrobin":         "roundrobin",
	"sticky":             "sticky",
	"cooperative-sticky": "cooperative-sticky",
	"org.apache.kafka.clients.consumer.RangeAssignor":             "range",
	"org.apache.kafka.clients.consumer.RoundRobinAssignor":        "roundrobin",
	"org.apache.kafka.clients.consumer.StickyAssignor":            "sticky",
	"org.apache.kafka.clients.consumer.CooperativeStickyAssignor": "cooperative-sticky",
}

const wantAssignor = "want range, roundrobin, sticky or cooperative-sticky (or their Java class names), comma-separated"

// validGroupInstanceID is Kafka's rule for group.instance.id (as for topic
// names): at most 249 of a-z, A-Z, 0-9, '.', '_' and '-'.
func validGroupInstanceID(s string) bool {
	if len(s) > 249 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// check returns what is wrong with c, one error per key at most; the
// rules are those ParseConfig applies, so a typed Config and parsed
// properties get the same errors.
func (c *Config) check() []*ConfigError {
	var errs []*ConfigError
	bad := func(key, value, why string) { errs = append(errs, &ConfigError{Key: key, Value: value, Reason: why}) }

	if len(c.BootstrapServers) == 0 {
		bad("bootstrap.servers", "", "required")
	}
	for _, a := range c.BootstrapServers {
		host, port, err := net.SplitHostPort(a)
		if _, perr := strconv.ParseUint(port, 10, 16); err != nil || host == "" || perr != nil {
			bad("bootstrap.servers", strings.Join(c.BootstrapServers, ","), "want host:port[,host:port...]")
			break
		}
	}
	for _, k := range msKeys {
		if d := *k.field(c); !k.ok(d) {
			bad(k.key, formatMs(d), k.want())
		}
	}
	if c.HeartbeatInterval >= c.SessionTimeout && c.SessionTimeout > 0 && c.HeartbeatInterval > 0 {
		bad("heartbeat.interval.ms", formatMs(c.HeartbeatInterval),
			fmt.Sprintf("must be below session.timeout.ms (%s)", formatMs(c.SessionTimeout)))
	}
	if c.ConnectionsMaxIdle == 0 {
		bad("connections.max.idle.ms", "0", "want -1 (never close) or a positive number of milliseconds")
	}
	for _, k := range intKeys {
		if n := k.get(c); n < k.lo || n > k.hi {
			bad(k.key, strconv.FormatInt(n, 10), k.want())
		}
	}
	if c.GroupInstanceID != "" && !validGroupInstanceID(c.GroupInstanceID) {
		bad("group.instance.id", c.GroupInstanceID, "want at most 249 of a-z, A-Z, 0-9, '.', '_' and '-'")
	}
	if len(c.PartitionAssignmentStrategy) == 0 {
		bad("partition.assignment.strategy", "", "required: "+wantAssignor)
	}
	for _, a := range c.PartitionAssignmentStrategy {
		if assignors[a] != a { // protocol names only: ParseConfig maps the class names
			bad("partition.assignment.strategy", strings.Join(c.PartitionAssignmentStrategy, ","), wantAssignor)
			break
		}
	}
	switch strings.ToLower(c.GroupProtocol) {
	case "classic":
	case "consumer":
		bad("group.protocol", c.GroupProtocol, "the consumer group protocol (KIP-848) is not supported yet: use classic")
	default:
		bad("group.protocol", c.GroupProtocol, "want classic or consumer")
	}
	_, useSASL, ok := c.security()
	if !ok {
		bad("security.protocol", c.SecurityProtocol, "want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
	}
	switch strings.ToUpper(c.SASLMechanism) {
	case "", conn.MechanismPlain, conn.MechanismScramSHA256, conn.MechanismScramSHA512:
	default:
		bad("sasl.mechanism", c.SASLMechanism, "want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	}
	if useSASL && c.SASLUsername == "" {
		bad("sasl.username", "", "required with SASL (or give sasl.jaas.config)")
	}
	if c.IsolationLevel != ReadUncommitted && c.IsolationLevel != ReadCommitted {
		bad("isolation.level", strconv.Itoa(int(c.IsolationLevel)), "want read_uncommitted or read_committed")
	}
	if !validReset(c.AutoOffsetReset) {
		bad("auto.offset.reset", c.AutoOffsetReset.String(), "want earliest, latest, none or by_duration:PnDTnHnMnS")
	}
	return errs
}

// validReset reports whether s can be auto.offset.reset.
func validReset(s StartPosition) bool {
	switch s {
	case Default, Earliest, Latest, None:
		return true
	}
	_, err := fetch.ParseReset(s.String())
	return err == nil && strings.HasPrefix(s.String(), "by_duration:")
}

// security returns what security.protocol asks for, and false when it is
// not a protocol.
func (c *Config) security() (useTLS, useSASL, ok bool) {
	switch strings.ToUpper(c.SecurityProtocol) {
	case "", "PLAINTEXT":
		return false, false, true
	case "SSL":
		return true, false, true
	case "SASL_PLAINTEXT":
		return false, true, true
	case "SASL_SSL":
		return true, true, true
	}
	return false, false, false
}

// validate returns every problem of c as one error, sorted by key.
func (c *Config) validate() error { return joinConfigErrors(c.check()) }

// clusterConfig validates the Config and turns it into the connection
// layer's settings, every value passed explicitly.
func (c *Config) clusterConfig(log *slog.Logger) (conn.ClusterConfig, error) {
	if err := c.validate(); err != nil {
		return conn.ClusterConfig{}, err
	}
	cc := conn.ClusterConfig{
		Bootstrap:           c.BootstrapServers,
		MetadataMaxAge:      c.metadataMaxAge(),
		ReconnectBackoff:    explicit(c.ReconnectBackoff),
		ReconnectBackoffMax: explicit(c.ReconnectBackoffMax),
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
	cc.Conn.MaxResponseSize = int32(min(max(int64(conn.DefaultMaxResponseSize), 2*int64(c.FetchMaxBytes)), math.MaxInt32))

	useTLS, useSASL, _ := c.security()
	if useSASL {
		mech := cmp.Or(strings.ToUpper(c.SASLMechanism), conn.MechanismPlain)
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

// jksMagic and the DER SEQUENCE tag start JKS and PKCS#12 stores: a Java
// trust store given without ssl.truststore.type=PEM is one of them.
var jksMagic = []byte{0xfe, 0xed, 0xfe, 0xed}

func (c *Config) tlsConfig() (*tls.Config, error) {
	if c.TLS != nil {
		return c.TLS, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.SSLCALocation != "" {
		key := cmp.Or(c.sslCAKey, "ssl.ca.location")
		pem, err := os.ReadFile(c.SSLCALocation)
		if err != nil {
			return nil, &ConfigError{Key: key, Value: c.SSLCALocation, Reason: err.Error()}
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			why := "no PEM certificate in the file"
			switch {
			case bytes.HasPrefix(pem, jksMagic):
				why = "a JKS store, which is not supported: " + convertTrustStore
			case len(pem) > 0 && pem[0] == 0x30:
				why = "not PEM (a PKCS#12 store?), which is not supported: " + convertTrustStore
			}
			return nil, &ConfigError{Key: key, Value: c.SSLCALocation, Reason: why}
		}
	}
	if c.SSLCertificateLocation != "" || c.SSLKeyLocation != "" {
		cert, err := tls.LoadX509KeyPair(c.SSLCertificateLocation, c.SSLKeyLocation)
		if err != nil {
			return nil, &ConfigError{Key: "ssl.certificate.location", Value: c.SSLCertificateLocation,
				Reason: fmt.Sprintf("with ssl.key.location=%q: %v", c.SSLKeyLocation, err)}
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

// convertTrustStore says how to turn a Java trust store into what rawkafka
// reads.
const convertTrustStore = "convert to PEM with keytool/openssl " +
	"(keytool -exportcert -rfc -keystore truststore.jks -alias CARoot -file ca.pem, " +
	"or openssl pkcs12 -in truststore.p12 -nokeys -out ca.pem) " +
	"and give ssl.truststore.location=ca.pem with ssl.truststore.type=PEM (or ssl.ca.location=ca.pem)"

// fetchConfig turns the validated Config into the fetch engine's settings,
// every value passed explicitly.
func (c *Config) fetchConfig(log *slog.Logger) fetch.Config {
	return fetch.Config{
		MinBytes:          c.FetchMinBytes, // zero means zero to fetch, as here
		MaxBytes:          c.FetchMaxBytes,
		PartitionMaxBytes: c.MaxPartitionFetchBytes,
		MaxWait:           c.FetchMaxWait, // zero means zero to fetch, as here
		IsolationLevel:    c.IsolationLevel,
		Reset:             cmp.Or(c.AutoOffsetReset, Latest),
		Rack:              c.ClientRack,
		SkipCRC:           c.SkipCRCCheck,
		DisableSessions:   c.DisableFetchSessions,
		BufferMaxBytes:    c.FetchBufferMaxBytes,
		RequestTimeout:    c.RequestTimeout,
		RetryBackoff:      explicit(c.RetryBackoff),
		RetryBackoffMax:   explicit(c.RetryBackoffMax),
		MetadataMaxAge:    c.metadataMaxAge(),
		Logger:            log,
	}
}

// ConnConfig returns the settings of one broker connection that c describes
// (client id, timeouts, TLS, SASL, response size), for tools that talk to
// brokers directly with package conn, as `rawconsume -L` does. It checks c
// as New does.
func (c *Config) ConnConfig() (conn.Config, error) {
	cc, err := c.clusterConfig(c.Logger)
	return cc.Conn, err
}

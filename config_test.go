package rawkafka

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1, b:2"})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.BootstrapServers = []string{"a:1", "b:2"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	fc := c.fetchConfig(nil)
	if fc.Committed != nil {
		t.Fatal("a committed-offset lookup without a group")
	}
	wantFetch := fetch.Config{
		MinBytes: fetch.DefaultMinBytes, MaxBytes: fetch.DefaultMaxBytes, PartitionMaxBytes: fetch.DefaultPartitionMaxBytes,
		MaxWait: fetch.DefaultMaxWait, Reset: fetch.StartLatest, BufferMaxBytes: fetch.DefaultBufferMaxBytes,
		RequestTimeout: fetch.DefaultRequestTimeout, RetryBackoff: fetch.DefaultRetryBackoff,
		RetryBackoffMax: fetch.DefaultRetryBackoffMax, MetadataMaxAge: fetch.DefaultMetadataMaxAge,
	}
	if !reflect.DeepEqual(fc, wantFetch) {
		t.Fatalf("fetch config\ngot  %+v\nwant %+v", fc, wantFetch)
	}
	cc, err := c.clusterConfig(nil)
	if err != nil || cc.Conn.TLS != nil || cc.Conn.SASL != nil || cc.Conn.MaxResponseSize < fetch.DefaultMaxBytes ||
		cc.MetadataMaxAge != conn.DefaultMetadataMaxAge || cc.RequestTimeout != conn.DefaultRequestTimeout ||
		cc.ReconnectBackoff != conn.DefaultReconnectBackoff || cc.ReconnectBackoffMax != conn.DefaultReconnectBackoffMax ||
		cc.Conn.ConnectTimeout != conn.DefaultConnectTimeout || cc.Conn.IdleTimeout != conn.DefaultIdleTimeout ||
		cc.Conn.ClientID != conn.DefaultClientID {
		t.Fatalf("cluster config %+v, %v", cc, err)
	}
	if c.SessionTimeout != 45*time.Second || c.HeartbeatInterval != 3*time.Second || c.MaxPollInterval != 5*time.Minute ||
		c.GroupProtocol != "classic" || !c.LeaveGroupOnClose || c.GroupInstanceID != "" ||
		!reflect.DeepEqual(c.PartitionAssignmentStrategy, []string{"cooperative-sticky", "range"}) {
		t.Fatalf("group defaults %+v", c)
	}
}

func TestParseConfigKeys(t *testing.T) {
	c, err := ParseConfig(map[string]string{
		"bootstrap.servers":             "h:9092",
		"client.id":                     "me",
		"group.id":                      "g1",
		"enable.auto.commit":            "false",
		"auto.commit.interval.ms":       "700",
		"client.rack":                   "r1",
		"group.instance.id":             "member-1",
		"session.timeout.ms":            "10000",
		"heartbeat.interval.ms":         "1000",
		"max.poll.interval.ms":          "60000",
		"partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor, roundrobin",
		"group.protocol":                "CLASSIC",
		"internal.leave.group.on.close": "false",
		"fetch.min.bytes":               "10",
		"fetch.max.bytes":               "1048576",
		"max.partition.fetch.bytes":     "2000",
		"fetch.max.wait.ms":             "250",
		"max.poll.records":              "7",
		"isolation.level":               "read_committed",
		"auto.offset.reset":             "by_duration:P1DT2H",
		"check.crcs":                    "false",
		"enable.fetch.sessions":         "false",
		"fetch.buffer.max.bytes":        "5000000",
		"request.timeout.ms":            "1000",
		"metadata.max.age.ms":           "2000",
		"retry.backoff.ms":              "0",
		"retry.backoff.max.ms":          "0",
		"reconnect.backoff.ms":          "0",
		"reconnect.backoff.max.ms":      "5",
		"connections.max.idle.ms":       "-1",
		"security.protocol":             "sasl_plaintext",
		"sasl.mechanism":                "scram-sha-256",
		"sasl.jaas.config":              `org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="p\"w d";`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.BootstrapServers = []string{"h:9092"}
	want.ClientID, want.GroupID, want.DisableAutoCommit, want.AutoCommitInterval, want.ClientRack = "me", "g1", true, 700*time.Millisecond, "r1"
	want.GroupInstanceID, want.SessionTimeout, want.HeartbeatInterval, want.MaxPollInterval = "member-1", 10*time.Second, time.Second, time.Minute
	want.PartitionAssignmentStrategy, want.GroupProtocol, want.LeaveGroupOnClose = []string{"cooperative-sticky", "roundrobin"}, "classic", false
	want.FetchMinBytes, want.FetchMaxBytes, want.MaxPartitionFetchBytes, want.FetchMaxWait = 10, 1048576, 2000, 250*time.Millisecond
	want.MaxPollRecords, want.IsolationLevel, want.AutoOffsetReset = 7, ReadCommitted, ByDuration(26*time.Hour)
	want.SkipCRCCheck, want.DisableFetchSessions, want.FetchBufferMaxBytes = true, true, 5000000
	want.RequestTimeout, want.MetadataMaxAge, want.RetryBackoff, want.RetryBackoffMax = time.Second, 2*time.Second, 0, 0
	want.ReconnectBackoff, want.ReconnectBackoffMax, want.ConnectionsMaxIdle = 0, 5*time.Millisecond, -time.Millisecond
	want.SecurityProtocol, want.SASLMechanism, want.SASLUsername, want.SASLPassword = "SASL_PLAINTEXT", "SCRAM-SHA-256", "bob", `p"w d`
	if c.AutoOffsetReset.String() != want.AutoOffsetReset.String() {
		t.Fatalf("reset %s, want %s", c.AutoOffsetReset, want.AutoOffsetReset)
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	cc, err := c.clusterConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cc.Conn.SASL == nil || *cc.Conn.SASL != (conn.SASL{Mechanism: "SCRAM-SHA-256", Username: "bob", Password: `p"w d`}) || cc.Conn.TLS != nil {
		t.Fatalf("sasl %+v tls %v", cc.Conn.SASL, cc.Conn.TLS)
	}
	if cc.Conn.IdleTimeout >= 0 || cc.ReconnectBackoff <= 0 || cc.ReconnectBackoff >= time.Millisecond {
		t.Fatalf("idle %v (want never), reconnect backoff %v (want no wait)", cc.Conn.IdleTimeout, cc.ReconnectBackoff)
	}
}

// TestZeroMeansZero: an explicit 0 reaches conn and fetch as 0 (or, where
// they read 0 as their default, as the shortest wait there is), and
// metadata.max.age.ms=0 is held to retry.backoff.ms.
func TestZeroMeansZero(t *testing.T) {
	c, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "fetch.min.bytes": "0", "fetch.max.wait.ms": "0",
		"metadata.max.age.ms": "0", "auto.commit.interval.ms": "0"})
	if err != nil {
		t.Fatal(err)
	}
	if c.FetchMinBytes != 0 || c.FetchMaxWait != 0 || c.MetadataMaxAge != 0 || c.AutoCommitInterval != 0 {
		t.Fatalf("config %+v", c)
	}
	fc := c.fetchConfig(nil)
	if fc.MinBytes != 0 || fc.MaxWait != 0 || fc.MetadataMaxAge != fetch.DefaultRetryBackoff {
		t.Fatalf("fetch config: min bytes %d, max wait %v, metadata age %v; want 0, 0, retry.backoff.ms",
			fc.MinBytes, fc.MaxWait, fc.MetadataMaxAge)
	}
	cc, err := c.clusterConfig(nil)
	if err != nil || cc.MetadataMaxAge != fetch.DefaultRetryBackoff {
		t.Fatalf("cluster metadata age %v, %v", cc.MetadataMaxAge, err)
	}
	// A typed Config the same way.
	typed := DefaultConfig()
	typed.BootstrapServers = []string{"a:1"}
	typed.FetchMinBytes, typed.FetchMaxWait, typed.MetadataMaxAge, typed.RetryBackoff = 0, 0, 0, 0
	if fc := typed.fetchConfig(nil); fc.MinBytes != 0 || fc.MaxWait != 0 || fc.MetadataMaxAge != minMetadataAge {
		t.Fatalf("typed fetch config %+v", fc)
	}
	if _, err := New(typed); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tt := range []struct {
		key, value, want string
	}{
		{"group.idd", "x", "group.idd: unknown property"},
		{"fetch.max.bytes", "lots", `fetch.max.bytes="lots": want an integer from 1 to 2147483647`},
		{"fetch.min.bytes", "-1", "fetch.min.bytes"},
		{"fetch.max.wait.ms", "1.5", "fetch.max.wait.ms"},
		{"max.poll.records", "0", "max.poll.records"},
		{"request.timeout.ms", "0", `request.timeout.ms="0": want a number of milliseconds from 1 to 2147483647`},
		{"connections.max.idle.ms", "0", "connections.max.idle.ms"},
		{"isolation.level", "serializable", "isolation.level"},
		{"auto.offset.reset", "smallest", "auto.offset.reset"},
		{"auto.offset.reset", "by_duration:-P1D", "auto.offset.reset"},
		{"check.crcs", "yes", "check.crcs"},
		{"ssl.truststore.type", "JKS", `ssl.truststore.type="JKS": not supported: convert to PEM with keytool/openssl`},
		{"ssl.keystore.type", "PKCS12", "ssl.keystore.type"},
		{"ssl.truststore.password", "secret", `ssl.truststore.password="(hidden)"`},
		{"sasl.jaas.config", "com.example.Login required user=x;", "sasl.jaas.config=\"(hidden)\""},
		{"group.protocol", "consumer", "KIP-848) is not supported yet: use classic"},
		{"group.protocol", "fancy", "want classic or consumer"},
		{"partition.assignment.strategy", "org.example.MyAssignor", "partition.assignment.strategy"},
		{"group.instance.id", "a b", "group.instance.id"},
		{"heartbeat.interval.ms", "45000", "must be below session.timeout.ms (45000)"},
		{"bootstrap.servers", " , ", "bootstrap.servers"},
		{"bootstrap.servers", "nohost", "want host:port"},
	} {
		props := map[string]string{"bootstrap.servers": "a:1", tt.key: tt.value}
		_, err := ParseConfig(props)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") != 0 {
			t.Errorf("%s=%s: error %v, want one error containing %q", tt.key, tt.value, err, tt.want)
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != tt.key {
			t.Errorf("%s=%s: %#v, want a *ConfigError for the key", tt.key, tt.value, err)
		}
	}
	_, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "sasl.password": "secret", "bogus": "1"})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v", err)
	}
}

// TestTypedAndParsedConfigsFailAlike: New checks a typed Config with the
// rules and messages ParseConfig uses.
func TestTypedAndParsedConfigsFailAlike(t *testing.T) {
	for _, tt := range []struct {
		props map[string]string
		set   func(*Config)
	}{
		{map[string]string{"fetch.min.bytes": "-1"}, func(c *Config) { c.FetchMinBytes = -1 }},
		{map[string]string{"max.poll.records": "0"}, func(c *Config) { c.MaxPollRecords = 0 }},
		{map[string]string{"fetch.max.wait.ms": "-5"}, func(c *Config) { c.FetchMaxWait = -5 * time.Millisecond }},
		{map[string]string{"request.timeout.ms": "0"}, func(c *Config) { c.RequestTimeout = 0 }},
		{map[string]string{"heartbeat.interval.ms": "50000"}, func(c *Config) { c.HeartbeatInterval = 50 * time.Second }},
		{map[string]string{"group.protocol": "consumer"}, func(c *Config) { c.GroupProtocol = "consumer" }},
		{map[string]string{"partition.assignment.strategy": "fancy"}, func(c *Config) { c.PartitionAssignmentStrategy = []string{"fancy"} }},
		{map[string]string{"partition.assignment.strategy": "range,org.example.Fancy"},
			func(c *Config) { c.PartitionAssignmentStrategy = []string{"range", "org.example.Fancy"} }},
		{map[string]string{"security.protocol": "TLS"}, func(c *Config) { c.SecurityProtocol = "TLS" }},
		{map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "GSSAPI", "sasl.username": "u"},
			func(c *Config) { c.SecurityProtocol, c.SASLMechanism, c.SASLUsername = "SASL_SSL", "GSSAPI", "u" }},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT"}, func(c *Config) { c.SecurityProtocol = "SASL_PLAINTEXT" }},
		{map[string]string{"fetch.max.bytes": "0", "max.poll.records": "0", "request.timeout.ms": "0"},
			func(c *Config) { c.FetchMaxBytes, c.MaxPollRecords, c.RequestTimeout = 0, 0, 0 }},
	} {
		props := map[string]string{"bootstrap.servers": "a:1"}
		for k, v := range tt.props {
			props[k] = v
		}
		_, perr := ParseConfig(props)
		cfg := DefaultConfig()
		cfg.BootstrapServers = []string{"a:1"}
		tt.set(&cfg)
		_, nerr := New(cfg)
		if perr == nil || nerr == nil || perr.Error() != nerr.Error() {
			t.Errorf("%v:\nParseConfig: %v\nNew:         %v\nwant the same error", tt.props, perr, nerr)
		}
	}
	if _, err := New(Config{}); err == nil || !strings.Contains(err.Error(), "bootstrap.servers: required") {
		t.Errorf("New(Config{}): %v", err)
	}
	cfg := DefaultConfig()
	cfg.BootstrapServers = []string{"a:1"}
	cfg.AutoOffsetReset = At(3)
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "auto.offset.reset") {
		t.Errorf("New with reset At(3): %v", err)
	}
}

// TestConfigErrorsInKeyOrder: several errors come sorted by key, the same
// every time (not in map order).
func TestConfigErrorsInKeyOrder(t *testing.T) {
	props := map[string]string{"zeta.unknown": "1", "fetch.max.bytes": "x", "alpha.unknown": "1", "max.poll.records": "0",
		"check.crcs": "maybe", "request.timeout.ms": "0", "group.protocol": "consumer"}
	_, first := ParseConfig(props)
	if first == nil {
		t.Fatal("no error")
	}
	var keys []string
	for _, line := range strings.Split(first.Error(), "\n") {
		k, _, _ := strings.Cut(strings.TrimPrefix(line, "rawkafka: config "), ":")
		k, _, _ = strings.Cut(k, "=")
		keys = append(keys, k)
	}
	want := []string{"alpha.unknown", "bootstrap.servers", "check.crcs", "fetch.max.bytes", "group.protocol",
		"max.poll.records", "request.timeout.ms", "zeta.unknown"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys in order %q, want %q\n%v", keys, want, first)
	}
	for range 20 {
		if _, err := ParseConfig(props); err.Error() != first.Error() {
			t.Fatalf("errors changed order:\n%v\nthen\n%v", first, err)
		}
	}
}

// TestTrustStoreErrorsNameTheKeyGiven: an error about the trust store names
// ssl.truststore.location when that is the key given, and a JKS file says
// how to convert it.
func TestTrustStoreErrorsNameTheKeyGiven(t *testing.T) {
	dir := t.TempDir()
	jks := filepath.Join(dir, "truststore.jks")
	if err := os.WriteFile(jks, []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key, file, want string
	}{
		{"ssl.truststore.location", filepath.Join(dir, "missing.pem"), "ssl.truststore.location="},
		{"ssl.ca.location", filepath.Join(dir, "missing.pem"), "ssl.ca.location="},
		{"ssl.truststore.location", jks, "a JKS store, which is not supported: convert to PEM with keytool/openssl"},
	} {
		cfg, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "security.protocol": "SSL", tt.key: tt.file})
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(cfg)
		var ce *ConfigError
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ce) || ce.Key != tt.key {
			t.Errorf("%s=%s: %v, want a *ConfigError naming %s containing %q", tt.key, tt.file, err, tt.key, tt.want)
		}
	}
	_, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "ssl.ca.location": "a.pem", "ssl.truststore.location": "b.pem"})
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both trust store keys: %v", err)
	}
}

func TestKeyStorePEM(t *testing.T) {
	c, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "ssl.keystore.location": "client.pem", "ssl.keystore.type": "pem"})
	if err != nil || c.SSLCertificateLocation != "client.pem" || c.SSLKeyLocation != "client.pem" {
		t.Fatalf("%+v, %v", c, err)
	}
	if _, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "ssl.keystore.location": "ks.jks"}); err == nil ||
		!strings.Contains(err.Error(), "ssl.keystore.type") {
		t.Fatalf("JKS key store: %v", err)
	}
}

// TestConfigNeverPrintsItsPassword prints a Config every way fmt and slog
// can and looks for the password.
func TestConfigNeverPrintsItsPassword(t *testing.T) {
	const secret = "hunter2-very-secret"
	c, err := ParseConfig(map[string]string{"bootstrap.servers": "a:1", "security.protocol": "SASL_PLAINTEXT",
		"sasl.username": "alice", "sasl.password": secret})
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c))
	}
	outs = append(outs, c.String(), c.GoString(), fmt.Sprint(c), fmt.Sprintln([]Config{c}), fmt.Sprintf("%+v", struct{ C Config }{c}))
	var b bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&b, nil), slog.NewJSONHandler(&b, nil)} {
		slog.New(h).Info("config", "cfg", c, "ptr", &c)
	}
	outs = append(outs, b.String())
	for _, o := range outs {
		if strings.Contains(o, secret) {
			t.Errorf("printed the password: %s", o)
		}
	}
	if s := fmt.Sprintf("%+v", c); !strings.Contains(s, "SASLPassword:[redacted]") || !strings.Contains(s, "SASLUsername:alice") {
		t.Errorf("%%+v: %s", s)
	}
	if s := fmt.Sprintf("%#v", c); !strings.HasPrefix(s, "rawkafka.Config{") || !strings.Contains(s, `SASLPassword:"[redacted]"`) {
		t.Errorf("%%#v: %s", s)
	}
	if !strings.Contains(b.String(), "sasl.password=[redacted]") || !strings.Contains(b.String(), `"sasl.password":"[redacted]"`) {
		t.Errorf("slog: %s", b.String())
	}
	if c.SASLPassword != secret {
		t.Fatal("printing changed the Config")
	}
}

func TestParseJAAS(t *testing.T) {
	for _, tt := range []struct {
		in, user, pass string
		ok             bool
	}{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";`, "alice", "alice-secret", true},
		{`org.apache.kafka.common.security.scram.ScramLoginModule required  username="a b"  password="x;y" ;`, "a b", "x;y", true},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username=bare password=pw;`, "bare", "pw", true},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice";`, "", "", false},
		{`org.apache.kafka.common.security.plain.PlainLoginModule username="a" password="b";`, "", "", false},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="a password="b";`, "", "", false},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="a" pw-secret;`, "", "", false},
	} {
		u, p, err := parseJAAS(tt.in)
		if (err == nil) != tt.ok || u != tt.user || p != tt.pass {
			t.Errorf("%s: %q %q %v", tt.in, u, p, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", tt.in, err)
		}
	}
}

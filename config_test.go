package rawkafka

import (
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
	if len(c.BootstrapServers) != 2 || c.BootstrapServers[1] != "b:2" {
		t.Fatalf("bootstrap %q", c.BootstrapServers)
	}
	fc := c.fetchConfig(nil)
	if fc.Committed != nil {
		t.Fatal("a committed-offset lookup without a group")
	}
	if fc.Committed = nil; !reflect.DeepEqual(fc, fetch.Config{}) {
		t.Fatalf("defaults are not the zero fetch config (the Java defaults): %+v", fc)
	}
	cc, err := c.clusterConfig(nil)
	if err != nil || cc.Conn.TLS != nil || cc.Conn.SASL != nil || cc.Conn.MaxResponseSize < fetch.DefaultMaxBytes {
		t.Fatalf("cluster config %+v, %v", cc, err)
	}
}

func TestParseConfigKeys(t *testing.T) {
	c, err := ParseConfig(map[string]string{
		"bootstrap.servers":         "h:9092",
		"client.id":                 "me",
		"group.id":                  "g1",
		"enable.auto.commit":        "false",
		"auto.commit.interval.ms":   "700",
		"client.rack":               "r1",
		"fetch.min.bytes":           "10",
		"fetch.max.bytes":           "1048576",
		"max.partition.fetch.bytes": "2000",
		"fetch.max.wait.ms":         "250",
		"max.poll.records":          "7",
		"isolation.level":           "read_committed",
		"auto.offset.reset":         "by_duration:P1DT2H",
		"check.crcs":                "false",
		"enable.fetch.sessions":     "false",
		"fetch.buffer.max.bytes":    "5000000",
		"request.timeout.ms":        "1000",
		"metadata.max.age.ms":       "2000",
		"retry.backoff.ms":          "0",
		"security.protocol":         "sasl_plaintext",
		"sasl.mechanism":            "scram-sha-256",
		"sasl.jaas.config":          `org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="p\"w d";`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{BootstrapServers: []string{"h:9092"}, ClientID: "me", GroupID: "g1", DisableAutoCommit: true,
		AutoCommitInterval: 700 * time.Millisecond, ClientRack: "r1", FetchMinBytes: 10, FetchMaxBytes: 1048576,
		MaxPartitionFetchBytes: 2000, FetchMaxWait: 250 * time.Millisecond, MaxPollRecords: 7, IsolationLevel: ReadCommitted,
		AutoOffsetReset: ByDuration(26 * time.Hour), SkipCRCCheck: true, DisableFetchSessions: true, FetchBufferMaxBytes: 5000000,
		RequestTimeout: time.Second, MetadataMaxAge: 2 * time.Second, RetryBackoff: time.Nanosecond,
		SecurityProtocol: "SASL_PLAINTEXT", SASLMechanism: "SCRAM-SHA-256", SASLUsername: "bob", SASLPassword: `p"w d`}
	if c.AutoOffsetReset.String() != want.AutoOffsetReset.String() {
		t.Fatalf("reset %s, want %s", c.AutoOffsetReset, want.AutoOffsetReset)
	}
	c.AutoOffsetReset, want.AutoOffsetReset = Default, Default
	if strings.Join(c.BootstrapServers, ",") != "h:9092" {
		t.Fatal(c.BootstrapServers)
	}
	c.BootstrapServers, want.BootstrapServers = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	c.BootstrapServers = []string{"h:9092"}
	cc, err := c.clusterConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cc.Conn.SASL == nil || *cc.Conn.SASL != (conn.SASL{Mechanism: "SCRAM-SHA-256", Username: "bob", Password: `p"w d`}) || cc.Conn.TLS != nil {
		t.Fatalf("sasl %+v tls %v", cc.Conn.SASL, cc.Conn.TLS)
	}
}

func TestParseConfigErrorsNameTheKey(t *testing.T) {
	for _, tt := range []struct {
		key, value, want string
	}{
		{"group.idd", "x", "group.idd: unknown property"},
		{"fetch.max.bytes", "lots", "fetch.max.bytes"},
		{"fetch.min.bytes", "-1", "fetch.min.bytes"},
		{"fetch.max.wait.ms", "1.5", "fetch.max.wait.ms"},
		{"max.poll.records", "0", "max.poll.records"},
		{"isolation.level", "serializable", "isolation.level"},
		{"auto.offset.reset", "smallest", "auto.offset.reset"},
		{"auto.offset.reset", "by_duration:-P1D", "auto.offset.reset"},
		{"check.crcs", "yes", "check.crcs"},
		{"ssl.truststore.type", "JKS", "ssl.truststore.type"},
		{"sasl.jaas.config", "com.example.Login required user=x;", "sasl.jaas.config=\"(hidden)\""},
		{"bootstrap.servers", " , ", "bootstrap.servers"},
	} {
		_, err := ParseConfig(map[string]string{tt.key: tt.value})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: error %v, want it to contain %q", tt.key, tt.value, err, tt.want)
		}
	}
	_, err := ParseConfig(map[string]string{"sasl.password": "secret", "bogus": "1"})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %v", err)
	}
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "bootstrap.servers"},
		{Config{BootstrapServers: []string{"a:1"}, SecurityProtocol: "TLS"}, "security.protocol"},
		{Config{BootstrapServers: []string{"a:1"}, SecurityProtocol: "SASL_SSL", SASLMechanism: "GSSAPI", SASLUsername: "u"}, "sasl.mechanism"},
		{Config{BootstrapServers: []string{"a:1"}, SecurityProtocol: "SASL_PLAINTEXT"}, "sasl.username"},
		{Config{BootstrapServers: []string{"a:1"}, SecurityProtocol: "SSL", SSLCALocation: "/nonexistent.pem"}, "ssl.ca.location"},
		{Config{BootstrapServers: []string{"a:1"}, AutoOffsetReset: At(3)}, "auto.offset.reset"},
	} {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v): %v, want an error naming %s", tt.cfg, err, tt.want)
		}
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
	} {
		u, p, err := parseJAAS(tt.in)
		if (err == nil) != tt.ok || u != tt.user || p != tt.pass {
			t.Errorf("%s: %q %q %v", tt.in, u, p, err)
		}
	}
}

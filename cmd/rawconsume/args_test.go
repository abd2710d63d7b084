package main

import (
	"bytes"
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka"
)

// TestArgsAsKcatUsersTypeThem: combined flags, attached values, values that
// start with '-', and options after operands, as getopt(3) reads them.
func TestArgsAsKcatUsersTypeThem(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		check func(*options) bool
	}{
		{[]string{"-b", "x:1", "-qe", "-tmytopic", "-p0", "-obeginning"}, func(o *options) bool {
			return o.quiet && o.exitAtEnd && o.topic == "mytopic" && o.partition == 0 && o.offset.kind == offsetBeginning
		}},
		{[]string{"-bx:1", "-Ct", "t", "-o", "-10"}, func(o *options) bool {
			return o.topic == "t" && o.offset == offsetSpec{kind: offsetTail, n: 10} && o.partition == -1
		}},
		{[]string{"-t", "t", "-b", "h1,h2:9093"}, func(o *options) bool {
			return reflect.DeepEqual(o.brokers, []string{"h1:9092", "h2:9093"}) && o.offset.kind == offsetEnd
		}},
		{[]string{"-b", "x:1", "-t", "t", "-c5", "-eqJ"}, func(o *options) bool {
			return o.count == 5 && o.exitAtEnd && o.quiet && o.json
		}},
		{[]string{"-b", "x:1", "-t", "t", "-E", "-d", "broker,fetch", "-v", "-u", "-m", "2.5"}, func(o *options) bool {
			return o.keepGoing && reflect.DeepEqual(o.debug, []string{"broker,fetch"}) && o.verbose == 1 && o.unbuffered &&
				o.metadataTimeout == 2500*time.Millisecond
		}},
		{[]string{"-b", "x:1", "-t", "t", "-K:", "-D", `\t`}, func(o *options) bool {
			return o.format.printKeys && o.format.keyDelim == ":" && o.format.msgDelim == "\t"
		}},
		{[]string{"-b", "x:1", "-t", "t", "-Xgroup.id=g", "-ostored", "-Xtopic.auto.offset.reset=smallest"}, func(o *options) bool {
			return o.props["group.id"] == "g" && o.offset.kind == offsetStored && o.props["topic.auto.offset.reset"] == "smallest"
		}},
		{[]string{"-L", "-b", "x:1"}, func(o *options) bool { return o.list && o.topic == "" }},
		{[]string{"-Q", "-b", "x:1", "-tt:0:-1", "-t", "u:1:5"}, func(o *options) bool {
			return len(o.query) == 2 && o.query[0].ts == -1 && o.query[1].tp == rawkafka.TopicPartition{Topic: "u", Partition: 1}
		}},
	} {
		o, err := parseArgs(tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !tt.check(o) {
			t.Errorf("%q: parsed as %+v", tt.args, o)
		}
	}
}

func TestGetoptOperandsAnywhere(t *testing.T) {
	var seen []string
	operands, err := getopt([]string{"-G", "g", "t1", "-o", "stored", "t2", "-qe", "--", "-t3"}, func(l byte, v string) error {
		seen = append(seen, string(l)+"="+v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t1", "t2", "-t3"}; !reflect.DeepEqual(operands, want) {
		t.Errorf("operands %q, want %q", operands, want)
	}
	if want := []string{"G=g", "o=stored", "q=", "e="}; !reflect.DeepEqual(seen, want) {
		t.Errorf("options %q, want %q", seen, want)
	}
}

// TestLibrdkafkaProperties: librdkafka's spellings kcat users carry are
// mapped where they mean something, and noted where they do not.
func TestLibrdkafkaProperties(t *testing.T) {
	p, err := mapProps(map[string]string{
		"ssl.endpoint.identification.algorithm": "none",
		"enable.ssl.certificate.verification":   "false",
		"debug":                                 "broker,fetch",
		"api.version.request":                   "false",
		"socket.keepalive.enable":               "false",
		"topic.auto.offset.reset":               "smallest",
		"metadata.broker.list":                  "h:1",
		"sasl.mechanisms":                       "PLAIN",
		"queued.min.messages":                   "10",
		"ssl.ca.location":                       "probe",
		"topic.metadata.refresh.interval.ms":    "1000",
		"fetch.message.max.bytes":               "100",
		"security.protocol":                     "sasl_ssl",
		"group.id":                              "g",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ssl.endpoint.identification.algorithm": "", "auto.offset.reset": "earliest",
		"bootstrap.servers": "h:1", "sasl.mechanism": "PLAIN", "metadata.max.age.ms": "1000",
		"max.partition.fetch.bytes": "100", "security.protocol": "SASL_SSL", "group.id": "g"}
	if !reflect.DeepEqual(p.java, want) {
		t.Errorf("java properties\ngot  %v\nwant %v", p.java, want)
	}
	if !p.insecureTLS || !p.noKeepAlive || !reflect.DeepEqual(p.debug, []string{"broker,fetch"}) {
		t.Errorf("insecure %t, no keep-alive %t, debug %q", p.insecureTLS, p.noKeepAlive, p.debug)
	}
	if len(p.notes) != 2 || !strings.Contains(p.notes[0], "api.version.request=false: ignored") ||
		!strings.Contains(p.notes[1], "queued.min.messages: ignored") {
		t.Errorf("notes %q", p.notes)
	}
	if p.given["auto.offset.reset"] != "topic.auto.offset.reset" {
		t.Errorf("given %v", p.given)
	}
	for _, v := range []string{"true", "TRUE"} {
		p, err := mapProps(map[string]string{"api.version.request": v, "socket.keepalive.enable": v, "enable.ssl.certificate.verification": v})
		if err != nil || len(p.notes) != 0 || len(p.java) != 0 || p.insecureTLS || p.noKeepAlive {
			t.Errorf("%s: %+v %v: want nothing to do", v, p, err)
		}
	}
}

// TestConsumerConfigApplies: the mapped properties reach the Config, notes
// are one line each on stderr (none with -q), and -d turns on debug logs.
func TestConsumerConfigApplies(t *testing.T) {
	o, err := parseArgs([]string{"-b", "x:1", "-t", "t", "-X", "ssl.endpoint.identification.algorithm=none",
		"-X", "enable.ssl.certificate.verification=false", "-X", "socket.keepalive.enable=false",
		"-X", "topic.auto.offset.reset=beginning", "-X", "statistics.interval.ms=1000", "-d", "fetch"})
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cfg, err := consumerConfig(o, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.SSLSkipHostnameVerification || cfg.TLS == nil || !cfg.TLS.InsecureSkipVerify || cfg.Dialer == nil ||
		cfg.AutoOffsetReset != rawkafka.Earliest {
		t.Errorf("config %+v", cfg)
	}
	if got := errOut.String(); got != "% -X statistics.interval.ms: ignored: rawconsume prints no statistics\n" {
		t.Errorf("notes %q", got)
	}
	if cfg.Logger == nil || !cfg.Logger.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("-d does not log debug events")
	}
	o.quiet, o.debug = true, nil
	errOut.Reset()
	if cfg, err = consumerConfig(o, &errOut); err != nil || errOut.Len() != 0 || cfg.Logger != nil {
		t.Errorf("-q: notes %q, logger %v, %v", errOut.String(), cfg.Logger, err)
	}
	o.quiet = false
	if cfg, _ = consumerConfig(o, &errOut); cfg.Logger != nil {
		t.Error("-L and -Q log without -d or -v")
	}
	o.logWarnings = true
	if cfg, _ = consumerConfig(o, &errOut); cfg.Logger == nil || cfg.Logger.Enabled(context.Background(), slog.LevelInfo) ||
		!cfg.Logger.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("without -d or -q, warnings and errors go to stderr, nothing less")
	}
}

package grouptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// javaAssignors maps a Strategy to the Java client's assignor class.
var javaAssignors = map[Strategy]string{
	Range:             "org.apache.kafka.clients.consumer.RangeAssignor",
	RoundRobin:        "org.apache.kafka.clients.consumer.RoundRobinAssignor",
	CooperativeSticky: "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
}

// javaLog4j2 logs the consumer's rebalance callbacks at INFO on stdout, each
// line stamped with the client's clock in ms; everything else at WARN.
// Kafka 3.9 and 4.x both log the callbacks from
// ConsumerRebalanceListenerInvoker; ConsumerCoordinator says the rest.
const javaLog4j2 = `status = warn
name = grouptest
appender.out.type = Console
appender.out.name = OUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{UNIX_MILLIS} %p [%c{1}] %m%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.invoker.name = org.apache.kafka.clients.consumer.internals.ConsumerRebalanceListenerInvoker
logger.invoker.level = INFO
logger.coordinator.name = org.apache.kafka.clients.consumer.internals.ConsumerCoordinator
logger.coordinator.level = INFO
`

// javaLog4j is the same for Kafka 3.9's reload4j, whose PatternLayout has
// no UNIX_MILLIS (it fails and logs nothing): its lines carry no stamp, so
// ClientTime stays zero for a 3.9 member.
const javaLog4j = `log4j.rootLogger=WARN, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.Target=System.out
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=%p [%c{1}] %m%n
log4j.logger.org.apache.kafka.clients.consumer.internals.ConsumerRebalanceListenerInvoker=INFO
log4j.logger.org.apache.kafka.clients.consumer.internals.ConsumerCoordinator=INFO
`

// Java returns a member that is the Apache Kafka Java console consumer
// (kafka.tools.ConsoleConsumer through `scripts/kafka java-tool`, the
// broker's version), not yet started. It subscribes to exactly one topic:
// the console consumer prints no topic name. A JVM is heavy: keep two or
// three at a time on a small machine.
//
// Records come from --property print.partition=true print.offset=true:
//
//	Partition:0	Offset:5	id-5
//
// and ownership from the consumer's own log, which a log4j2 configuration
// passed with RAWKAFKA_TOOL_JVM_OPTS=-Dlog4j2.configurationFile=... sends
// to stdout (the same stream as the records, so their order is exact) with
// the client's time in ms:
//
//	1796145158221 INFO [ConsumerRebalanceListenerInvoker] [Consumer instanceId=j1, clientId=console-consumer, groupId=g] Adding newly assigned partitions: [t-0]
//	1796145168132 INFO [ConsumerRebalanceListenerInvoker] [Consumer ...] Revoke previously assigned partitions [t-0, t-1]
//	... Lost previously assigned partitions [t-0]
//
// (Kafka 3.9 logs them from ConsumerCoordinator, without the brackets.)
// The console consumer commits automatically (enable.auto.commit) and on
// revoke and close.
func Java(t testing.TB, cfg Config) *Process {
	t.Helper()
	if _, err := exec.LookPath("java"); err != nil {
		require(t, "java not found (run scripts/deps)")
	}
	if len(cfg.Topics) != 1 {
		t.Fatalf("grouptest: Java member %s: the console consumer prints no topic, so it takes exactly one (got %q)", cfg.Name, cfg.Topics)
	}
	var classes []string
	for _, s := range cfg.strategies() {
		class, ok := javaAssignors[s]
		if !ok {
			t.Fatalf("grouptest: Java member %s: unknown strategy %q", cfg.Name, s)
		}
		classes = append(classes, class)
	}
	assignor := strings.Join(classes, ",")
	root, err := kafkatest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log4j2, log4j := filepath.Join(dir, "log4j2.properties"), filepath.Join(dir, "log4j.properties")
	if err := os.WriteFile(log4j2, []byte(javaLog4j2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log4j, []byte(javaLog4j), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"java-tool", "ConsoleConsumer", "--bootstrap-server", cfg.Brokers,
		"--group", cfg.Group, "--topic", cfg.Topics[0],
		"--consumer-property", "partition.assignment.strategy=" + assignor,
		"--property", "print.partition=true", "--property", "print.offset=true"}
	for _, kv := range cfg.properties() {
		args = append(args, "--consumer-property", kv[0]+"="+kv[1])
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "kafka"), args...)
	// scripts/kafka puts RAWKAFKA_TOOL_JVM_OPTS after its own logging flag:
	// the last -D wins.
	opts := strings.TrimSpace(os.Getenv("RAWKAFKA_TOOL_JVM_OPTS") + " -Dlog4j2.configurationFile=" + log4j2 + " -Dlog4j.configuration=file:" + log4j)
	cmd.Env = append(os.Environ(), "RAWKAFKA_TOOL_JVM_OPTS="+opts)
	topic := cfg.Topics[0]
	return NewProcess(t, cfg.Name, "java", cmd, rejoinCutRecords([]string{"Partition:"}, javaLogStart, func(line string, now time.Time, seq int) (*Record, *OwnershipEvent, error) {
		return ParseJavaLine(topic, line, now, seq)
	}))
}

// javaLogStart finds a log line's start (log4j2's stamp, or 3.9's level)
// inside a line.
var javaLogStart = regexp.MustCompile(`(\d{13} )?(INFO|WARN|ERROR|DEBUG) \[`)

// rejoinCutRecords wraps parse so that a log line written in the middle
// of a record line, or of kcat's rebalance line, costs nothing. The
// clients write those lines in pieces (the console consumer "Partition:",
// the number, a tab, ...; kcat each -f token, and its "% Group ...
// rebalanced: ..." line before the partitions), and their log lines come
// from other threads (Java's heartbeat thread, librdkafka's main thread,
// rawkafka's driver) straight to the same pipe, so one can land between two
// pieces:
//
//	Partition:1796155385995 INFO [ConsumerCoordinator] ... (Re-)joining group
//	1	Offset:52	id-702
//
// A line starting with one of prefixes in which logStart matches after the
// start is split there: the log line is parsed at once, the fragment is
// put in front of the next line.
func rejoinCutRecords(prefixes []string, logStart *regexp.Regexp, parse LineParser) LineParser {
	var fragment string
	return func(line string, now time.Time, seq int) (*Record, *OwnershipEvent, error) {
		line, fragment = joinFragment(prefixes, logStart, fragment, line)
		return parse(line, now, seq)
	}
}

// joinFragment is rejoinCutRecords' step: the line to parse and the
// fragment to keep for the next line.
func joinFragment(prefixes []string, logStart *regexp.Regexp, fragment, line string) (string, string) {
	line = fragment + line
	if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(line, p) }) {
		return line, ""
	}
	if loc := logStart.FindStringIndex(line); loc != nil && loc[0] > 0 {
		return line[loc[0]:], line[:loc[0]]
	}
	return line, ""
}

// The messages of the Java consumer's rebalance callbacks.
var javaEvents = []struct {
	msg string
	typ EventType
}{
	{"Adding newly assigned partitions:", Assigned},
	{"Revoke previously assigned partitions", Revoked},
	{"Lost previously assigned partitions", Lost},
}

// ParseJavaLine is the Java member's LineParser; topic is the one topic it
// subscribed to.
func ParseJavaLine(topic, line string, now time.Time, seq int) (*Record, *OwnershipEvent, error) {
	if rest, ok := strings.CutPrefix(line, "Partition:"); ok {
		f := strings.SplitN(rest, "\t", 3)
		if len(f) != 3 || !strings.HasPrefix(f[1], "Offset:") {
			return nil, nil, fmt.Errorf("java record line %q: want Partition:p<TAB>Offset:o<TAB>value", line)
		}
		p, err1 := strconv.ParseInt(f[0], 10, 32)
		o, err2 := strconv.ParseInt(strings.TrimPrefix(f[1], "Offset:"), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("java record line %q: bad partition or offset", line)
		}
		return &Record{Topic: topic, Partition: int32(p), Offset: o, Value: f[2], Time: now, Seq: seq}, nil, nil
	}
	if i := strings.Index(line, javaJoined); i >= 0 {
		n, err := strconv.ParseInt(leadingDigits(line[i+len(javaJoined):]), 10, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("java join line %q: bad generation", line)
		}
		ev := &OwnershipEvent{Type: Joined, Generation: int32(n), Time: now, Seq: seq, Line: line, ClientTime: javaStamp(line)}
		return nil, ev, nil
	}
	if strings.Contains(line, "] (Re-)joining group") || strings.Contains(line, "] Request joining group due to: ") {
		return nil, &OwnershipEvent{Type: JoinSent, Time: now, Seq: seq, Line: line, ClientTime: javaStamp(line)}, nil
	}
	for _, je := range javaEvents {
		i := strings.Index(line, je.msg)
		if i < 0 {
			continue
		}
		tps, err := parseJavaPartitions(line[i+len(je.msg):])
		if err != nil {
			return nil, nil, fmt.Errorf("java rebalance line %q: %v", line, err)
		}
		return nil, &OwnershipEvent{Type: je.typ, Partitions: tps, Time: now, Seq: seq, Line: line, ClientTime: javaStamp(line)}, nil
	}
	return nil, nil, nil
}

// javaJoined precedes the generation in AbstractCoordinator's line for
// every JoinGroup answered (3.9 and 4.x; logged as ConsumerCoordinator):
//
//	... Successfully joined group with generation Generation{generationId=3, memberId='console-consumer-…', protocol='cooperative-sticky'}
const javaJoined = "Successfully joined group with generation Generation{generationId="

// javaStamp is the client's own time at the start of a log4j2 line (zero
// when the line has none: Kafka 3.9's reload4j).
func javaStamp(line string) time.Time {
	if ms, _, ok := strings.Cut(line, " "); ok {
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil && n > 1e12 {
			return time.UnixMilli(n)
		}
	}
	return time.Time{}
}

// leadingDigits is the decimal digits s starts with.
func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// parseJavaPartitions reads " [t-0, t-1]" or " t-0, t-1" (empty: none).
func parseJavaPartitions(s string) ([]TopicPartition, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []TopicPartition
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		dash := strings.LastIndex(item, "-")
		if dash <= 0 {
			return nil, fmt.Errorf("partition %q: want topic-n", item)
		}
		n, err := strconv.ParseInt(item[dash+1:], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("partition %q: %v", item, err)
		}
		out = append(out, TopicPartition{item[:dash], int32(n)})
	}
	return out, nil
}

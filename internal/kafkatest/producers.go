package kafkatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Header is a record header as a producer wrote it.
type Header struct {
	Key   string `json:"key"`
	Value []byte `json:"value"` // nil = null
}

// ExpectedRecord is a record written by an independent producer (the Java
// client or librdkafka), with the offset the broker gave it: what a consumer
// must hand out for that offset.
type ExpectedRecord struct {
	Partition int32    `json:"partition"`
	Offset    int64    `json:"offset"`
	Key       []byte   `json:"key"`   // nil = null; empty and non-nil = empty
	Value     []byte   `json:"value"` // nil = null
	Headers   []Header `json:"headers"`
	Timestamp int64    `json:"timestamp"` // ms since the epoch (CreateTime)
	// Transactional is set for records written inside a transaction.
	Transactional bool `json:"transactional"`
	// Committed is false only for records of an aborted transaction: a
	// read_committed consumer skips exactly those.
	Committed bool `json:"committed"`
	// Producer names the writer: "plain", "txn-a" or "txn-b" (Java), "kcat".
	Producer string `json:"producer"`
}

// Codecs are the compression.type values every producer helper accepts.
var Codecs = []string{"none", "gzip", "snappy", "lz4", "zstd"}

// ProduceJava writes n records to one partition of topic with the Apache Kafka
// Java producer (scripts/producer produce, compiled against the jars of the
// test broker's version), compressed with codec (none, gzip, snappy, lz4,
// zstd), and returns them in offset order.
//
// The records are the same in every run apart from their timestamps (record
// i has timestamp base+i, base being the current second, except i%8 == 5,
// a minute earlier): null, empty and binary keys, null and empty values, no,
// one or five headers (with a null value, a duplicate key, an empty value).
// The producer is idempotent and lingers, so batches hold several records;
// n of 40 or more makes several batches. The partition must exist
// (CreateTopic).
func ProduceJava(t testing.TB, topic string, partition int32, codec string, n int) []ExpectedRecord {
	t.Helper()
	checkCodec(t, codec)
	return runJavaProducer(t, "produce", "--topic", topic, "--partition", fmt.Sprint(partition),
		"--codec", codec, "--count", fmt.Sprint(n))
}

// ProduceTransactions writes committed and aborted transactions, interleaved
// with each other and with non-transactional records, to one partition of
// topic with the Java producer (scripts/producer transactions; the schedule is
// in scripts/java/RawkafkaProducer.java), and returns the data records in
// offset order. Two transactional producers take part, so aborted
// transactions of two producer ids overlap, and a non-transactional record
// sits inside an aborted transaction's offset range. Offsets missing between
// the records are transaction markers. It returns once every marker is
// written (the last stable offset is the high watermark).
//
// Use ReadCommitted for what a read_committed consumer sees.
func ProduceTransactions(t testing.TB, topic string, partition int32) []ExpectedRecord {
	t.Helper()
	return runJavaProducer(t, "transactions", "--topic", topic, "--partition", fmt.Sprint(partition))
}

// ReadCommitted returns the records a read_committed consumer sees.
func ReadCommitted(records []ExpectedRecord) []ExpectedRecord {
	var out []ExpectedRecord
	for _, r := range records {
		if r.Committed {
			out = append(out, r)
		}
	}
	return out
}

func checkCodec(t testing.TB, codec string) {
	t.Helper()
	if !slices.Contains(Codecs, codec) {
		t.Fatalf("kafkatest: unknown codec %q (want one of %v)", codec, Codecs)
	}
}

// runJavaProducer runs scripts/producer with the broker's address and parses
// the JSON lines it prints.
func runJavaProducer(t testing.TB, mode string, args ...string) []ExpectedRecord {
	t.Helper()
	e := Get(t)
	if _, err := exec.LookPath("java"); err != nil {
		unavailable(t, "java not found (run scripts/deps)")
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	// The client of the broker's own version; any other broker gets the newest.
	version := e.KafkaVersion
	if version != "3.9.1" {
		version = "4.1.1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "producer"),
		append([]string{mode, "--bootstrap", e.Bootstrap}, args...)...)
	cmd.Env = append(os.Environ(), "KAFKA_VERSION="+version)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "javac not found") {
			unavailable(t, "javac not found (run scripts/deps)")
		}
		t.Fatalf("kafkatest: scripts/producer %s %s: %v\n%s", mode, strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	recs, err := parseExpected(stdout.Bytes())
	if err != nil {
		t.Fatalf("kafkatest: scripts/producer %s: %v", mode, err)
	}
	t.Logf("kafkatest: Java producer (Kafka %s client) wrote %d records in %v (%s)", version, len(recs), time.Since(start).Round(time.Millisecond), strings.Join(args, " "))
	return recs
}

// parseExpected reads the JSON lines of scripts/producer.
func parseExpected(out []byte) ([]ExpectedRecord, error) {
	var recs []ExpectedRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r ExpectedRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("line %q: %v", line, err)
		}
		if len(r.Headers) == 0 {
			r.Headers = nil // as ConsumeKcat returns them, so records compare with reflect.DeepEqual
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// ProduceKcat writes n records to one partition of topic with kcat
// (librdkafka), compressed with codec, and returns them in offset order.
// Offsets and timestamps (kcat cannot set them: librdkafka stamps the
// produce time) are learnt by reading the partition back with ConsumeKcat,
// so nothing else may write to that partition meanwhile.
//
// Record i: key "kcat-key-i" or null (i%4 == 1), value "kcat-value-i-..." or
// null (i%5 == 3); kcat gives the same headers to every record of one run, so
// the records go out in three runs: the first third without headers, the
// second with one (h=v), the rest with five (a null value, a duplicate key,
// an empty value). Keys and values are ASCII (kcat reads them from
// delimited input; empty means null with -Z).
func ProduceKcat(t testing.TB, topic string, partition int32, codec string, n int) []ExpectedRecord {
	t.Helper()
	checkCodec(t, codec)
	kcat := kcatPath(t)
	brokers := Get(t).Bootstrap
	want := make([]ExpectedRecord, n)
	for i := range want {
		r := ExpectedRecord{Partition: partition, Committed: true, Producer: "kcat"}
		if i%4 != 1 {
			r.Key = []byte(fmt.Sprintf("kcat-key-%d", i))
		}
		if i%5 != 3 {
			r.Value = []byte(fmt.Sprintf("kcat-value-%d-%s", i, strings.Repeat("xyz", i%6*10)))
		}
		want[i] = r
	}
	groups := [][]Header{
		nil,
		{{"h", []byte("v")}},
		{{"trace-id", []byte("kcat")}, {"null-value", nil}, {"dup", []byte("1")}, {"dup", []byte("2")}, {"empty", []byte{}}},
	}
	for g, hs := range groups {
		lo, hi := n*g/len(groups), n*(g+1)/len(groups)
		if lo == hi {
			continue
		}
		var in bytes.Buffer
		for i := lo; i < hi; i++ {
			want[i].Headers = hs
			in.Write(want[i].Key)
			in.WriteByte(0x1f)
			in.Write(want[i].Value)
			in.WriteByte(0x1e)
		}
		args := []string{"-P", "-b", brokers, "-t", topic, "-p", fmt.Sprint(partition), "-z", codec,
			"-K", "\x1f", "-D", "\x1e", "-Z",
			"-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=50"}
		for _, h := range hs {
			if h.Value == nil {
				args = append(args, "-H", h.Key)
			} else {
				args = append(args, "-H", h.Key+"="+string(h.Value))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, kcat, args...)
		cmd.Stdin = &in
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		if err != nil || strings.Contains(out.String(), "ERROR") {
			t.Fatalf("kafkatest: kcat produce to %s-%d: %v\n%s", topic, partition, err, out.String())
		}
	}

	got := ConsumeKcat(t, topic, partition, false)
	if len(got) < n {
		t.Fatalf("kafkatest: kcat produced %d records to %s-%d but reads back %d", n, topic, partition, len(got))
	}
	got = got[len(got)-n:]
	for i := range want {
		g := got[i]
		if !sameContent(g, want[i]) {
			t.Fatalf("kafkatest: record %d of %s-%d reads back as\n%s\nnot as written:\n%s", i, topic, partition, g, want[i])
		}
		want[i].Offset, want[i].Timestamp = g.Offset, g.Timestamp
	}
	return want
}

// sameContent compares key, value and headers, keeping null apart from empty.
func sameContent(a, b ExpectedRecord) bool {
	eq := func(x, y []byte) bool { return (x == nil) == (y == nil) && bytes.Equal(x, y) }
	if !eq(a.Key, b.Key) || !eq(a.Value, b.Value) || len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Key != b.Headers[i].Key || !eq(a.Headers[i].Value, b.Headers[i].Value) {
			return false
		}
	}
	return true
}

// String shows a record with its bytes quoted and nulls spelled out, for test failures.
func (r ExpectedRecord) String() string {
	q := func(b []byte) string {
		if b == nil {
			return "null"
		}
		return strconv.Quote(string(b))
	}
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, strconv.Quote(h.Key)+"="+q(h.Value))
	}
	return fmt.Sprintf("{p%d@%d ts=%d key=%s value=%s headers=[%s] txn=%v committed=%v %s}",
		r.Partition, r.Offset, r.Timestamp, q(r.Key), q(r.Value), strings.Join(hs, " "), r.Transactional, r.Committed, r.Producer)
}

func kcatPath(t testing.TB) string {
	t.Helper()
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		unavailable(t, "kcat not found (run scripts/deps)")
	}
	return kcat
}

// ConsumeKcat reads one partition of topic from the beginning to its end
// with kcat (-C -J -e), read_committed or read_uncommitted, and returns its
// records. kcat knows nothing of transactions: Transactional is false and
// Committed true in what it returns. Binary keys and values come back exactly
// (kcat's JSON passes non-UTF-8 bytes through, and this parser keeps them).
func ConsumeKcat(t testing.TB, topic string, partition int32, readCommitted bool) []ExpectedRecord {
	t.Helper()
	kcat := kcatPath(t)
	isolation := "read_uncommitted"
	if readCommitted {
		isolation = "read_committed"
	}
	return consumeKcat(t, kcat, "-C", "-b", Get(t).Bootstrap, "-t", topic, "-p", fmt.Sprint(partition),
		"-o", "beginning", "-e", "-J", "-q", "-X", "isolation.level="+isolation)
}

// ConsumeKcatStored reads every partition of topic with kcat from the
// offsets group committed (-o stored, earliest where there are none) to the
// end, and returns the records. kcat commits how far it read.
func ConsumeKcatStored(t testing.TB, topic, group string) []ExpectedRecord {
	t.Helper()
	return consumeKcat(t, kcatPath(t), "-C", "-b", Get(t).Bootstrap, "-t", topic, "-o", "stored",
		"-X", "group.id="+group, "-X", "auto.offset.reset=earliest", "-e", "-J", "-q")
}

// consumeKcat runs kcat with args (which print -J lines) and parses them.
func consumeKcat(t testing.TB, kcat string, args ...string) []ExpectedRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || strings.Contains(stderr.String(), "ERROR") {
		t.Fatalf("kafkatest: kcat %q: %v\n%s", args, err, stderr.String())
	}
	recs, err := parseKcatJSON(stdout.Bytes())
	if err != nil {
		t.Fatalf("kafkatest: kcat %q: %v", args, err)
	}
	return recs
}

// parseKcatJSON reads kcat -J lines: {"topic":..,"partition":..,"offset":..,
// "tstype":..,"ts":..,"broker":..,"headers":["k","v",..],"key":..,"payload":..}.
func parseKcatJSON(out []byte) ([]ExpectedRecord, error) {
	var recs []ExpectedRecord
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct {
			Partition int32             `json:"partition"`
			Offset    int64             `json:"offset"`
			TS        int64             `json:"ts"`
			Headers   []json.RawMessage `json:"headers"`
			Key       json.RawMessage   `json:"key"`
			Payload   json.RawMessage   `json:"payload"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return recs, nil
		} else if err != nil {
			return nil, err
		}
		r := ExpectedRecord{Partition: m.Partition, Offset: m.Offset, Timestamp: m.TS, Committed: true}
		var err error
		if r.Key, err = yajlString(m.Key); err != nil {
			return nil, fmt.Errorf("offset %d: key: %v", m.Offset, err)
		}
		if r.Value, err = yajlString(m.Payload); err != nil {
			return nil, fmt.Errorf("offset %d: payload: %v", m.Offset, err)
		}
		if len(m.Headers)%2 != 0 {
			return nil, fmt.Errorf("offset %d: odd headers array", m.Offset)
		}
		for i := 0; i < len(m.Headers); i += 2 {
			k, err := yajlString(m.Headers[i])
			if err != nil || k == nil {
				return nil, fmt.Errorf("offset %d: header key %s: %v", m.Offset, m.Headers[i], err)
			}
			v, err := yajlString(m.Headers[i+1])
			if err != nil {
				return nil, fmt.Errorf("offset %d: header %s: %v", m.Offset, k, err)
			}
			r.Headers = append(r.Headers, Header{Key: string(k), Value: v})
		}
		recs = append(recs, r)
	}
}

// yajlString decodes a JSON string as kcat's yajl writes it, byte for byte:
// bytes that are not UTF-8 stay as they are (encoding/json would replace
// them). null is nil; "" is empty and non-nil.
func yajlString(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, fmt.Errorf("not a string: %.40q", raw)
	}
	s := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("string ends in a backslash")
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := unicodeEscape(s[i+1:])
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i += n
		default:
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return out, nil
}

// unicodeEscape reads the XXXX of \uXXXX (and a following \uXXXX low
// surrogate) and returns the rune and how many bytes it used.
func unicodeEscape(s []byte) (rune, int, error) {
	hex := func(b []byte) (rune, error) {
		if len(b) < 4 {
			return 0, errors.New("short \\u escape")
		}
		v, err := strconv.ParseUint(string(b[:4]), 16, 16)
		return rune(v), err
	}
	r, err := hex(s)
	if err != nil {
		return 0, 0, err
	}
	if utf16.IsSurrogate(r) && len(s) >= 10 && s[4] == '\\' && s[5] == 'u' {
		if r2, err := hex(s[6:]); err == nil {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 10, nil
			}
		}
	}
	return r, 4, nil
}

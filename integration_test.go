package rawkafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// Integration tests: the real broker of internal/kafkatest, records written
// by independent producers (the Java client, kcat), every record compared
// field by field.

// testLog logs to t at debug level with RAWKAFKA_TEST_LOG set, else warnings.
func testLog(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("RAWKAFKA_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	w := &tWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type tWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *tWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

func newTestConsumer(t *testing.T, props map[string]string) *Consumer {
	t.Helper()
	p := map[string]string{"bootstrap.servers": kafkatest.Brokers(t), "fetch.max.wait.ms": "200"}
	for k, v := range props {
		p[k] = v
	}
	cfg, err := ParseConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = testLog(t)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// copied is a record copied out of Poll's memory, in kafkatest's shape.
func copied(r *Record) kafkatest.ExpectedRecord {
	e := kafkatest.ExpectedRecord{Partition: r.Partition, Offset: r.Offset, Key: bytes.Clone(r.Key), Value: bytes.Clone(r.Value),
		Timestamp: r.Timestamp.UnixMilli()}
	for _, h := range r.Headers {
		e.Headers = append(e.Headers, kafkatest.Header{Key: string(h.Key), Value: bytes.Clone(h.Value)})
	}
	return e
}

// consume polls until n records arrived, returning them by partition.
func consume(t *testing.T, c *Consumer, n int) (map[int32][]kafkatest.ExpectedRecord, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[int32][]kafkatest.ExpectedRecord{}
	var errs []error
	got := 0
	for got < n {
		fs, err := c.Poll(ctx)
		if err != nil {
			t.Fatalf("poll: %v after %d of %d records", err, got, n)
		}
		errs = append(errs, fs.Errors...)
		for r := range fs.Records() {
			out[r.Partition] = append(out[r.Partition], copied(r))
			got++
		}
	}
	return out, errs
}

// same compares consumed records with what a producer wrote: offset, key,
// value (null and empty kept apart), headers, timestamp.
func same(t *testing.T, what string, got, want []kafkatest.ExpectedRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Offset != w.Offset || g.Partition != w.Partition || !eqBytes(g.Key, w.Key) || !eqBytes(g.Value, w.Value) ||
			g.Timestamp != w.Timestamp || !eqHeaders(g.Headers, w.Headers) {
			t.Fatalf("%s: record %d:\n got %+v\nwant %+v", what, i, g, w)
		}
	}
}

func eqBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func eqHeaders(a, b []kafkatest.Header) bool {
	return slices.EqualFunc(a, b, func(x, y kafkatest.Header) bool { return x.Key == y.Key && eqBytes(x.Value, y.Value) })
}

func tps(topic string, n int, s StartPosition) map[TopicPartition]StartPosition {
	m := map[TopicPartition]StartPosition{}
	for p := range n {
		m[TopicPartition{Topic: topic, Partition: int32(p)}] = s
	}
	return m
}

// TestIntegrationEveryRecord reads what the Java producer wrote with every
// codec, one partition per codec, and compares every record.
func TestIntegrationEveryRecord(t *testing.T) {
	codecs := kafkatest.Codecs
	if testing.Short() {
		codecs = []string{"zstd"}
	}
	topic := kafkatest.CreateTopic(t, "", len(codecs), 1)
	want := map[int32][]kafkatest.ExpectedRecord{}
	total := 0
	for i, codec := range codecs {
		want[int32(i)] = kafkatest.ProduceJava(t, topic, int32(i), codec, 60)
		total += len(want[int32(i)])
	}
	c := newTestConsumer(t, map[string]string{"max.poll.records": "7", "max.partition.fetch.bytes": "2000"})
	if err := c.Assign(tps(topic, len(codecs), Earliest)); err != nil {
		t.Fatal(err)
	}
	got, errs := consume(t, c, total)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	for i, codec := range codecs {
		same(t, codec, got[int32(i)], want[int32(i)])
	}
	m := c.Metrics()
	if m.RecordsConsumed != int64(total) || m.FetchRequests == 0 || m.SessionResets != 0 || m.FetchErrors != 0 || m.OffsetResets != 0 {
		t.Fatalf("metrics %+v", m)
	}
	for i := range codecs {
		pm := m.Partitions[TopicPartition{Topic: topic, Partition: int32(i)}]
		if pm.Lag != 0 || pm.Position != pm.HighWatermark || pm.Position != int64(len(want[int32(i)])) {
			t.Fatalf("partition %d metrics %+v", i, pm)
		}
	}
}

// TestIntegrationTransactions: read_committed drops aborted transactions,
// read_uncommitted returns every data record; neither returns markers.
func TestIntegrationTransactions(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	all := kafkatest.ProduceTransactions(t, topic, 0)
	committed := kafkatest.ReadCommitted(all)
	if len(committed) == len(all) {
		t.Fatal("the producer aborted nothing")
	}
	for _, tt := range []struct {
		level string
		want  []kafkatest.ExpectedRecord
	}{{"read_committed", committed}, {"read_uncommitted", all}} {
		t.Run(tt.level, func(t *testing.T) {
			c := newTestConsumer(t, map[string]string{"isolation.level": tt.level, "max.poll.records": "5"})
			c.Assign(tps(topic, 1, Earliest))
			got, errs := consume(t, c, len(tt.want))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			same(t, tt.level, got[0], tt.want)
			// The position ends past the last marker: at the end of the log.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tp := TopicPartition{Topic: topic, Partition: 0}
			for {
				pos, err := c.Position(ctx, tp)
				if err != nil {
					t.Fatal(err)
				}
				if hw := c.Metrics().Partitions[tp].HighWatermark; pos == hw && hw > all[len(all)-1].Offset {
					break
				}
				fs, err := c.Poll(ctx)
				if err != nil {
					t.Fatalf("position %d never reached the end: %v", pos, err)
				}
				if n := fs.NumRecords(); n > 0 {
					t.Fatalf("%d extra records", n)
				}
			}
		})
	}
}

// TestIntegrationSeekPauseResume uses kcat's records.
func TestIntegrationSeekPauseResume(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	w0 := kafkatest.ProduceKcat(t, topic, 0, "none", 20)
	w1 := kafkatest.ProduceKcat(t, topic, 1, "lz4", 20)
	c := newTestConsumer(t, map[string]string{"max.poll.records": "4"})
	p0, p1 := TopicPartition{Topic: topic, Partition: 0}, TopicPartition{Topic: topic, Partition: 1}
	c.Assign(map[TopicPartition]StartPosition{p0: Earliest})
	got, _ := consume(t, c, 20)
	same(t, "p0", got[0], w0)

	// Seek back: the records come again from there.
	if err := c.Seek(p0, At(5)); err != nil {
		t.Fatal(err)
	}
	got, _ = consume(t, c, 15)
	same(t, "p0 after seek", got[0], w0[5:])

	// Add p1 paused: nothing of it until resumed, while p0 keeps going.
	c.Assign(map[TopicPartition]StartPosition{p0: Earliest, p1: Earliest})
	if err := c.Pause(p1); err != nil {
		t.Fatal(err)
	}
	c.Seek(p0, At(18))
	got, _ = consume(t, c, 2)
	if len(got[1]) != 0 {
		t.Fatalf("records of paused p1: %v", got[1])
	}
	same(t, "p0 at 18", got[0], w0[18:])
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	fs, err := c.Poll(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || fs.NumRecords() != 0 {
		t.Fatalf("poll with p1 paused: %d records, %v", fs.NumRecords(), err)
	}
	if err := c.Resume(p1); err != nil {
		t.Fatal(err)
	}
	got, _ = consume(t, c, 20)
	same(t, "p1", got[1], w1)

	// Unassigning p0 leaves p1 reading.
	c.Assign(map[TopicPartition]StartPosition{p1: Earliest})
	more := kafkatest.ProduceKcat(t, topic, 1, "none", 3)
	got, _ = consume(t, c, 3)
	if len(got[0]) != 0 || len(got[1]) != 3 || got[1][0].Offset != 20 || !eqBytes(got[1][0].Value, more[0].Value) {
		t.Fatalf("after unassigning p0: %v", got)
	}
}

func TestIntegrationStartPositions(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	w := kafkatest.ProduceKcat(t, topic, 0, "snappy", 12)
	tp := TopicPartition{Topic: topic, Partition: 0}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Latest: only what is written afterwards.
	c := newTestConsumer(t, nil)
	c.Assign(map[TopicPartition]StartPosition{tp: Latest})
	if pos, err := c.Position(ctx, tp); err != nil || pos != 12 {
		t.Fatalf("latest: position %d, %v", pos, err)
	}
	kafkatest.Produce(t, kafkatest.Brokers(t), topic, kafkatest.Record{Key: []byte("new"), Value: []byte("record"), Partition: 0})
	got, _ := consume(t, c, 1)
	if g := got[0]; len(g) != 1 || g[0].Offset != 12 || string(g[0].Value) != "record" {
		t.Fatalf("latest: %v", g)
	}

	// A timestamp: the first record at or after it.
	ts := w[7].Timestamp
	first := slices.IndexFunc(w, func(r kafkatest.ExpectedRecord) bool { return r.Timestamp >= ts })
	c2 := newTestConsumer(t, nil)
	c2.Assign(map[TopicPartition]StartPosition{tp: AtTime(time.UnixMilli(ts))})
	got, _ = consume(t, c2, 12-first) // and perhaps offset 12, written above
	same(t, "timestamp", got[0][:12-first], w[first:])

	// by_duration as the reset policy: the last hour holds everything.
	c3 := newTestConsumer(t, map[string]string{"auto.offset.reset": "by_duration:PT1H"})
	c3.Assign(map[TopicPartition]StartPosition{tp: Default})
	got, _ = consume(t, c3, 12)
	same(t, "by_duration", got[0][:12], w)

	// A timestamp after every record: the end.
	c4 := newTestConsumer(t, nil)
	c4.Assign(map[TopicPartition]StartPosition{tp: AtTime(time.Now().Add(time.Hour))})
	if pos, err := c4.Position(ctx, tp); err != nil || pos != 13 {
		t.Fatalf("future timestamp: position %d, %v", pos, err)
	}

	// None: an error until Seek.
	c5 := newTestConsumer(t, nil)
	c5.Assign(map[TopicPartition]StartPosition{tp: None})
	fs, err := c5.Poll(ctx)
	if err != nil || !errors.Is(fs.Err(), ErrNoOffset) {
		t.Fatalf("none: %v, %v", err, fs.Err())
	}
	c5.Seek(tp, At(10))
	got, _ = consume(t, c5, 2)
	same(t, "none then seek", got[0][:2], w[10:])

	// The iterator.
	c6 := newTestConsumer(t, nil)
	c6.Assign(map[TopicPartition]StartPosition{tp: At(3)})
	var it []kafkatest.ExpectedRecord
	for r, err := range c6.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		it = append(it, copied(r))
		if len(it) == 5 {
			break
		}
	}
	same(t, "iterator", it, w[3:8])
}

func TestIntegrationOutOfRange(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	w := kafkatest.ProduceKcat(t, topic, 0, "gzip", 6)
	tp := TopicPartition{Topic: topic, Partition: 0}

	c := newTestConsumer(t, map[string]string{"auto.offset.reset": "earliest"})
	c.Assign(map[TopicPartition]StartPosition{tp: At(1000)})
	got, _ := consume(t, c, 6)
	same(t, "reset to earliest", got[0], w)
	if m := c.Metrics(); m.OffsetResets != 1 {
		t.Fatalf("offset resets %d", m.OffsetResets)
	}

	c2 := newTestConsumer(t, map[string]string{"auto.offset.reset": "none"})
	c2.Assign(map[TopicPartition]StartPosition{tp: At(1000)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fs, err := c2.Poll(ctx)
	if err != nil || !errors.Is(fs.Err(), protocol.ErrOffsetOutOfRange) {
		t.Fatalf("reset none: %v, %v", err, fs.Err())
	}
	if _, err := c2.Position(ctx, tp); !errors.Is(err, protocol.ErrOffsetOutOfRange) {
		t.Fatalf("position: %v", err)
	}
	c2.Seek(tp, Earliest)
	got, _ = consume(t, c2, 6)
	same(t, "after seek", got[0], w)
}

// TestIntegrationSecurity reads over SASL (PLAIN via sasl.jaas.config,
// SCRAM) and TLS.
func TestIntegrationSecurity(t *testing.T) {
	e := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	w := kafkatest.ProduceKcat(t, topic, 0, "none", 3)
	for _, tt := range []struct {
		name  string
		props map[string]string
	}{
		{"plain-jaas", map[string]string{"bootstrap.servers": kafkatest.SASLBrokers(t), "security.protocol": "SASL_PLAINTEXT",
			"sasl.jaas.config": fmt.Sprintf(`org.apache.kafka.common.security.plain.PlainLoginModule required username="%s" password="%s";`, e.Plain.User, e.Plain.Password)}},
		{"scram-512", map[string]string{"bootstrap.servers": kafkatest.SASLBrokers(t), "security.protocol": "SASL_PLAINTEXT",
			"sasl.mechanism": "SCRAM-SHA-512", "sasl.username": e.Scram512.User, "sasl.password": e.Scram512.Password}},
		{"ssl", map[string]string{"bootstrap.servers": e.SSLBootstrap, "security.protocol": "SSL", "ssl.ca.location": e.CAFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.props["bootstrap.servers"] == "" {
				t.Skip("listener unknown")
			}
			c := newTestConsumer(t, tt.props)
			c.Assign(map[TopicPartition]StartPosition{{Topic: topic, Partition: 0}: Earliest})
			got, errs := consume(t, c, 3)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			same(t, tt.name, got[0], w)
		})
	}
}

// clusterMetadata returns a cluster view of the test broker, closed when
// the test ends, and its metadata.
func clusterMetadata(ctx context.Context, t *testing.T, e *kafkatest.Env) (*conn.Cluster, *conn.Metadata) {
	t.Helper()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	md, err := cl.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cl, md
}

// TestIntegrationFollowerFetching needs a cluster whose brokers have racks
// and the rack-aware replica selector (scripts/kafka start --nodes 3): a
// consumer in a follower's rack reads from that follower (KIP-392).
func TestIntegrationFollowerFetching(t *testing.T) {
	e := kafkatest.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, md := clusterMetadata(ctx, t, e)
	racks := 0
	for _, b := range md.Brokers {
		if b.Rack != "" {
			racks++
		}
	}
	if len(md.Brokers) < 2 || racks < len(md.Brokers) {
		t.Skipf("needs brokers with racks (scripts/kafka start --nodes 3); this cluster has %d brokers, %d with a rack", len(md.Brokers), racks)
	}
	topic := kafkatest.CreateTopic(t, "", 1, len(md.Brokers))
	w := kafkatest.ProduceKcat(t, topic, 0, "none", 10)
	md, err := cl.Metadata(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := md.Partition(topic, 0)
	follower := int32(-1)
	for _, r := range p.Replicas {
		if r != p.Leader {
			follower = r
		}
	}
	c := newTestConsumer(t, map[string]string{"bootstrap.servers": e.Bootstrap, "client.rack": md.Brokers[follower].Rack})
	tp := TopicPartition{Topic: topic, Partition: 0}
	c.Assign(map[TopicPartition]StartPosition{tp: Earliest})
	got, errs := consume(t, c, 10)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	same(t, "from the follower", got[0], w)
	// The records may come before the leader names the replica: read on
	// until the fetches go to the follower.
	deadline := time.Now().Add(30 * time.Second)
	for c.Metrics().Partitions[tp].PreferredReplica != follower {
		if time.Now().After(deadline) {
			t.Fatalf("never fetched from follower %d (leader %d): %+v", follower, p.Leader, c.Metrics().Partitions[tp])
		}
		pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		c.Poll(pctx)
		pcancel()
	}
	more := kafkatest.ProduceKcat(t, topic, 0, "none", 4)
	got, _ = consume(t, c, 4)
	if len(got[0]) != 4 || got[0][0].Offset != 10 || !eqBytes(got[0][3].Value, more[3].Value) {
		t.Fatalf("records from the follower: %v", got[0])
	}
}

// TestIntegrationCommittedStart: a partition assigned at Committed starts
// where the Java tools committed the group's offset, and one the group
// committed nothing for starts where auto.offset.reset says; without a
// group.id, Assign refuses Committed.
func TestIntegrationCommittedStart(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	w0 := kafkatest.ProduceKcat(t, topic, 0, "none", 10)
	w1 := kafkatest.ProduceKcat(t, topic, 1, "none", 4)
	group := kafkatest.TopicName(t) + "-group"
	kafkatest.CommitOffset(t, group, topic, 0, 7)
	c := newTestConsumer(t, map[string]string{"group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": "false"})
	if err := c.Assign(tps(topic, 2, Committed)); err != nil {
		t.Fatal(err)
	}
	got, errs := consume(t, c, 3+4)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	same(t, "partition 0, from the committed offset", got[0], w0[7:])
	same(t, "partition 1, nothing committed: earliest", got[1], w1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tp0, tp1 := TopicPartition{Topic: topic, Partition: 0}, TopicPartition{Topic: topic, Partition: 1}
	co, err := c.Committed(ctx, tp0, tp1)
	if err != nil || co[tp0].Offset != 7 || co[tp1].Offset != -1 {
		t.Fatalf("Committed: %+v, %v; want 7 and -1 (without auto-commit, Assign and Poll commit nothing)", co, err)
	}

	plain := newTestConsumer(t, nil)
	if err := plain.Assign(tps(topic, 1, Committed)); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("Assign(Committed) without group.id: %v, want ErrNoGroup", err)
	}
	if _, err := plain.Committed(ctx, tp0); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("Committed without group.id: %v, want ErrNoGroup", err)
	}
}

// TestIntegrationCommit: under auto-commit the consumer commits its
// positions in Poll and at Close, with the leader epoch of the last record;
// kcat -o stored continues from there; Commit stores an offset with
// metadata; CommitConsumed commits the positions.
func TestIntegrationCommit(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	w0 := kafkatest.ProduceKcat(t, topic, 0, "none", 6)
	kafkatest.ProduceKcat(t, topic, 1, "none", 4)
	group := kafkatest.TopicName(t) + "-group"
	tp0, tp1 := TopicPartition{Topic: topic, Partition: 0}, TopicPartition{Topic: topic, Partition: 1}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	c := newTestConsumer(t, map[string]string{"group.id": group, "auto.offset.reset": "earliest", "auto.commit.interval.ms": "50"})
	if err := c.Assign(tps(topic, 2, Committed)); err != nil {
		t.Fatal(err)
	}
	if _, errs := consume(t, c, 10); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	for { // Poll is where auto-commits start
		co, err := c.Committed(ctx, tp0, tp1)
		if err == nil && co[tp0].Offset == 6 && co[tp1].Offset == 4 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no auto-commit of both positions: %+v, %v", co, err)
		}
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		c.Poll(short)
		cancel()
	}
	co, _ := c.Committed(ctx, tp0)
	if co[tp0].LeaderEpoch != 0 {
		t.Errorf("committed leader epoch %d, want 0 (the epoch of record 5)", co[tp0].LeaderEpoch)
	}
	kafkatest.ProduceKcat(t, topic, 0, "none", 2)
	if _, errs := consume(t, c, 2); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	c.Close() // commits 8 for partition 0
	got := kafkatest.ConsumeKcatStored(t, topic, group)
	if len(got) != 0 {
		t.Fatalf("kcat -o stored after Close read %d records (first offset %d), want none", len(got), got[0].Offset)
	}

	m := newTestConsumer(t, map[string]string{"group.id": group, "enable.auto.commit": "false"})
	if err := m.Commit(ctx, map[TopicPartition]CommittedOffset{tp0: {Offset: 3, LeaderEpoch: -1, Metadata: "by hand"}}); err != nil {
		t.Fatal(err)
	}
	if co, err := m.Committed(ctx, tp0, tp1); err != nil || co[tp0].Offset != 3 || co[tp0].Metadata != "by hand" || co[tp1].Offset != 4 {
		t.Fatalf("after Commit: %+v, %v", co, err)
	}
	m.Assign(map[TopicPartition]StartPosition{tp0: Committed})
	first, errs := consume(t, m, 5)
	if len(errs) > 0 || first[0][0].Offset != w0[3].Offset {
		t.Fatalf("from the committed offset 3: %v, %v", first[0], errs)
	}
	if err := m.CommitConsumed(ctx); err != nil {
		t.Fatal(err)
	}
	if co, err := m.Committed(ctx, tp0); err != nil || co[tp0].Offset != 8 {
		t.Fatalf("after CommitConsumed: %+v, %v; want 8", co, err)
	}
	if err := newTestConsumer(t, nil).CommitConsumed(ctx); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("CommitConsumed without group.id: %v", err)
	}
}

// TestIntegrationListOffsets: BeginningOffsets, EndOffsets and
// OffsetsForTimes against what kcat wrote, a time after the last record,
// and a partition that does not exist.
func TestIntegrationListOffsets(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	w := kafkatest.ProduceKcat(t, topic, 0, "none", 6)
	c := newTestConsumer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tp0, tp1 := TopicPartition{Topic: topic, Partition: 0}, TopicPartition{Topic: topic, Partition: 1}
	begin, err := c.BeginningOffsets(ctx, tp0, tp1)
	if err != nil || begin[tp0] != 0 || begin[tp1] != 0 || len(begin) != 2 {
		t.Fatalf("BeginningOffsets: %v, %v", begin, err)
	}
	end, err := c.EndOffsets(ctx, tp0, tp1)
	if err != nil || end[tp0] != 6 || end[tp1] != 0 {
		t.Fatalf("EndOffsets: %v, %v; want 6 and 0", end, err)
	}
	// kcat stamps records with the time it sends them: several may share
	// one. The answer is the first record at or after the time.
	at := time.UnixMilli(w[3].Timestamp)
	first := slices.IndexFunc(w, func(r kafkatest.ExpectedRecord) bool { return r.Timestamp >= w[3].Timestamp })
	got, err := c.OffsetsForTimes(ctx, map[TopicPartition]time.Time{tp0: at, tp1: at})
	if err != nil || got[tp0].Offset != w[first].Offset || got[tp0].Timestamp.UnixMilli() != w[first].Timestamp || got[tp1].Offset != -1 {
		t.Fatalf("OffsetsForTimes(%d): %+v, %v; want offset %d on partition 0, none on 1", w[3].Timestamp, got, err, w[first].Offset)
	}
	last := w[0].Timestamp
	for _, r := range w {
		last = max(last, r.Timestamp)
	}
	later := time.UnixMilli(last + 1)
	if got, err = c.OffsetsForTimes(ctx, map[TopicPartition]time.Time{tp0: later}); err != nil || got[tp0].Offset != -1 {
		t.Fatalf("OffsetsForTimes after the last record: %+v, %v; want -1", got, err)
	}
	short, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	if _, err := c.EndOffsets(short, TopicPartition{Topic: topic, Partition: 9}); !errors.Is(err, context.DeadlineExceeded) ||
		!strings.Contains(err.Error(), "UNKNOWN_TOPIC_OR_PARTITION") {
		t.Fatalf("EndOffsets of a partition that does not exist: %v", err)
	}
}

// readTenOfTwenty creates a one-partition topic on replicas brokers, writes
// 20 records with kcat and reads the first 10 with a new consumer, which
// goes on from there.
func readTenOfTwenty(t *testing.T, e *kafkatest.Env, replicas int) (*Consumer, TopicPartition, []kafkatest.ExpectedRecord) {
	t.Helper()
	topic := kafkatest.CreateTopic(t, "", 1, replicas)
	w := kafkatest.ProduceKcat(t, topic, 0, "none", 20)
	c := newTestConsumer(t, map[string]string{"bootstrap.servers": e.Bootstrap, "max.poll.records": "10"})
	tp := TopicPartition{Topic: topic, Partition: 0}
	c.Assign(map[TopicPartition]StartPosition{tp: Earliest})
	got, _ := consume(t, c, 10)
	same(t, "before", got[0], w[:10])
	return c, tp, w
}

// TestIntegrationLeaderMoved moves a partition's leadership to another
// replica in the middle of reading it (a reassignment that reorders the
// replicas, then a preferred leader election, with Kafka's own tools): the
// old leader answers NOT_LEADER_OR_FOLLOWER naming the new one (KIP-951),
// and the consumer follows the hint without losing or repeating a record.
// It needs more than one broker (scripts/kafka start --nodes 3).
func TestIntegrationLeaderMoved(t *testing.T) {
	e := kafkatest.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, md := clusterMetadata(ctx, t, e)
	if len(md.Brokers) < 2 {
		t.Skipf("needs more than one broker (scripts/kafka start --nodes 3); this cluster has %d", len(md.Brokers))
	}
	c, tp, w := readTenOfTwenty(t, e, len(md.Brokers))
	topic := tp.Topic
	md, err := cl.Metadata(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := md.Partition(topic, 0)
	to := p.Replicas[0]
	if to == p.Leader {
		to = p.Replicas[1]
	}
	t.Logf("moving the leadership of %s from broker %d to %d (replicas %v)", tp, p.Leader, to, p.Replicas)
	kafkatest.MoveLeader(t, topic, 0, p.Replicas, to)
	more := kafkatest.ProduceKcat(t, topic, 0, "none", 10)
	rest, errs := consume(t, c, 20)
	same(t, "after the move", rest[0], append(w[10:20:20], more...))
	m := c.Metrics()
	t.Logf("leader %d -> %d; leader hints %d, fetch errors %d, resets %d, truncations %d; errors %v", p.Leader,
		m.Partitions[tp].Leader, m.LeaderHints, m.FetchErrors, m.OffsetResets, m.Truncations, errs)
	if m.Partitions[tp].Leader != to || m.LeaderHints == 0 || m.OffsetResets != 0 || m.Truncations != 0 {
		t.Fatalf("want the consumer on broker %d through a leader hint: metrics %+v", to, m)
	}
}

// TestIntegrationLeaderChange stops the leader of a partition in the middle
// of reading it, on a 3-node cluster of scripts/kafka, and starts it again.
// It disturbs the cluster, so it runs only with RAWKAFKA_TEST_DISRUPTIVE=1
// and RAWKAFKA_KAFKA_DIR naming that cluster's state directory.
func TestIntegrationLeaderChange(t *testing.T) {
	dir := os.Getenv("RAWKAFKA_KAFKA_DIR")
	if os.Getenv("RAWKAFKA_TEST_DISRUPTIVE") != "1" || dir == "" {
		t.Skip("stops a broker: set RAWKAFKA_TEST_DISRUPTIVE=1 and RAWKAFKA_KAFKA_DIR of a 3-node scripts/kafka cluster")
	}
	e := kafkatest.Get(t)
	c, tp, w := readTenOfTwenty(t, e, 3)
	topic := tp.Topic
	leader := c.Metrics().Partitions[tp].Leader
	stopNode(t, dir, leader) // started again at the test's end
	more := kafkatest.ProduceKcat(t, topic, 0, "none", 10)
	rest, errs := consume(t, c, 20)
	same(t, "after the leader stopped", rest[0], append(w[10:20:20], more...))
	m := c.Metrics()
	t.Logf("leader %d -> %d; leader hints %d, fetch errors %d, resets %d, truncations %d; errors %v", leader,
		m.Partitions[tp].Leader, m.LeaderHints, m.FetchErrors, m.OffsetResets, m.Truncations, errs)
	if m.Partitions[tp].Leader == leader || m.OffsetResets != 0 || m.Truncations != 0 {
		t.Fatalf("metrics %+v", m.Partitions[tp])
	}
}

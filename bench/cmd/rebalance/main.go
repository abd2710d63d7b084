// Command rebalance measures what an eager rebalance of a rawkafka consumer
// group costs while records stream in, against a running broker.
//
// Each run: -members rawkafka Consumers (one process, each its own
// Consumer and poll loop; the first is a static member) subscribe to a
// topic of -partitions partitions that a franz-go producer writes -rate
// records/s to, spread evenly; once every partition is owned and fetched,
// one more member joins. Measured from that member's Subscribe (its
// JoinGroup): when each member had its new assignment (OnAssigned) and its
// first record after it, and the longest time any partition went without a
// record reaching any member across the rebalance. Then the static member
// is closed (no LeaveGroup) and a new Consumer with the same
// group.instance.id subscribes: the time from New to its first record, the
// generation before and after (equal: no rebalance), and the longest time
// one of its partitions went without a record.
//
//	rebalance -brokers 127.0.0.1:9092 -runs 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/bench/internal/stream"
)

var (
	brokers     = flag.String("brokers", "127.0.0.1:9092", "bootstrap servers")
	members     = flag.Int("members", 10, "members before the join")
	partitions  = flag.Int("partitions", 100, "partitions of the topic")
	rate        = flag.Int("rate", 2000, "records per second produced, over all partitions")
	runs        = flag.Int("runs", 1, "runs, each with a group of its own on the same topic")
	session     = flag.Int("session-timeout-ms", 45000, "session.timeout.ms")
	heartbeat   = flag.Int("heartbeat-interval-ms", 3000, "heartbeat.interval.ms")
	maxWait     = flag.Int("fetch-max-wait-ms", 500, "fetch.max.wait.ms")
	pollRecords = flag.Int("max-poll-records", 500, "max.poll.records")
	pollTimeout = flag.Duration("poll-timeout", time.Second, "the context timeout of each Poll")
	strategy    = flag.String("strategy", "range", "partition.assignment.strategy (eager: range or roundrobin)")
	timeout     = flag.Duration("timeout", 90*time.Second, "give up on a step after this long")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rebalance:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	bs := strings.Split(*brokers, ",")
	st, err := stream.Start(ctx, bs, "rawkafka-bench-rebalance", *partitions, *rate)
	if err != nil {
		return err
	}
	defer st.Close()
	topic, p := st.Topic, st.Producer

	fmt.Printf("topic %s: %d partitions, %d records/s; %d members + 1 joining; %s; session.timeout.ms=%d heartbeat.interval.ms=%d fetch.max.wait.ms=%d max.poll.records=%d, Poll timeout %v\n",
		topic, *partitions, *rate, *members, *strategy, *session, *heartbeat, *maxWait, *pollRecords, *pollTimeout)
	var results []result
	for i := range *runs {
		r, err := oneRun(ctx, bs, topic, i, p)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		if err := p.Failed(); err != nil {
			return fmt.Errorf("producer: %w", err)
		}
		results = append(results, r)
		printRun(i+1, r)
	}
	printSummary(results)
	return nil
}

// result is one run's figures, durations from the event that starts each
// measurement.
type result struct {
	// The join, from the new member's Subscribe.
	firstRevoked  time.Duration // the first old member's OnRevoked (it heard of the rebalance and stopped fetching)
	lastRevoked   time.Duration // the last old member's OnRevoked
	allAssigned   time.Duration // every member's OnAssigned of the new generation
	allFetching   time.Duration // every member's first record after that
	newFirst      time.Duration // the new member's first record
	joinGap       time.Duration // the longest a partition went without a record, across the join
	steadyGap     time.Duration // the same, over the seconds before the join
	steadyLatency time.Duration // the longest from a record's timestamp to its Poll, before the join
	steadyMade    time.Duration // the longest between two records' timestamps of a partition, before the join
	steadyAck     time.Duration // the producer's longest acknowledgement, before the join
	allParts      time.Duration // every partition's first record after every member's OnAssigned
	genBefore     int32
	genAfter      int32
	staticClose   time.Duration // Close of the static member
	staticAssign  time.Duration // New of the restarted one to its OnAssigned
	staticFirst   time.Duration // New of the restarted one to its first record
	staticGap     time.Duration // the longest one of its partitions went without a record, from Close
	staticGenPre  int32
	staticGenPost int32
	othersRevoked int // OnRevoked calls of the other members during the restart
}

func oneRun(ctx context.Context, bs []string, topic string, n int, p *stream.Producer) (result, error) {
	var r result
	group := fmt.Sprintf("%s-g%d", topic, n)
	tr := newTracker(*partitions)
	var ms []*member
	defer func() {
		for _, m := range ms {
			m.close()
		}
	}()
	for i := range *members {
		instance := ""
		if i == 0 {
			instance = group + "-static"
		}
		m, err := startMember(bs, group, instance, topic, fmt.Sprintf("m%d", i), tr)
		if err != nil {
			return r, err
		}
		ms = append(ms, m)
	}
	// Settled: one generation, every partition owned, each fetched lately.
	if err := waitUntil(*timeout, "the group to settle", func() bool { return settled(ms, *partitions, tr) }); err != nil {
		return r, err
	}
	// Join at a random moment of the members' heartbeat cycles, which
	// decide when they hear of the rebalance.
	time.Sleep(3*time.Second + rand.N(time.Duration(*heartbeat)*time.Millisecond))
	r.genBefore = ms[0].c.GroupMetadata().GenerationID

	cfg, err := config(bs, group, "", "new")
	if err != nil {
		return r, err
	}
	nc, err := rawkafka.New(cfg)
	if err != nil {
		return r, err
	}
	nm := newMember(nc, "new", tr)
	ms = append(ms, nm)
	t0 := time.Now()
	r.steadyGap = tr.longestGap(t0.Add(-3*time.Second), t0)
	r.steadyLatency, r.steadyMade = tr.latest(t0.Add(-3*time.Second), t0)
	r.steadyAck = p.Slowest(t0.Add(-3*time.Second), t0)
	if err := nc.Subscribe([]string{topic}, nm.listener()); err != nil {
		return r, err
	}
	go nm.poll()
	if err := waitUntil(*timeout, "every member to fetch after the join", func() bool {
		for _, m := range ms {
			if _, ok := m.firstRecordAfterAssign(t0); !ok {
				return false
			}
		}
		return true
	}); err != nil {
		return r, err
	}
	r.firstRevoked = *timeout
	for _, m := range ms {
		a, _ := m.assignedAfter(t0)
		f, _ := m.firstRecordAfterAssign(t0)
		r.allAssigned = max(r.allAssigned, a.Sub(t0))
		r.allFetching = max(r.allFetching, f.Sub(t0))
		if m == nm {
			r.newFirst = f.Sub(t0)
		} else if rv, ok := m.revokedAfter(t0); ok {
			r.lastRevoked = max(r.lastRevoked, rv.Sub(t0))
			r.firstRevoked = min(r.firstRevoked, rv.Sub(t0))
		}
	}
	if err := waitUntil(*timeout, "every partition's first record after the join", func() bool {
		return tr.allSince(t0.Add(r.allAssigned))
	}); err != nil {
		return r, err
	}
	r.allParts = tr.firstAfterAll(t0.Add(r.allAssigned)).Sub(t0)
	time.Sleep(time.Second)
	r.joinGap = tr.longestGap(t0, t0.Add(r.allFetching))
	r.genAfter = nm.c.GroupMetadata().GenerationID
	if err := allFailed(ms); err != nil {
		return r, err
	}

	// The static member's restart.
	old := ms[0]
	owned := old.c.Assignment()
	r.staticGenPre = old.c.GroupMetadata().GenerationID
	ts := time.Now()
	old.close()
	r.staticClose = time.Since(ts)
	revokedBefore := 0
	for _, m := range ms[1:] {
		revokedBefore += m.revokes()
	}
	cfg, err = config(bs, group, group+"-static", "m0b")
	if err != nil {
		return r, err
	}
	t1 := time.Now()
	sc, err := rawkafka.New(cfg)
	if err != nil {
		return r, err
	}
	sm := newMember(sc, "m0b", tr)
	ms[0] = sm
	if err := sc.Subscribe([]string{topic}, sm.listener()); err != nil {
		return r, err
	}
	go sm.poll()
	if err := waitUntil(*timeout, "the restarted static member's first record", func() bool {
		_, ok := sm.firstRecordAfterAssign(t1)
		return ok
	}); err != nil {
		return r, err
	}
	a, _ := sm.assignedAfter(t1)
	f, _ := sm.firstRecordAfterAssign(t1)
	r.staticAssign, r.staticFirst = a.Sub(t1), f.Sub(t1)
	time.Sleep(2 * time.Second)
	r.staticGap = tr.longestGapOf(owned, ts, f)
	r.staticGenPost = sc.GroupMetadata().GenerationID
	for _, m := range ms[1:] {
		r.othersRevoked += m.revokes()
	}
	r.othersRevoked -= revokedBefore
	if got := sc.Assignment(); !slices.Equal(sortTPs(got), sortTPs(owned)) {
		fmt.Printf("  note: the restarted static member owns %d partitions, it owned %d before\n", len(got), len(owned))
	}
	return r, allFailed(ms)
}

func sortTPs(tps []rawkafka.TopicPartition) []rawkafka.TopicPartition {
	tps = slices.Clone(tps)
	slices.SortFunc(tps, rawkafka.TopicPartition.Compare)
	return tps
}

// config is a member's Config: the Java consumer's defaults but for the
// flags' settings.
func config(bs []string, group, instance, name string) (rawkafka.Config, error) {
	props := map[string]string{
		"bootstrap.servers":             strings.Join(bs, ","),
		"group.id":                      group,
		"client.id":                     name,
		"auto.offset.reset":             "latest",
		"session.timeout.ms":            strconv.Itoa(*session),
		"heartbeat.interval.ms":         strconv.Itoa(*heartbeat),
		"fetch.max.wait.ms":             strconv.Itoa(*maxWait),
		"max.poll.records":              strconv.Itoa(*pollRecords),
		"partition.assignment.strategy": *strategy,
	}
	if instance != "" {
		props["group.instance.id"] = instance
	}
	return rawkafka.ParseConfig(props)
}

func settled(ms []*member, partitions int, tr *tracker) bool {
	gen := int32(-2)
	owned := 0
	for _, m := range ms {
		md := m.c.GroupMetadata()
		if md.GenerationID < 0 || (gen != -2 && md.GenerationID != gen) {
			return false
		}
		gen = md.GenerationID
		owned += len(m.c.Assignment())
	}
	return owned == partitions && tr.allSince(time.Now().Add(-time.Second))
}

func allFailed(ms []*member) error {
	var errs []error
	for _, m := range ms {
		if err := m.failed(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.name, err))
		}
	}
	return errors.Join(errs...)
}

func waitUntil(d time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

func startMember(bs []string, group, instance, topic, name string, tr *tracker) (*member, error) {
	cfg, err := config(bs, group, instance, name)
	if err != nil {
		return nil, err
	}
	c, err := rawkafka.New(cfg)
	if err != nil {
		return nil, err
	}
	m := newMember(c, name, tr)
	if err := c.Subscribe([]string{topic}, m.listener()); err != nil {
		c.Close()
		return nil, err
	}
	go m.poll()
	return m, nil
}

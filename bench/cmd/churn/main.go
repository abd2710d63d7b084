// Command churn measures, side by side, how rawkafka, franz-go and
// librdkafka (confluent-kafka-go) consumer groups live through a member
// joining, one leaving and one being killed while records stream in.
//
// Each run: -members member processes (this binary re-executed with
// -member, one consumer each, writing JSON lines of its callbacks and of
// when its polls returned records of each partition) of one client and
// one strategy subscribe to a topic of -partitions partitions that a
// franz-go producer writes -rate records/s to, spread evenly. Once the
// group is settled, one member joins; once settled again, one closes
// (LeaveGroup); once settled again, one is killed (SIGKILL). For each
// event: revocations on members that keep their partitions, the longest
// gap between records of a partition that did not move, the time until
// the partitions that moved are fetched by their new owners, and (eager)
// the whole group's pause. BENCHMARKS.md defines each figure.
//
//	churn -brokers 127.0.0.1:29092 -broker-log /tmp/kafka/node-1/server.log -runs 3
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/bench/internal/stream"
)

var (
	brokers    = flag.String("brokers", "127.0.0.1:9092", "bootstrap servers")
	clientList = flag.String("clients", "rawkafka:cooperative-sticky,franz:cooperative-sticky,librdkafka:cooperative-sticky,rawkafka:range,franz:range,librdkafka:range", "client:strategy pairs, comma-separated")
	runs       = flag.Int("runs", 3, "runs of each client:strategy (the order rotates every round)")
	nMembers   = flag.Int("members", 10, "members before the join")
	partitions = flag.Int("partitions", 100, "partitions of the topic")
	rate       = flag.Int("rate", 10000, "records per second produced, over all partitions")
	session    = flag.Int("session-timeout-ms", 6000, "session.timeout.ms")
	heartbeat  = flag.Int("heartbeat-interval-ms", 500, "heartbeat.interval.ms")
	maxWait    = flag.Int("fetch-max-wait-ms", 500, "fetch.max.wait.ms")
	brokerLog  = flag.String("broker-log", "", "the broker's log (scripts/kafka's node-1/server.log): the coordinator's eviction of a killed member is read from it")
	outDir     = flag.String("out", "", "where results.jsonl and the members' stderr go (default: a new directory under /tmp)")
	saveLines  = flag.Bool("save-lines", false, "keep every member's JSON lines in its .jsonl file beside its log")
	debug      = flag.Bool("d", false, "members log their client's debug output to their stderr files")
	quiet      = flag.Duration("quiet", 2*time.Second, "settled: no member's assignment changed for this long")
	timeout    = flag.Duration("timeout", 60*time.Second, "give up on a step after this long")

	// Member mode.
	member   = flag.String("member", "", "run as the member of this name (the driver starts these)")
	client   = flag.String("client", "rawkafka", "member: rawkafka, franz or librdkafka")
	strategy = flag.String("strategy", "cooperative-sticky", "member: partition.assignment.strategy")
	groupID  = flag.String("group", "", "member: group.id")
	topic    = flag.String("topic", "", "member: the topic")
)

func main() {
	flag.Parse()
	var err error
	if *member != "" {
		err = runMember(memberSettings{
			name: *member, client: *client, strategy: *strategy,
			brokers: strings.Split(*brokers, ","), group: *groupID, topic: *topic,
			session: ms(*session), heartbeat: ms(*heartbeat), maxWait: ms(*maxWait), debug: *debug,
		})
	} else {
		err = drive()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(1)
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func errUnknownStrategy(s memberSettings) error {
	return fmt.Errorf("member %s: %s: strategy %q not supported here", s.name, s.client, s.strategy)
}

// config is one client with one strategy.
type config struct{ client, strategy string }

func (c config) eager() bool { return c.strategy != "cooperative-sticky" }

// result is one event of one run.
type result struct {
	Client   string `json:"client"`
	Strategy string `json:"strategy"`
	Run      int    `json:"run"`
	Event    string `json:"event"`
	figures
}

func drive() error {
	var configs []config
	for _, cs := range strings.Split(*clientList, ",") {
		c, s, ok := strings.Cut(strings.TrimSpace(cs), ":")
		if !ok || members[c] == nil {
			return fmt.Errorf("-clients: %q: want client:strategy, client one of rawkafka, franz, librdkafka", cs)
		}
		configs = append(configs, config{c, s})
	}
	if *nMembers < 3 {
		return fmt.Errorf("-members %d: want at least 3 (one leaves, one is killed)", *nMembers)
	}
	dir := *outDir
	if dir == "" {
		dir = fmt.Sprintf("/tmp/rawkafka-churn-%s", time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	resf, err := os.Create(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		return err
	}
	defer resf.Close()

	ctx := context.Background()
	bs := strings.Split(*brokers, ",")
	st, err := stream.Start(ctx, bs, "rawkafka-bench-churn", *partitions, *rate)
	if err != nil {
		return err
	}
	defer st.Close()
	tp, p := st.Topic, st.Producer
	fmt.Printf("topic %s: %d partitions, %d records/s; %d members, then one joins, one leaves, one is killed; session.timeout.ms=%d heartbeat.interval.ms=%d fetch.max.wait.ms=%d; logs in %s\n",
		tp, *partitions, *rate, *nMembers, *session, *heartbeat, *maxWait, dir)

	var all []result
	for r := range *runs {
		for i := range configs {
			c := configs[(i+r)%len(configs)]
			logDir := filepath.Join(dir, fmt.Sprintf("%s-%s-r%d", c.client, c.strategy, r+1))
			rs, err := oneRun(c, tp, r+1, logDir)
			for _, x := range rs {
				json.NewEncoder(resf).Encode(x)
				printResult(x)
			}
			all = append(all, rs...)
			if err != nil {
				fmt.Printf("%s %s run %d: %v (logs in %s)\n", c.client, c.strategy, r+1, err, logDir)
			}
			if err := p.Failed(); err != nil {
				return fmt.Errorf("producer: %w", err)
			}
		}
	}
	fmt.Println()
	printTable(configs, all)
	return nil
}

// oneRun is one group of one client and strategy through the join, the
// leave and the kill.
func oneRun(c config, tp string, n int, logDir string) ([]result, error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	grp := fmt.Sprintf("%s-%s-%s-r%d", tp, c.client, c.strategy, n)
	args := []string{"-client", c.client, "-strategy", c.strategy, "-brokers", *brokers, "-group", grp, "-topic", tp,
		"-session-timeout-ms", fmt.Sprint(*session), "-heartbeat-interval-ms", fmt.Sprint(*heartbeat),
		"-fetch-max-wait-ms", fmt.Sprint(*maxWait), fmt.Sprintf("-d=%v", *debug)}
	g := newGroup(*partitions)
	defer g.stop()
	name := func(i int) string { return fmt.Sprintf("m%d", i) }
	for i := range *nMembers {
		if err := g.start(name(i), args, logDir); err != nil {
			return nil, err
		}
	}
	settle := func(what string) (time.Time, error) {
		if err := waitUntil(what, func() bool { return g.failed() != nil || g.settled(*quiet, time.Second) }); err != nil {
			return time.Time{}, fmt.Errorf("%w: %s", err, g.unsettled(time.Second))
		}
		return time.Now(), g.failed()
	}
	// The events come at a random moment of the members' heartbeat
	// cycles, which decide when they hear of a rebalance.
	phase := func() { time.Sleep(rand.N(ms(*heartbeat))) }
	var out []result
	measure := func(event string, before []string, from, t0, end time.Time) {
		time.Sleep(300 * time.Millisecond) // the members' arrivals up to end are written (every 20 ms) and read
		after, _ := g.owners()
		f := compute(g.snapshot(), before, after, from, t0, end)
		out = append(out, result{c.client, c.strategy, n, event, f})
	}
	if _, err := settle("the group to form"); err != nil {
		return out, err
	}

	// Join: from the new member's start line (just before its client is
	// made: its JoinGroup).
	phase()
	before, _ := g.owners()
	joiner := name(*nMembers)
	from := time.Now()
	if err := g.start(joiner, args, logDir); err != nil {
		return out, err
	}
	end, err := settle("the group to settle after the join")
	if err != nil {
		return out, err
	}
	t0, _ := g.mark(joiner, evStart)
	measure("join", before, from, t0, end)
	out[len(out)-1].Coordinator = coordinatorAfter(grp, t0, "Adding new member")

	// Leave: from the leaving member's Close.
	phase()
	before, _ = g.owners()
	from = time.Now()
	leaver := name(1)
	if err := g.leave(leaver, *timeout); err != nil {
		return out, err
	}
	if end, err = settle("the group to settle after the leave"); err != nil {
		return out, err
	}
	t0, _ = g.mark(leaver, evClose)
	measure("leave", before, from, t0, end)
	out[len(out)-1].Coordinator = coordinatorAfter(grp, t0, "LeaveGroup")

	// Kill: from the coordinator's eviction of the member.
	phase()
	before, _ = g.owners()
	from = g.kill(name(2))
	if end, err = settle("the group to settle after the kill"); err != nil {
		return out, err
	}
	evicted, ok := rebalanceLogged(grp, from, "heartbeat expiration")
	if !ok {
		return out, fmt.Errorf("no eviction of the killed member in -broker-log %q", *brokerLog)
	}
	measure("kill", before, from, evicted, end)
	// The first callback of a survivor after the eviction: when the first
	// member was seen to learn of it.
	for _, ch := range g.snapshot().changes {
		if ch.at.After(from) {
			out[len(out)-1].Coordinator = ch.at.Sub(evicted)
			break
		}
	}
	return out, nil
}

func waitUntil(what string, cond func() bool) error {
	deadline := time.Now().Add(*timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s", *timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

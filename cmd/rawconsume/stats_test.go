package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

func TestStatsArgs(t *testing.T) {
	o, err := parseArgs([]string{"-b", "x:1", "-G", "g", "t", "--stats"})
	if err != nil || !o.stats {
		t.Fatalf("-G --stats: stats %v, err %v", o != nil && o.stats, err)
	}
	for _, args := range [][]string{
		{"-b", "x:1", "-t", "t", "--stats"},
		{"-L", "-b", "x:1", "--stats"},
	} {
		if _, err := parseArgs(args); err == nil || !strings.Contains(err.Error(), "only with -G") {
			t.Errorf("%q: err %v, want --stats refused without -G", args, err)
		}
	}
}

func TestFormatRebalance(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tp := func(p int32) rawkafka.TopicPartition { return rawkafka.TopicPartition{Topic: "t", Partition: p} }
	r := rawkafka.Rebalance{
		Cause: group.CauseRebalanceInProgress, Triggered: at(0), GenerationBefore: 5, GenerationAfter: 6,
		MemberID: "m-1", Leader: true, Assignor: "cooperative-sticky", Protocol: "cooperative", JoinGroups: 1,
		JoinSent: at(1), Joined: at(13), SyncSent: at(14), Synced: at(17), Applied: at(20), Completed: at(420),
		Revoked: []rawkafka.TopicPartition{tp(2)}, Assigned: []rawkafka.TopicPartition{tp(3)}, Kept: []rawkafka.TopicPartition{tp(0)},
		Stalls: []rawkafka.PartitionStall{
			{TopicPartition: tp(0), Change: rawkafka.PartitionKept, Stall: 260 * time.Millisecond},
			{TopicPartition: tp(2), Change: rawkafka.PartitionRevoked, Stall: 42 * time.Millisecond},
			{TopicPartition: tp(3), Change: rawkafka.PartitionAssigned, Stall: 120 * time.Millisecond},
		},
		Complete: true,
	}
	want := "% Group g rebalance: cause rebalance in progress (heartbeat), generation 5 -> 6, memberid m-1, leader, cooperative (cooperative-sticky): " +
		"join 12 ms (1 JoinGroup), sync 3 ms, total 20 ms; revoked 1, lost 0, assigned 1, kept 1; complete 400 ms after the assignment\n" +
		"%   t [0] kept: longest fetch gap 260 ms\n" +
		"%   t [2] revoked: 42 ms from its last fetch to the revoke\n" +
		"%   t [3] assigned: first fetch 120 ms after the trigger\n"
	if got := formatRebalance("g", r); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	r.Complete, r.Waiting = false, []rawkafka.TopicPartition{tp(3)}
	r.Stalls[2] = rawkafka.PartitionStall{TopicPartition: tp(3), Change: rawkafka.PartitionAssigned, Stall: 420 * time.Millisecond, Waiting: true}
	got := formatRebalance("g", r)
	if !strings.Contains(got, "; incomplete: 1 partition(s) never fetched\n") || !strings.Contains(got, "%   t [3] assigned: not fetched yet, 420 ms without a fetch\n") {
		t.Errorf("incomplete:\n%s", got)
	}
}

var statsHead = regexp.MustCompile(`(?m)^% Group (\S+) rebalance: cause ([^,]+), generation (-?\d+) -> (\d+), .* revoked (\d+), lost (\d+), assigned (\d+), kept (\d+); (complete|incomplete)`)

// statsRecords parses the --stats blocks in stderr: each head line with
// the partition lines after it.
type statsRecord struct {
	cause                           string
	revoked, assigned, kept, partsN int
	complete                        bool
}

func statsRecords(stderr string) []statsRecord {
	var out []statsRecord
	lines := strings.Split(stderr, "\n")
	for i, l := range lines {
		m := statsHead.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		r := statsRecord{cause: m[2], complete: m[9] == "complete"}
		r.revoked, r.assigned, r.kept = atoi(m[5])+atoi(m[6]), atoi(m[7]), atoi(m[8])
		for _, p := range lines[i+1:] {
			if !strings.HasPrefix(p, "%   ") {
				break
			}
			r.partsN++
		}
		out = append(out, r)
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestIntegrationGroupStats: two rawconsume -G --stats members against the
// real broker: the first prints its first join's record, then, when the
// second joins (range: eager), a record with everything revoked and its
// new share assigned, one line per partition; -d prints the record too.
func TestIntegrationGroupStats(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	grp := "rawconsume-stats-" + topic
	args := func(extra ...string) []string {
		return append([]string{"-b", brokers, "-G", grp, topic, "-o", "beginning", "-X", "partition.assignment.strategy=range",
			"-X", "heartbeat.interval.ms=500", "-X", "session.timeout.ms=6000"}, extra...)
	}
	produceIDs(t, brokers, topic, "s-", 40, 4)
	start := func(a []string) (*syncBuffer, func() int) {
		ctx, cancel := context.WithCancel(context.Background())
		stderr := &syncBuffer{}
		code := make(chan int, 1)
		go func() { code <- run(ctx, a, io.Discard, stderr) }()
		var once sync.Once
		exit := -1
		return stderr, func() int {
			once.Do(func() {
				cancel()
				select {
				case exit = <-code:
				case <-time.After(30 * time.Second): // a bound on the wait for a clean exit, not a measured time
					t.Errorf("rawconsume did not stop; stderr:\n%s", stderr)
				}
			})
			return exit
		}
	}
	waitStats := func(what string, stderr *syncBuffer, cond func([]statsRecord) bool) []statsRecord {
		t.Helper()
		var rs []statsRecord
		if !kafkatest.Poll(30*time.Second, func() bool { rs = statsRecords(stderr.String()); return cond(rs) }) {
			t.Fatalf("timed out waiting for %s; stderr:\n%s", what, stderr)
		}
		return rs
	}
	errA, stopA := start(args("--stats"))
	defer stopA()
	rs := waitStats("a's first record", errA, func(rs []statsRecord) bool { return len(rs) >= 1 })
	if r := rs[0]; r.cause != group.CauseFirstJoin.String() || !r.complete || r.assigned != 4 || r.kept != 0 || r.partsN != 4 {
		t.Errorf("a's first record %+v; stderr:\n%s", r, errA)
	}
	errB, stopB := start(args("-d", "cgrp"))
	defer stopB()
	rs = waitStats("a's record of b's join", errA, func(rs []statsRecord) bool { return len(rs) >= 2 })
	if r := rs[1]; r.cause != group.CauseRebalanceInProgress.String() || r.revoked != 4 || r.assigned != 2 || r.kept != 0 || r.partsN != 4 {
		t.Errorf("a's record of b's join %+v; stderr:\n%s", r, errA)
	}
	rs = waitStats("b's first record (-d)", errB, func(rs []statsRecord) bool { return len(rs) >= 1 })
	if r := rs[0]; r.cause != group.CauseFirstJoin.String() || r.assigned != 2 {
		t.Errorf("b's first record %+v", r)
	}
	t.Logf("a's stderr:\n%s", errA)
	if c := stopB(); c != exitOK {
		t.Errorf("b exited %d", c)
	}
	if c := stopA(); c != exitOK {
		t.Errorf("a exited %d", c)
	}
}

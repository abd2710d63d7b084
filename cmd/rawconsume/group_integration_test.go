package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/grouptest"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// produceIDs writes n records "<prefix><i>" spread over partitions and
// returns their values.
func produceIDs(t *testing.T, brokers, topic, prefix string, n, partitions int) []string {
	t.Helper()
	recs := make([]kafkatest.Record, n)
	ids := make([]string, n)
	for i := range recs {
		ids[i] = fmt.Sprintf("%s%d", prefix, i)
		recs[i] = kafkatest.Record{Value: []byte(ids[i]), Partition: int32(i % partitions)}
	}
	kafkatest.Produce(t, brokers, topic, recs...)
	return ids
}

func groupMember(brokers, group, name string, topics ...string) grouptest.Config {
	// range, named: the tests check kcat's eager lines (rawconsume's
	// default is the library's cooperative-sticky,range).
	return grouptest.Config{Name: name, Brokers: brokers, Group: group, Topics: topics, Strategy: grouptest.Range,
		SessionTimeout: 6 * time.Second, HeartbeatInterval: time.Second, AutoCommitInterval: time.Second}
}

// Two rawconsume -G members split a topic's partitions and together print
// every record once; each SIGTERM'd member commits what it printed, so that
// kcat -G, continuing the group, prints only what came after.
func TestIntegrationGroupSplitThenKcatContinues(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	group := "rawconsume-" + topic
	parts := grouptest.Partitions(topic, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	ids := produceIDs(t, brokers, topic, "a-", 200, 4)
	a := grouptest.Rawconsume(t, groupMember(brokers, group, "rc-a", topic))
	b := grouptest.Rawconsume(t, groupMember(brokers, group, "rc-b", topic))
	for _, m := range []*grouptest.Process{a, b} {
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	grouptest.WaitStable(t, 30*time.Second, parts, a, b)
	if len(a.Owned()) != 2 || len(b.Owned()) != 2 {
		t.Errorf("range split 4 partitions as %v and %v, want 2 each", a.Owned(), b.Owned())
	}
	grouptest.WaitConsumed(t, 30*time.Second, ids, a, b)
	// a stops (SIGTERM) while records stream in.
	stream := grouptest.StartStream(t, brokers, topic, "b-", 100, 20*time.Millisecond)
	grouptest.WaitRecords(t, 20*time.Second, 5, a, b)
	if err := a.Stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	grouptest.WaitStable(t, 30*time.Second, parts, b)
	ids = append(ids, stream.Wait()...)
	grouptest.WaitConsumed(t, 30*time.Second, ids, a, b)
	if err := b.Stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}

	ivs := grouptest.IntervalsOf(a, b)
	if err := grouptest.NoOverlap(ivs, 10*time.Millisecond); err != nil {
		t.Errorf("NoOverlap: %v", err)
	}
	if err := grouptest.RecordsWithinOwnership(a, b); err != nil {
		t.Errorf("RecordsWithinOwnership: %v", err)
	}
	c := grouptest.Consume(ids, grouptest.AllRecords(a, b))
	t.Log(c.Summary())
	if err := c.AllConsumed(); err != nil {
		t.Error(err)
	}
	// Each SIGTERM committed what its member printed: nothing twice.
	if len(c.Duplicates) > 0 {
		t.Errorf("%d records printed twice after clean stops: %v", len(c.Duplicates), c.Duplicates[0])
	}
	if c.ByMember["rc-a"] == 0 || c.ByMember["rc-b"] == 0 {
		t.Errorf("a member printed nothing: %v", c.ByMember)
	}
	end := map[grouptest.TopicPartition]int64{}
	for _, r := range grouptest.AllRecords(a, b) {
		end[r.TP()] = max(end[r.TP()], r.Offset+1)
	}
	committed := grouptest.CommittedOffsets(t, brokers, group, parts)
	for _, tp := range parts {
		if committed[tp] != end[tp] || end[tp] == 0 {
			t.Errorf("committed %s: %d, want %d (past every record printed)", tp, committed[tp], end[tp])
		}
	}
	for _, m := range []*grouptest.Process{a, b} {
		out := m.Output()
		for _, want := range []string{"% Waiting for group rebalance\n", "% Group " + group + " rebalanced (memberid ",
			"% Group " + group + ": no partitions to fetch for "} {
			if !strings.Contains(out, want) {
				t.Errorf("%s's output lacks %q", m.Name(), want)
			}
		}
		last := m.Events()[len(m.Events())-1]
		if last.Type != grouptest.Revoked {
			t.Errorf("%s's last event is %v, want its revoke at close", m.Name(), last)
		}
	}

	// kcat continues the group from rawconsume's commits.
	late := produceIDs(t, brokers, topic, "c-", 20, 4)
	k := grouptest.Kcat(t, groupMember(brokers, group, "kcat", topic))
	if err := k.Start(ctx); err != nil {
		t.Fatal(err)
	}
	grouptest.WaitConsumed(t, 30*time.Second, late, k)
	// Waiting for an absence: a record that came later than this would
	// make the test pass wrongly, never fail wrongly.
	time.Sleep(500 * time.Millisecond) // anything before late would have come first
	if err := k.Stop(20 * time.Second); err != nil {
		t.Error(err)
	}
	var got []string
	for _, r := range k.Records() {
		got = append(got, r.Value)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(late))
	if !slices.Equal(got, want) {
		t.Errorf("kcat -G continuing the group printed %d records %v, want only the %d produced after rawconsume stopped", len(got), got, len(want))
	}
}

// A -G topic starting with '^' is a regex, found anywhere in a topic's
// name as librdkafka finds it: rawconsume subscribes to every matching
// topic and to none other, and its rebalance lines have kcat's shape.
func TestIntegrationGroupRegexLikeKcat(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	prefix := kafkatest.TopicName(t)
	ta := kafkatest.CreateTopic(t, prefix+"-a", 2, 1)
	tb := kafkatest.CreateTopic(t, prefix+"-b", 1, 1)
	other := kafkatest.CreateTopic(t, "x"+prefix+"-c", 1, 1) // the prefix, not at the start
	want := append(produceIDs(t, brokers, ta, "a-", 6, 2), produceIDs(t, brokers, tb, "b-", 3, 1)...)
	produceIDs(t, brokers, other, "c-", 3, 1)
	pattern := "^" + regexp.QuoteMeta(prefix) + "-"

	args := func(group string) []string {
		return []string{"-b", brokers, "-G", group, "-e", "-o", "beginning", "-f", `%t %p %o %s\n`,
			"-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000",
			// Both eager, so that the lines compare byte for byte.
			"-X", "partition.assignment.strategy=range", pattern}
	}
	code, out, errOut := runCmd(t, args("rawconsume-"+prefix)...)
	if code != exitOK {
		t.Fatalf("rawconsume -G %s: exit %d\n%s", pattern, code, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 4 {
			t.Fatalf("record line %q", l)
		}
		got = append(got, f[3])
	}
	slices.Sort(got)
	if w := slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
		t.Errorf("rawconsume -G %s printed %v, want %v", pattern, got, w)
	}

	kout, err := kafkatestKcat(t, args("kcat-"+prefix)...)
	if err != nil {
		t.Fatalf("kcat: %v\n%s", err, kout)
	}
	// The rebalance lines, memberids and times blanked, in order.
	shape := func(s string) []string {
		member := regexp.MustCompile(`memberid [^)]*\)`)
		ms := regexp.MustCompile(`[0-9]+ ms`)
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "% Group ") && strings.Contains(l, " rebalanced") {
				l = member.ReplaceAllString(l, "memberid M)")
				l = strings.Replace(l, "kcat-"+prefix, "G", 1)
				l = strings.Replace(l, "rawconsume-"+prefix, "G", 1)
				lines = append(lines, ms.ReplaceAllString(l, "N ms"))
			}
		}
		return lines
	}
	if g, k := shape(errOut), shape(kout); len(g) < 2 || !slices.Equal(g, k) {
		t.Errorf("rebalance lines differ (or are missing)\nrawconsume:\n%s\nkcat:\n%s", strings.Join(g, "\n"), strings.Join(k, "\n"))
	}
	if !regexp.MustCompile(`(?m)^% Group rawconsume-` + regexp.QuoteMeta(prefix) + `: no partitions to fetch for [0-9]+ ms$`).MatchString(errOut) {
		t.Errorf("no \"no partitions to fetch\" line:\n%s", errOut)
	}
}

// kafkatestKcat runs kcat with args and returns its stdout and stderr
// together.
func kafkatestKcat(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "kcat", args...).CombinedOutput()
	return string(out), err
}

// -c stops in the middle of what one Poll returned: rawconsume commits the
// records it printed, not those the library handed it (the library's
// auto-commit would cover all of them).
func TestIntegrationGroupCountCommitsOnlyPrinted(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	group := "rawconsume-" + topic
	produceIDs(t, brokers, topic, "id-", 50, 1)
	code, out, errOut := runCmd(t, "-b", brokers, "-G", group, "-c", "3", "-o", "beginning", "-f", `%o\n`, topic)
	if code != exitOK || out != "0\n1\n2\n" {
		t.Fatalf("rawconsume -G -c 3: exit %d, stdout %q\n%s", code, out, errOut)
	}
	tp := grouptest.TopicPartition{Topic: topic, Partition: 0}
	if got := grouptest.CommittedOffsets(t, brokers, group, []grouptest.TopicPartition{tp})[tp]; got != 3 {
		t.Errorf("committed %d after printing offsets 0-2, want 3", got)
	}
	// The next member goes on from there.
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second) // a wrong commit leaves nothing to read
	defer cancel()
	var stdout, stderr strings.Builder
	code = run(ctx, []string{"-b", brokers, "-G", group, "-c", "2", "-f", `%o\n`, topic}, &stdout, &stderr)
	out, errOut = stdout.String(), stderr.String()
	if code != exitOK || out != "3\n4\n" {
		t.Errorf("second rawconsume -G -c 2: exit %d, stdout %q, want offsets 3 and 4\n%s", code, out, errOut)
	}
	// enable.auto.commit=false: rawconsume -G commits nothing.
	var so, se strings.Builder
	code = run(ctx, []string{"-b", brokers, "-G", group + "-nocommit", "-o", "beginning", "-c", "4", "-X", "enable.auto.commit=false", "-f", `%o\n`, topic}, &so, &se)
	if code != exitOK || so.String() != "0\n1\n2\n3\n" {
		t.Errorf("-X enable.auto.commit=false: exit %d, stdout %q\n%s", code, so.String(), se.String())
	}
	if got := grouptest.CommittedOffsets(t, brokers, group+"-nocommit", []grouptest.TopicPartition{tp})[tp]; got != 0 {
		t.Errorf("-X enable.auto.commit=false committed %d, want nothing", got)
	}
	// -o <offset> and -o -<count> start only partitions without a commit.
	for _, tc := range []struct {
		group, o, want string
	}{
		{group, "40", "5\n"},                // committed 5 wins
		{group + "-fresh", "40", "40\n"},    // nothing committed: -o
		{group + "-tail", "-2", "48\n49\n"}, // the last two
	} {
		var stdout, stderr strings.Builder
		code := run(ctx, []string{"-b", brokers, "-G", tc.group, "-o", tc.o, "-c", fmt.Sprint(strings.Count(tc.want, "\n")), "-f", `%o\n`, topic}, &stdout, &stderr)
		if code != exitOK || stdout.String() != tc.want {
			t.Errorf("-G %s -o %s: exit %d, stdout %q, want %q\n%s", tc.group, tc.o, code, stdout.String(), tc.want, stderr.String())
		}
	}
}

// rawconsume -G prints records as -C does: -J lines byte for byte as kcat
// -G prints them (but for "broker"), keys, headers and nulls included.
func TestIntegrationGroupJSONLikeKcat(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 20)
	args := func(group string) []string {
		return []string{"-b", brokers, "-G", group, "-o", "beginning", "-e", "-J", "-q", topic}
	}
	code, got, errOut := runCmd(t, args("rawconsume-"+topic)...)
	if code != exitOK {
		t.Fatalf("rawconsume -G -J: exit %d: %s", code, errOut)
	}
	want, err := exec.Command("kcat", args("kcat-"+topic)...).Output()
	if err != nil {
		t.Fatalf("kcat -G -J: %v", err)
	}
	g, w := brokerField.ReplaceAllString(got, ","), brokerField.ReplaceAllString(string(want), ",")
	if g != w || strings.Count(g, "\n") != 20 {
		t.Fatalf("rawconsume -G -J differs from kcat -G -J\nrawconsume:\n%s\nkcat:\n%s", g, w)
	}
}

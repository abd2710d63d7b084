package grouptest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)

func TestParseKcatLine(t *testing.T) {
	tp := func(topic string, p int32) TopicPartition { return TopicPartition{topic, p} }
	for _, tc := range []struct {
		line string
		rec  *Record
		typ  EventType
		tps  []TopicPartition
	}{
		{line: "REC\tt-1\t2\t17\tid-5", rec: &Record{Topic: "t-1", Partition: 2, Offset: 17, Value: "id-5"}},
		{line: "REC\tt\t0\t0\tva\tlue", rec: &Record{Topic: "t", Offset: 0, Value: "va\tlue"}},
		{line: "REC\tt\t0\t0\t", rec: &Record{Topic: "t", Value: ""}},
		{line: "% Group g rebalanced (memberid i1-da3a): assigned: gt-probe [0]", typ: Assigned, tps: []TopicPartition{tp("gt-probe", 0)}},
		{line: "% Group g rebalanced (memberid m): assigned: a [0], a b [3], c [12]", typ: Assigned, tps: []TopicPartition{tp("a", 0), tp("a b", 3), tp("c", 12)}},
		{line: "% Group g rebalanced (memberid m): assigned: ", typ: Assigned},
		{line: "% Group g rebalanced (memberid m): revoked: t [1], t [0]", typ: Revoked, tps: []TopicPartition{tp("t", 1), tp("t", 0)}},
		{line: "% Group g rebalanced: incremental assignment of 2 partition(s) (memberid m, COOPERATIVE rebalance protocol): t [0], t [1]", typ: Assigned, tps: []TopicPartition{tp("t", 0), tp("t", 1)}},
		{line: "% Group g rebalanced: incremental revoke of 1 partition(s) (memberid m, COOPERATIVE rebalance protocol): t [1]", typ: Revoked, tps: []TopicPartition{tp("t", 1)}},
		{line: "% Group g rebalanced: incremental revoke of 1 partition(s) (memberid m, assignment lost, COOPERATIVE rebalance protocol): t [1]", typ: Lost, tps: []TopicPartition{tp("t", 1)}},
		{line: "% Waiting for group rebalance"},
		{line: "% Reached end of topic t [0] at offset 2"},
		{line: "% Group g rebalanced (memberid m): failed: Local: Broker transport failure"},
		{line: "%4|1796145106.843|SESSTMOUT|rdkafka#consumer-1| [thrd:main]: Consumer group session timed out"},
	} {
		rec, ev, err := ParseKcatLine(tc.line, t0, 7)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if tc.rec != nil {
			tc.rec.Time, tc.rec.Seq = t0, 7
		}
		if !reflect.DeepEqual(rec, tc.rec) {
			t.Errorf("%q: record %+v, want %+v", tc.line, rec, tc.rec)
		}
		switch {
		case tc.typ == 0 && ev != nil:
			t.Errorf("%q: event %+v, want none", tc.line, ev)
		case tc.typ != 0 && (ev == nil || ev.Type != tc.typ || !reflect.DeepEqual(ev.Partitions, tc.tps) || ev.Seq != 7 || !ev.Time.Equal(t0)):
			t.Errorf("%q: event %+v, want %v %v", tc.line, ev, tc.typ, tc.tps)
		}
	}
	for _, bad := range []string{"REC\tt\tx\t0\tv", "REC\tt\t0", "% Group g rebalanced (memberid m): assigned: t 0"} {
		if _, _, err := ParseKcatLine(bad, t0, 1); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseJavaLine(t *testing.T) {
	for _, tc := range []struct {
		line   string
		rec    *Record
		typ    EventType
		tps    []TopicPartition
		client int64
	}{
		{line: "Partition:3\tOffset:42\tid-7", rec: &Record{Topic: "top", Partition: 3, Offset: 42, Value: "id-7"}},
		{line: "1796145158221 INFO [ConsumerRebalanceListenerInvoker] [Consumer instanceId=j1, clientId=console-consumer, groupId=g] Adding newly assigned partitions: [gt-probe-j7646-0, a-b-11]",
			typ: Assigned, tps: []TopicPartition{{"gt-probe-j7646", 0}, {"a-b", 11}}, client: 1796145158221},
		{line: "1796145168132 INFO [ConsumerRebalanceListenerInvoker] [Consumer clientId=console-consumer, groupId=g] Revoke previously assigned partitions [t-0]",
			typ: Revoked, tps: []TopicPartition{{"t", 0}}, client: 1796145168132},
		{line: "1796145168132 INFO [ConsumerRebalanceListenerInvoker] [Consumer clientId=console-consumer, groupId=g] Adding newly assigned partitions: []",
			typ: Assigned, client: 1796145168132},
		{line: "1796145168132 INFO [ConsumerCoordinator] [Consumer clientId=c, groupId=g] Lost previously assigned partitions t-0, t-2",
			typ: Lost, tps: []TopicPartition{{"t", 0}, {"t", 2}}, client: 1796145168132},
		{line: "1796145106934 INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] Notifying assignor about the new Assignment(partitions=[t-0])"},
		{line: "Processed a total of 3 messages"},
	} {
		rec, ev, err := ParseJavaLine("top", tc.line, t0, 3)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if tc.rec != nil {
			tc.rec.Time, tc.rec.Seq = t0, 3
		}
		if !reflect.DeepEqual(rec, tc.rec) {
			t.Errorf("%q: record %+v, want %+v", tc.line, rec, tc.rec)
		}
		switch {
		case tc.typ == 0 && ev != nil:
			t.Errorf("%q: event %+v, want none", tc.line, ev)
		case tc.typ != 0 && (ev == nil || ev.Type != tc.typ || !reflect.DeepEqual(ev.Partitions, tc.tps) || !ev.ClientTime.Equal(time.UnixMilli(tc.client)) || !ev.When().Equal(ev.ClientTime)):
			t.Errorf("%q: event %+v, want %v %v", tc.line, ev, tc.typ, tc.tps)
		}
	}
	if _, _, err := ParseJavaLine("t", "Partition:x\tOffset:1\tv", t0, 1); err == nil {
		t.Error("bad partition accepted")
	}
}

// fake is a Member whose records and events a test writes.
type fake struct {
	name    string
	records []Record
	events  []OwnershipEvent
}

func (f *fake) Name() string                { return f.name }
func (f *fake) Kind() string                { return "fake" }
func (f *fake) Start(context.Context) error { return nil }
func (f *fake) Records() []Record           { return f.records }
func (f *fake) Events() []OwnershipEvent    { return f.events }
func (f *fake) Owned() []TopicPartition     { return ownedAfter(f.events) }
func (f *fake) Output() string              { return "" }
func (f *fake) Done() <-chan struct{}       { return nil }
func (f *fake) Kill() error                 { return nil }
func (f *fake) Stop(time.Duration) error    { return nil }
func (f *fake) ev(typ EventType, ms int, seq int, tps ...TopicPartition) {
	f.events = append(f.events, OwnershipEvent{Member: f.name, Type: typ, Partitions: tps, Time: t0.Add(time.Duration(ms) * time.Millisecond), Seq: seq})
}
func (f *fake) rec(tp TopicPartition, off int64, seq int) {
	f.records = append(f.records, Record{Member: f.name, Topic: tp.Topic, Partition: tp.Partition, Offset: off, Value: "id", Seq: seq})
}

var _ Member = (*fake)(nil)

var p0, p1 = TopicPartition{"t", 0}, TopicPartition{"t", 1}

func TestIntervalsAndOverlap(t *testing.T) {
	a, b := &fake{name: "a"}, &fake{name: "b"}
	a.ev(Assigned, 0, 1, p0, p1)
	a.ev(Revoked, 1000, 5, p0, p1)
	a.ev(Assigned, 1200, 6, p0) // eager: all revoked, then the new share
	b.ev(Assigned, 1205, 1, p1)
	b.ev(Killed, 3000, 9, p1)
	a.ev(Assigned, 9000, 20, p0, p1) // re-announces p0, adds p1
	ivs := Intervals(append(a.Events(), b.Events()...))
	got := FormatIntervals(ivs)
	want := "t/0 a 17:00:00.000 .. 17:00:01.000 (revoked)\n" +
		"t/0 a 17:00:01.200 .. now\n" +
		"t/1 a 17:00:00.000 .. 17:00:01.000 (revoked)\n" +
		"t/1 b 17:00:01.205 .. 17:00:03.000 (killed)\n" +
		"t/1 a 17:00:09.000 .. now\n"
	if got != want {
		t.Fatalf("intervals:\n%s\nwant:\n%s", got, want)
	}
	if err := NoOverlap(ivs, 10*time.Millisecond); err != nil {
		t.Fatalf("NoOverlap: %v", err)
	}

	// b is assigned p1 3 ms before a's revoke is read: within a 10 ms slack,
	// a violation with a 1 ms one.
	c := &fake{name: "c"}
	c.ev(Assigned, 997, 1, p1)
	c.ev(Revoked, 1100, 2, p1)
	ivs = Intervals(append(a.Events(), c.Events()...))
	ovs := Overlaps(ivs, 10*time.Millisecond)
	if len(ovs) != 1 || !ovs[0].WithinSlack || ovs[0].Duration != 3*time.Millisecond {
		t.Fatalf("overlaps %v", ovs)
	}
	if err := NoOverlap(ivs, 10*time.Millisecond); err != nil {
		t.Fatalf("within the slack: %v", err)
	}
	if err := NoOverlap(ivs, time.Millisecond); err == nil || !strings.Contains(err.Error(), "t/1 owned by a and c at once for 3ms") {
		t.Fatalf("NoOverlap with 1 ms slack: %v", err)
	}
	// An open interval overlaps whatever comes after it.
	d := &fake{name: "d"}
	d.ev(Assigned, 9500, 1, p0)
	if err := NoOverlap(IntervalsOf(a, d), time.Second); err == nil {
		t.Fatal("two open owners of t/0 pass")
	}
}

func TestRecordsWithinOwnership(t *testing.T) {
	a := &fake{name: "a"}
	a.rec(p0, 0, 1) // before any assignment
	a.ev(Assigned, 0, 2, p0)
	a.rec(p0, 1, 3)
	a.ev(Revoked, 10, 4, p0)
	a.rec(p0, 2, 5) // after its revoke
	a.ev(Assigned, 20, 6, p0)
	a.rec(p0, 3, 7)
	a.rec(p1, 0, 8) // never owned
	a.ev(Killed, 30, 9, p0)
	a.rec(p0, 4, 10) // read after the kill: written before it
	err := RecordsWithinOwnership(a)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"t/0@0", "t/0@2", "t/1@0"} {
		if !strings.Contains(msg, want+" ") {
			t.Errorf("%s not reported: %v", want, msg)
		}
	}
	for _, ok := range []string{"t/0@1 ", "t/0@3 ", "t/0@4 "} {
		if strings.Contains(msg, ok) {
			t.Errorf("%s reported: %v", ok, msg)
		}
	}
}

func TestConsume(t *testing.T) {
	n := 0
	r := func(m string, tp TopicPartition, off int64, v string) Record {
		n++
		return Record{Member: m, Topic: tp.Topic, Partition: tp.Partition, Offset: off, Value: v, Time: t0.Add(time.Duration(n) * time.Millisecond)}
	}
	consumed := []Record{
		r("a", p0, 0, "id-0"), r("a", p0, 1, "id-2"), r("a", p1, 0, "id-1"),
		r("b", p1, 0, "id-1"), // p1@0 again (a died after it, before committing)
		r("b", p0, 1, "id-2"), // p0@1 again
		r("b", p1, 1, "id-x"), // never produced
		r("b", p0, 2, "id-0"), // a producer duplicate of id-0: another offset, no duplicate delivery
	}
	c := Consume([]string{"id-0", "id-1", "id-2", "id-3"}, consumed)
	if !reflect.DeepEqual(c.Missing, []string{"id-3"}) || len(c.Unexpected) != 1 || len(c.Duplicates) != 2 ||
		c.Duplicates[0].TP != p0 || c.Duplicates[0].Offset != 1 || c.Duplicates[1].TP != p1 || c.ByMember["b"] != 4 {
		t.Fatalf("%+v", c)
	}
	if err := c.AllConsumed(); err == nil || !strings.Contains(err.Error(), "id-3") || !strings.Contains(err.Error(), `"id-x"`) {
		t.Fatalf("AllConsumed: %v", err)
	}
	// a died with t/1 committed at 0 and t/0 at 1: both duplicates are explained.
	if err := c.DuplicatesAfter(map[TopicPartition]int64{p0: 1, p1: 0}); err != nil {
		t.Fatalf("DuplicatesAfter: %v", err)
	}
	if err := c.RedeliveredAfterDeath("a", map[TopicPartition]int64{p0: 1, p1: 0}); err != nil {
		t.Fatalf("RedeliveredAfterDeath: %v", err)
	}
	// b died instead: a delivered both first.
	if err := c.RedeliveredAfterDeath("b", map[TopicPartition]int64{p0: 1, p1: 0}); err == nil || !strings.Contains(err.Error(), "delivered first by a, not by b") {
		t.Fatalf("RedeliveredAfterDeath: %v", err)
	}
	// t/0 committed at 2: offset 1 should not have come again.
	if err := c.DuplicatesAfter(map[TopicPartition]int64{p0: 2, p1: 0}); err == nil || !strings.Contains(err.Error(), "t/0@1") {
		t.Fatalf("DuplicatesAfter: %v", err)
	}
	// Nobody died owning t/1.
	if err := c.DuplicatesAfter(map[TopicPartition]int64{p0: 0}); err == nil || !strings.Contains(err.Error(), "t/1@0") {
		t.Fatalf("DuplicatesAfter: %v", err)
	}
}

func TestNoRebalance(t *testing.T) {
	a := &fake{name: "a"}
	a.ev(Assigned, 0, 1, p0)
	a.ev(Revoked, 5000, 2, p0)
	if err := NoRebalance(a, t0.Add(time.Second), t0.Add(4*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := NoRebalance(a, t0.Add(time.Second), t0.Add(6*time.Second)); err == nil {
		t.Fatal("a revoke in the window passes")
	}
}

// A log line written between the pieces of a record line (seen with Kafka
// 4.4.0's console consumer, and with kcat -d cgrp): the log line is read as itself, the record
// whole from the two fragments.
func TestJoinFragment(t *testing.T) {
	log := "1796155385995 INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] (Re-)joining group"
	line, frag := joinFragment([]string{"Partition:"}, javaLogStart, "", "Partition:"+log)
	if line != log || frag != "Partition:" {
		t.Fatalf("got line %q fragment %q", line, frag)
	}
	_, ev, err := ParseJavaLine("t", line, t0, 1)
	if err != nil || ev == nil || ev.Type != JoinSent {
		t.Fatalf("log line: event %+v, err %v", ev, err)
	}
	line, frag = joinFragment([]string{"Partition:"}, javaLogStart, frag, "1\tOffset:52\tid-702")
	rec, _, err := ParseJavaLine("t", line, t0, 2)
	if err != nil || frag != "" || rec == nil || rec.Partition != 1 || rec.Offset != 52 || rec.Value != "id-702" {
		t.Fatalf("record: %+v, fragment %q, err %v", rec, frag, err)
	}
	// 3.9's reload4j lines have no stamp.
	if line, frag = joinFragment([]string{"Partition:"}, javaLogStart, "", "Partition:1\tOffset:INFO [ConsumerCoordinator] x"); line != "INFO [ConsumerCoordinator] x" || frag != "Partition:1\tOffset:" {
		t.Errorf("3.9: got line %q fragment %q", line, frag)
	}
	// kcat with -d cgrp: librdkafka's line inside a record line.
	kl := `%7|1796156847.558|HEARTBEAT|rdkafka#consumer-1| [thrd:main]: GroupCoordinator/1: Heartbeat for group "g" generation id 9`
	if line, frag = joinFragment([]string{kcatRecordPrefix}, kcatLogStart, "", "REC\tt"+kl); line != kl || frag != "REC\tt" {
		t.Errorf("kcat: got line %q fragment %q", line, frag)
	}
	if line, _ = joinFragment([]string{kcatRecordPrefix}, kcatLogStart, frag, "\t0\t5\tid-5"); line != "REC\tt\t0\t5\tid-5" {
		t.Errorf("kcat record: got %q", line)
	}
	// A plain record passes through whole.
	if line, frag = joinFragment([]string{"Partition:"}, javaLogStart, "", "Partition:0\tOffset:3\tid-3"); line != "Partition:0\tOffset:3\tid-3" || frag != "" {
		t.Errorf("plain record: got line %q fragment %q", line, frag)
	}
}

// kcat's rebalance line cut by librdkafka's log line (seen in CI on Kafka
// 4.4.0, at a kcat's close): the log line is read as itself, the revoke
// whole from the two fragments.
func TestRejoinCutRebalanceLine(t *testing.T) {
	parse := rejoinCutRecords([]string{kcatRecordPrefix, kcatGroupPrefix}, kcatLogStart, ParseKcatLine)
	kl := `%7|1796172641.714|CGRPTERM|rdkafka#consumer-1| [thrd:main]: Group "g": waiting for assign call, 2 toppar(s), 0 commit(s), 0 share session leave(s) remaining (state up, join-state wait-unassign-call) before terminating`
	if _, ev, err := parse("% Group g rebalanced: incremental revoke of 2 partition(s) (memberid kcat-6, COOPERATIVE rebalance protocol): "+kl, t0, 1); err != nil || ev != nil {
		t.Fatalf("the log line: event %+v, err %v", ev, err)
	}
	_, ev, err := parse("t [3], t [4]", t0, 2)
	if err != nil || ev == nil || ev.Type != Revoked || len(ev.Partitions) != 2 || ev.Partitions[0] != (TopicPartition{"t", 3}) || ev.Partitions[1] != (TopicPartition{"t", 4}) {
		t.Fatalf("the revoke: event %+v, err %v", ev, err)
	}
}

// The lines that report rounds: a generation joined (Java, kcat -d cgrp,
// rawconsume -d cgrp) and a JoinGroup about to be sent (Java).
func TestParseJoinLines(t *testing.T) {
	for _, tc := range []struct {
		parse func(string) (*OwnershipEvent, error)
		line  string
		typ   EventType
		gen   int32
	}{
		{javaParse, "1796154668873 INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] Successfully joined group with generation Generation{generationId=12, memberId='console-consumer-f6fd', protocol='cooperative-sticky'}", Joined, 12},
		{javaParse, "INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] Successfully joined group with generation Generation{generationId=3, memberId='c', protocol='range'}", Joined, 3},
		{javaParse, "1796154684579 INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] (Re-)joining group", JoinSent, 0},
		{javaParse, "1796154684579 INFO [ConsumerCoordinator] [Consumer clientId=console-consumer, groupId=g] Request joining group due to: group is already rebalancing", JoinSent, 0},
		{kcatParse, "%7|1796154671.894|JOINGROUP|rdkafka#consumer-1| [thrd:main]: JoinGroup response: GenerationId 2, Protocol cooperative-sticky, LeaderId c, my MemberId r, member metadata count 0: (no error)", Joined, 2},
		{kcatParse, "%7|1796154519.495|JOINGROUP|rdkafka#consumer-1| [thrd:main]: JoinGroup response: GenerationId -1, Protocol , LeaderId , my MemberId r, member metadata count 0: Broker: Group member needs a valid member ID", 0, 0},
		{rcParse, `time=2026-12-01T19:45:48.656Z level=DEBUG msg="group: state" group=g member_id=rawkafka-a656 generation=7 from=Joining to=Assigning`, Joined, 7},
		{rcParse, `time=2026-12-01T19:45:48.656Z level=DEBUG msg="group: state" group=g member_id=rawkafka-a656 generation=7 from=Joining to=AwaitingSync`, Joined, 7},
		{rcParse, `time=2026-12-01T19:45:48.664Z level=DEBUG msg="group: state" group=g member_id=rawkafka-a656 generation=7 from=AwaitingSync to=Stable`, 0, 0},
		{rcParse, `time=2026-12-01T19:45:48.635Z level=DEBUG msg="group: state" group=g member_id="" generation=-1 from=Joining to=Joining`, 0, 0},
	} {
		ev, err := tc.parse(tc.line)
		switch {
		case err != nil:
			t.Errorf("%q: %v", tc.line, err)
		case tc.typ == 0 && ev != nil:
			t.Errorf("%q: event %+v, want none", tc.line, ev)
		case tc.typ != 0 && (ev == nil || ev.Type != tc.typ || ev.Generation != tc.gen):
			t.Errorf("%q: event %+v, want %v generation %d", tc.line, ev, tc.typ, tc.gen)
		}
	}
}

func javaParse(line string) (*OwnershipEvent, error) {
	_, ev, err := ParseJavaLine("t", line, t0, 1)
	return ev, err
}

func kcatParse(line string) (*OwnershipEvent, error) {
	_, ev, err := ParseKcatLine(line, t0, 1)
	return ev, err
}

func rcParse(line string) (*OwnershipEvent, error) {
	_, ev, err := ParseRawconsumeLine(line, t0, 1)
	return ev, err
}

package group

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// t0 is the time every script starts at; at(ms) is t0 plus ms milliseconds.
var t0 = time.Unix(1_000_000, 0).UTC()

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func testConfig() Config {
	return Config{
		Group:          "g",
		Assignors:      []assignor.Assignor{assignor.Range},
		BackoffJitter:  -1, // the scripts check exact backoff times
		SessionTimeout: 10 * time.Second,
		// 2,995 ms and its slack of 5 ms (heartbeatEvery: a session of 3): a heartbeat
		// every 3,000 ms, the round figures the tables are written in.
		HeartbeatInterval: 2995 * time.Millisecond,
		MaxPollInterval:   60 * time.Second,
		RetryBackoff:      100 * time.Millisecond,
		RetryBackoffMax:   time.Second,
		AutoCommit:        true,
	}
}

func staticConfig() Config {
	c := testConfig()
	c.InstanceID = "i1"
	return c
}

func newMember(t testing.TB, cfg Config) Member {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func str(s string) *string { return &s }

// tps parses "a/0 a/1 b/0" into partitions.
func tps(s string) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, f := range strings.Fields(s) {
		var tp protocol.TopicPartition
		i := strings.LastIndexByte(f, '/')
		tp.Topic = f[:i]
		var p int32
		fmt.Sscan(f[i+1:], &p)
		tp.Partition = p
		out = append(out, tp)
	}
	return out
}

// assignment encodes a ConsumerProtocolAssignment of "a/0 a/1 ...".
func assignment(s string) []byte {
	a := protocol.ConsumerProtocolAssignment{Version: 3, AssignedPartitions: grouped(tps(s))}
	b, err := a.Encode(nil)
	if err != nil {
		panic(err)
	}
	return b
}

// joinOK is a successful JoinGroup answer for member in gen, led by leader.
func joinOK(now time.Time, member string, gen int32, leader string) JoinResponse {
	r := JoinResponse{Now: now, MemberID: member, Generation: gen, Leader: leader,
		ProtocolType: str("consumer"), ProtocolName: str("range")}
	if member == leader {
		r.Members = []protocol.JoinGroupResponseMember{{MemberId: member}, {MemberId: "m2"}}
	}
	return r
}

func syncOK(now time.Time, gen int32, parts string) SyncResponse {
	return SyncResponse{Now: now, Generation: gen, ProtocolType: str("consumer"), ProtocolName: str("range"), Assignment: assignment(parts)}
}

func joinErr(now time.Time, err error) JoinResponse {
	return JoinResponse{Now: now, Err: err, Generation: -1}
}

// describe renders an action in one line, times relative to t0.
func describe(a Action) string {
	switch a := a.(type) {
	case FindCoordinator:
		return "find-coordinator " + a.Group
	case SendJoin:
		sub := a.Protocols[0].Subscription
		s := fmt.Sprintf("join member=%q gen=%d topics=%v", a.MemberID, sub.GenerationId, sub.Topics)
		if a.InstanceID != "" {
			s += " instance=" + a.InstanceID
		}
		if len(sub.OwnedPartitions) > 0 { // cooperative only: eager owns nothing when it joins
			s += " owned=" + fmtTPs(flatten(sub.OwnedPartitions))
		}
		if a.Reason != "" {
			s += fmt.Sprintf(" reason=%q", a.Reason)
		}
		return s
	case ComputeAssignment:
		s := fmt.Sprintf("compute-assignment gen=%d protocol=%s members=%d", a.Generation, a.Protocol, len(a.Members))
		if a.SkipAssignment {
			s += " skip"
		}
		return s
	case SendSync:
		return fmt.Sprintf("sync gen=%d member=%q protocol=%s assignments=%d", a.Generation, a.MemberID, a.Protocol, len(a.Assignments))
	case SendHeartbeat:
		return fmt.Sprintf("heartbeat gen=%d member=%q", a.Generation, a.MemberID)
	case SendLeave:
		s := fmt.Sprintf("leave member=%q", a.MemberID)
		if a.InstanceID != "" {
			s += " instance=" + a.InstanceID
		}
		return s
	case CommitBeforeRevoke:
		return fmt.Sprintf("commit %s gen=%d", fmtTPs(a.Partitions), a.Generation)
	case Revoke:
		return "revoke " + fmtTPs(a.Partitions)
	case Assign:
		return "assign " + fmtTPs(a.Partitions)
	case Lose:
		return fmt.Sprintf("lose %s (%v)", fmtTPs(a.Partitions), a.Reason)
	case ScheduleTimer:
		if a.At.IsZero() {
			return "timer off"
		}
		return fmt.Sprintf("timer @%d", a.At.Sub(t0).Milliseconds())
	case Fail:
		return fmt.Sprintf("fail %v", a.Err)
	}
	return fmt.Sprintf("unknown action %T", a)
}

func fmtTPs(p []protocol.TopicPartition) string {
	s := make([]string, len(p))
	for i, tp := range p {
		s[i] = tp.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

func describeAll(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = describe(a)
	}
	return out
}

// checkStep steps m with ev and checks the state and every action. A want
// line matches an action's description, "..." standing for any text.
func checkStep(t *testing.T, where string, m Member, ev Event, state State, want []string) Member {
	t.Helper()
	next, acts := m.Step(ev)
	got := describeAll(acts)
	if next.State() != state || !linesMatch(got, want) {
		t.Fatalf("%s: %s --%T--> %s\n got:  %s\n       %s\n want: %s\n       %s", where, m.State(), ev, next.State(),
			next.State(), strings.Join(got, "\n       "), state, strings.Join(want, "\n       "))
	}
	return next
}

func linesMatch(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !glob(want[i], got[i]) {
			return false
		}
	}
	return true
}

// glob matches s against pattern, where "..." stands for any text.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "...")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// line is one step of a scripted sequence: an event, the state after it,
// and every action it must produce.
type line struct {
	ev    Event
	state State
	want  []string
}

// run drives m through a script, checking every output, and returns the
// member at its end.
func run(t *testing.T, m Member, script []line) Member {
	t.Helper()
	for i, l := range script {
		m = checkStep(t, fmt.Sprintf("step %d", i+1), m, l.ev, l.state, l.want)
	}
	return m
}

// reach drives m through events without checking, for fixtures.
func reach(m Member, evs ...Event) Member {
	for _, ev := range evs {
		m, _ = m.Step(ev)
	}
	return m
}

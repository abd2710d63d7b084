package group

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt with the outputs the machine produces")

// TestInteraction runs the scripts in testdata/*.txt, in the manner of
// etcd-io/raft's interaction tests. A script is a sequence of events, each
// a line "> @ms event key=value ...", followed by every action the event
// produced (as describe prints them) and the state after it ("= State").
// Lines starting with # and blank lines are kept as they are. The first
// event may be "> config key=value ..." to change testConfig.
//
// Events: start topics=a,b · found · find-failed err=NAME · join err=NAME
// member=ID gen=N leader=ID proto=NAME type=NAME skip · assigned gen=N
// counts=a:2 err=TEXT · sync gen=N err=NAME parts=a/0,a/1 proto=NAME ·
// hb gen=N member=ID err=NAME · leave err=NAME · failed api=NAME ·
// tick · poll · subscribe topics=a,b · metadata counts=a:2 · revoked ·
// close leave=group|remain. Config keys: static=ID maxpoll=MS session=MS
// heartbeat=MS autocommit=BOOL cooperative (the cooperative test assignor,
// coop-range).
func TestInteraction(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runInteraction(t, file) })
	}
}

type block struct {
	pre   []string // comments and blank lines before the event
	event string   // without "> "
	want  []string
	line  int
}

func parseScript(t *testing.T, file string) (blocks []block, tail []string) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var cur *block
	var pre []string
	n := 0
	for sc.Scan() {
		n++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "> "):
			blocks = append(blocks, block{pre: pre, event: l[2:], line: n})
			cur, pre = &blocks[len(blocks)-1], nil
		case l == "" || strings.HasPrefix(l, "#"):
			pre = append(pre, l)
			cur = nil
		case cur == nil:
			t.Fatalf("%s:%d: output with no event: %q", file, n, l)
		default:
			cur.want = append(cur.want, l)
		}
	}
	return blocks, pre
}

func runInteraction(t *testing.T, file string) {
	blocks, tail := parseScript(t, file)
	cfg := testConfig()
	var m Member
	started := false
	var out []string
	failed := false
	for _, b := range blocks {
		out = append(out, b.pre...)
		out = append(out, "> "+b.event)
		fields := strings.Fields(b.event)
		if fields[0] == "config" {
			cfg = parseConfig(t, cfg, fields[1:])
			continue
		}
		if !started {
			m, started = newMember(t, cfg), true
		}
		ev, err := parseEvent(fields)
		if err != nil {
			t.Fatalf("%s:%d: %v", file, b.line, err)
		}
		var acts []Action
		m, acts = m.Step(ev)
		got := append(describeAll(acts), "= "+m.State().String())
		out = append(out, got...)
		if !*rewrite && !linesMatch(got, b.want) && !failed {
			failed = true
			t.Errorf("%s:%d: > %s\n got:  %s\n want: %s", file, b.line, b.event,
				strings.Join(got, "\n       "), strings.Join(b.want, "\n       "))
		}
	}
	out = append(out, tail...)
	if *rewrite {
		if err := os.WriteFile(file, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parseConfig(t *testing.T, cfg Config, args []string) Config {
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		ms, _ := strconv.Atoi(v)
		switch k {
		case "static":
			cfg.InstanceID = v
		case "maxpoll":
			cfg.MaxPollInterval = time.Duration(ms) * time.Millisecond
		case "session":
			cfg.SessionTimeout = time.Duration(ms) * time.Millisecond
		case "heartbeat":
			cfg.HeartbeatInterval = time.Duration(ms) * time.Millisecond
		case "autocommit":
			cfg.AutoCommit = v == "true"
		case "cooperative":
			// The cooperative test assignor; answers then name proto=coop-range.
			cfg.Assignors = coopConfig().Assignors
		default:
			t.Fatalf("config: unknown %q", k)
		}
	}
	return cfg
}

// kafkaError returns the protocol error named name (e.g. NOT_COORDINATOR).
func kafkaError(name string) (error, bool) {
	for code := int16(-1); code < 200; code++ {
		if e, ok := protocol.ErrorForCode(code).(*protocol.Error); ok && e.Name == name {
			return e, true
		}
	}
	return nil, false
}

func parseEvent(fields []string) (Event, error) {
	if !strings.HasPrefix(fields[0], "@") || len(fields) < 2 {
		return nil, fmt.Errorf("want \"@ms event ...\", got %q", strings.Join(fields, " "))
	}
	ms, err := strconv.Atoi(fields[0][1:])
	if err != nil {
		return nil, err
	}
	now := at(ms)
	args := map[string]string{}
	for _, a := range fields[2:] {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	var kerr error
	if name, ok := args["err"]; ok {
		e, known := kafkaError(name)
		if !known {
			return nil, fmt.Errorf("unknown Kafka error %q", name)
		}
		kerr = e
	}
	gen := func() int32 {
		n, err := strconv.Atoi(args["gen"])
		if err != nil {
			return -1
		}
		return int32(n)
	}
	list := func(k string) []string {
		if args[k] == "" {
			return nil
		}
		return strings.Split(args[k], ",")
	}
	counts := func() map[string]int32 {
		c := map[string]int32{}
		for _, kv := range list("counts") {
			k, v, _ := strings.Cut(kv, ":")
			n, _ := strconv.Atoi(v)
			c[k] = int32(n)
		}
		return c
	}
	orDefault := func(k, def string) *string {
		if v, ok := args[k]; ok {
			return str(v)
		}
		return str(def)
	}
	switch fields[1] {
	case "start":
		return Start{Now: now, Topics: list("topics")}, nil
	case "found":
		return CoordinatorFound{Now: now}, nil
	case "find-failed":
		return CoordinatorFailed{Now: now, Err: kerr}, nil
	case "join":
		r := JoinResponse{Now: now, Err: kerr, MemberID: args["member"], Generation: gen(), Leader: args["leader"],
			ProtocolType: orDefault("type", "consumer"), ProtocolName: orDefault("proto", "range")}
		_, r.SkipAssignment = args["skip"]
		if r.Leader != "" && r.Leader == r.MemberID {
			r.Members = []protocol.JoinGroupResponseMember{{MemberId: r.MemberID}}
		}
		return r, nil
	case "assigned":
		r := AssignmentComputed{Now: now, Generation: gen(), PartitionCounts: counts()}
		if e := args["err"]; e != "" {
			r.Err = fmt.Errorf("%s", e)
		}
		return r, nil
	case "sync":
		return SyncResponse{Now: now, Generation: gen(), Err: kerr, ProtocolType: orDefault("type", "consumer"),
			ProtocolName: orDefault("proto", "range"), Assignment: assignment(strings.Join(list("parts"), " "))}, nil
	case "hb":
		return HeartbeatResponse{Now: now, Generation: gen(), MemberID: args["member"], Err: kerr}, nil
	case "leave":
		return LeaveResponse{Now: now, Err: kerr}, nil
	case "failed":
		for k := protocol.APIKey(0); k < 100; k++ {
			if k.String() == args["api"] {
				return RequestFailed{Now: now, API: k, Err: fmt.Errorf("connection reset")}, nil
			}
		}
		return nil, fmt.Errorf("unknown api %q", args["api"])
	case "tick":
		return Tick{Now: now}, nil
	case "poll":
		return Poll{Now: now}, nil
	case "subscribe":
		return SubscriptionChanged{Now: now, Topics: list("topics")}, nil
	case "metadata":
		return MetadataChanged{Now: now, PartitionCounts: counts()}, nil
	case "revoked":
		return RevokeDone{Now: now}, nil
	case "close":
		c := Close{Now: now}
		switch args["leave"] {
		case "group":
			c.Leave = LeaveGroup
		case "remain":
			c.Leave = RemainInGroup
		}
		return c, nil
	}
	return nil, fmt.Errorf("unknown event %q", fields[1])
}

// Package examples runs the example programs against the test broker.
package examples

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/grouptest"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

var builds sync.Map // example name -> *build

type build struct {
	once sync.Once
	path string
	err  error
}

// binary builds ./<name> once per test binary.
func binary(t *testing.T, name string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(name, &build{})
	b := v.(*build)
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "rawkafka-example-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", b.path, "./"+name).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build ./%s: %v\n%s", name, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	builds.Range(func(_, v any) bool {
		if p := v.(*build).path; p != "" {
			os.RemoveAll(filepath.Dir(p))
		}
		return true
	})
	os.Exit(code)
}

var recordLine = regexp.MustCompile(`^partition (\d+) offset (\d+) value (.*)$`)

// example starts an example with args and env; its record lines become
// grouptest records, so that the harness's waits and checks apply.
func example(t *testing.T, ctx context.Context, name, member, topic string, env []string, args ...string) *grouptest.Process {
	t.Helper()
	cmd := exec.Command(binary(t, name), args...)
	cmd.Env = append(os.Environ(), env...)
	p := grouptest.NewProcess(t, member, name, cmd, func(line string, now time.Time, seq int) (*grouptest.Record, *grouptest.OwnershipEvent, error) {
		m := recordLine.FindStringSubmatch(line)
		if m == nil {
			return nil, nil, nil
		}
		var part int32
		var off int64
		fmt.Sscan(m[1], &part)
		fmt.Sscan(m[2], &off)
		return &grouptest.Record{Topic: topic, Partition: part, Offset: off, Value: m[3]}, nil, nil
	})
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func produce(t *testing.T, brokers, topic, prefix string, perPartition, partitions int) []string {
	t.Helper()
	var recs []kafkatest.Record
	var ids []string
	for p := range partitions {
		for i := range perPartition {
			id := fmt.Sprintf("%sp%d-%d", prefix, p, i)
			ids = append(ids, id)
			recs = append(recs, kafkatest.Record{Value: []byte(id), Partition: int32(p)})
		}
	}
	kafkatest.Produce(t, brokers, topic, recs...)
	return ids
}

func values(p *grouptest.Process) []string {
	var v []string
	for _, r := range p.Records() {
		v = append(v, r.Value)
	}
	slices.Sort(v)
	return v
}

func stop(t *testing.T, p *grouptest.Process) {
	t.Helper()
	if err := p.Stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Errorf("%s exited with %v\n%s", p.Name(), err, p.Output())
	}
}

func wantCommitted(t *testing.T, brokers, group, topic string, want ...int64) {
	t.Helper()
	parts := grouptest.Partitions(topic, len(want))
	got := grouptest.CommittedOffsets(t, brokers, group, parts)
	for i, tp := range parts {
		if got[tp] != want[i] {
			t.Errorf("group %s committed %d for %s, want %d", group, got[tp], tp, want[i])
		}
	}
}

// waitCommitted waits until group has committed want for topic's
// partitions, in order, or fails after d.
func waitCommitted(t *testing.T, d time.Duration, brokers, group, topic string, want ...int64) {
	t.Helper()
	parts := grouptest.Partitions(topic, len(want))
	deadline := time.Now().Add(d)
	for {
		got := grouptest.CommittedOffsets(t, brokers, group, parts)
		ok := true
		for i, tp := range parts {
			ok = ok && got[tp] == want[i]
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("group %s committed %v after %v, want %v", group, got, d, want)
		}
		time.Sleep(50 * time.Millisecond) // polling, bounded by the deadline
	}
}

// static prints every record and commits each; restarted under the same
// instance id within the session timeout, it goes on where it stopped.
func TestStatic(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	group := "example-" + topic
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := []string{"BOOTSTRAP=" + brokers, "TOPIC=" + topic, "INSTANCE_ID=worker-0"}

	first := produce(t, brokers, topic, "a-", 5, 2)
	s1 := example(t, ctx, "static", "static#1", topic, env, "-g", group)
	grouptest.WaitConsumed(t, 30*time.Second, first, s1)
	stop(t, s1)
	if got := values(s1); !slices.Equal(got, slices.Sorted(slices.Values(first))) {
		t.Errorf("static printed %v, want %v", got, first)
	}
	wantCommitted(t, brokers, group, topic, 5, 5)

	later := produce(t, brokers, topic, "b-", 2, 2)
	s2 := example(t, ctx, "static", "static#2", topic, env, "-g", group)
	grouptest.WaitConsumed(t, 20*time.Second, later, s2)
	waitCommitted(t, 20*time.Second, brokers, group, topic, 7, 7) // the commit after the last record
	stop(t, s2)
	if got := values(s2); !slices.Equal(got, slices.Sorted(slices.Values(later))) {
		t.Errorf("restarted static printed %v, want only the later %v", got, later)
	}
	wantCommitted(t, brokers, group, topic, 7, 7)
}

// assign reads exactly the partitions on its command line and commits them.
func TestAssign(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ids := produce(t, brokers, topic, "", 2, 6)
	var want []string
	for _, id := range ids {
		if strings.HasPrefix(id, "p0-") || strings.HasPrefix(id, "p3-") || strings.HasPrefix(id, "p5-") {
			want = append(want, id)
		}
	}
	a := example(t, ctx, "assign", "assign", topic, nil, "-b", brokers, "-t", topic, "0", "3", "5")
	grouptest.WaitConsumed(t, 20*time.Second, want, a)
	// Waiting for an absence: a record of another partition arriving later
	// would make the test pass wrongly, never fail wrongly.
	time.Sleep(500 * time.Millisecond)
	stop(t, a)
	if got := values(a); !slices.Equal(got, want) {
		t.Errorf("assign 0 3 5 printed %v, want %v", got, want)
	}
	if strings.Contains(a.Output(), "revoked") || strings.Contains(a.Output(), "rebalance") {
		t.Errorf("assign printed something about a rebalance:\n%s", a.Output())
	}
	wantCommitted(t, brokers, "assign-example", topic, 2, 0, 0, 2, 0, 2)
}

// listener: a second instance joining makes the first save its state and
// commit (revoked line), then restore it (assigned line).
func TestListener(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	group := "listener-" + topic
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := []string{"BOOTSTRAP=" + brokers, "TOPIC=" + topic}

	first := produce(t, brokers, topic, "a-", 3, 2)
	l1 := example(t, ctx, "listener", "l1", topic, env)
	grouptest.WaitConsumed(t, 30*time.Second, first, l1)
	l2 := example(t, ctx, "listener", "l2", topic, env)
	tp0, tp1 := topic+"/0", topic+"/1"
	saving := fmt.Sprintf("revoked [%s %s]: saving records seen map[%s:3 %s:3]", tp0, tp1, tp0, tp1)
	grouptest.WaitFor(t, 30*time.Second, "l1 revoking and l2 assigned", func() bool {
		return strings.Contains(l1.Output(), saving) && strings.Contains(l2.Output(), "assigned [")
	}, func() string { return l1.Output() + "\n" + l2.Output() })
	later := produce(t, brokers, topic, "b-", 2, 2)
	grouptest.WaitConsumed(t, 30*time.Second, later, l1, l2)
	stop(t, l2)
	stop(t, l1)

	out := l1.Output()
	// After the revoke l1 owns one partition and restores its count only.
	t1 := regexp.QuoteMeta(topic) + `/\d`
	assigned := regexp.MustCompile(`(?m)^assigned \[(` + t1 + `)\]: restored records seen map\[(` + t1 + `):3\]$`)
	i := strings.Index(out, saving)
	if m := assigned.FindStringSubmatch(out[max(i, 0):]); i < 0 || m == nil || m[1] != m[2] {
		t.Errorf("l1 did not restore its saved state after the revoke:\n%s", out)
	}
	c := grouptest.Consume(append(first, later...), grouptest.AllRecords(l1, l2))
	if err := c.AllConsumed(); err != nil || len(c.Duplicates) > 0 {
		t.Errorf("%s (%v)", c.Summary(), err)
	}
	wantCommitted(t, brokers, group, topic, 5, 5)
}

package group_test

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// kcatMember is a kcat -G consumer (librdkafka) in the group: it prints
// each rebalance on stderr as
// "% Group G rebalanced (memberid ID): assigned: topic [0], topic [2]".
type kcatMember struct {
	cmd *exec.Cmd

	mu       sync.Mutex
	memberID string
	assigned []protocol.TopicPartition // nil after a revoke
	stderr   strings.Builder
}

var kcatRebalance = regexp.MustCompile(`^% Group .* rebalanced \(memberid (.*)\): (assigned|revoked): ?(.*)$`)
var kcatPartition = regexp.MustCompile(`^(.*) \[(\d+)\]$`)

func startKcat(t *testing.T, g string, topics ...string) *kcatMember {
	t.Helper()
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		// As kafkatest does for a missing broker: fail in CI, skip elsewhere.
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is not installed (CI=true, so this fails; scripts/deps installs it)")
		}
		t.Skip("kcat is not installed (scripts/deps installs it)")
	}
	args := []string{"-b", kafkatest.Brokers(t), "-G", g}
	args = append(args, topics...)
	args = append(args, "-X", "partition.assignment.strategy=range", "-X", "session.timeout.ms=6000",
		"-X", "heartbeat.interval.ms=500", "-o", "end")
	k := &kcatMember{cmd: exec.Command(kcat, args...)}
	stderr, err := k.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			k.mu.Lock()
			k.stderr.WriteString(line + "\n")
			if m := kcatRebalance.FindStringSubmatch(line); m != nil {
				k.memberID, k.assigned = m[1], nil
				if m[2] == "assigned" {
					k.assigned = []protocol.TopicPartition{}
					for _, f := range strings.Split(m[3], ", ") {
						if p := kcatPartition.FindStringSubmatch(f); p != nil {
							n, _ := strconv.Atoi(p[2])
							k.assigned = append(k.assigned, protocol.TopicPartition{Topic: p[1], Partition: int32(n)})
						}
					}
					slices.SortFunc(k.assigned, protocol.TopicPartition.Compare)
				}
			}
			k.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		k.stop()
		k.cmd.Wait()
		<-done
	})
	return k
}

// stop asks kcat to close (SIGTERM: it leaves the group).
func (k *kcatMember) stop() { k.cmd.Process.Signal(syscall.SIGTERM) }

func (k *kcatMember) state() (string, []protocol.TopicPartition, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.memberID, k.assigned, k.stderr.String()
}

// TestIntegrationMixedGroupWithKcat: a rawkafka member and a librdkafka
// one (kcat -G) in one range group, either leading: what the leader
// assigned is what each side reads, every partition once, and it is what
// Range gives for their two member ids.
func TestIntegrationMixedGroupWithKcat(t *testing.T) {
	for _, rawLeads := range []bool{true, false} {
		name := map[bool]string{true: "rawkafka leads", false: "kcat leads"}[rawLeads]
		t.Run(name, func(t *testing.T) {
			topic := kafkatest.CreateTopic(t, "", 5, 1)
			counts := map[string]int32{topic: 5}
			g := groupName(t)
			var raw *member
			var k *kcatMember
			if rawLeads {
				raw = startMember(t, "rawkafka", fastConfig(g, "", assignor.Range, assignor.RoundRobin), topic)
				eventually(t, 20*time.Second, func() bool { return settled([]*member{raw}, counts) }, func() string { return describeMembers([]*member{raw}) })
				k = startKcat(t, g, topic)
			} else {
				k = startKcat(t, g, topic)
				eventually(t, 20*time.Second, func() bool { _, a, _ := k.state(); return len(a) == 5 }, func() string { _, _, s := k.state(); return "kcat:\n" + s })
				raw = startMember(t, "rawkafka", fastConfig(g, "", assignor.Range, assignor.RoundRobin), topic)
			}
			describe := func() string { _, _, s := k.state(); return describeMembers([]*member{raw}) + "\nkcat:\n" + s }
			eventually(t, 25*time.Second, func() bool {
				id, assigned, _ := k.state()
				m := raw.d.Member()
				view, _ := raw.seen()
				if id == "" || assigned == nil || m.State() != group.Stable || !slices.Equal(view, m.Owned()) {
					return false
				}
				all := slices.Concat(assigned, m.Owned())
				slices.SortFunc(all, protocol.TopicPartition.Compare)
				return len(all) == 5 && len(slices.Compact(all)) == 5 && len(m.Owned()) > 0 && len(assigned) > 0
			}, describe)
			m := raw.d.Member()
			id, assigned, _ := k.state()
			if m.Leader() != rawLeads || m.Protocol() != "range" {
				t.Fatalf("rawkafka leader=%v protocol %q:%s", m.Leader(), m.Protocol(), describe())
			}
			want, err := assignor.Range.Assign(assignor.Group{
				Members: []assignor.Member{{ID: m.MemberID(), Topics: []string{topic}}, {ID: id, Topics: []string{topic}}},
				Topics:  map[string]assignor.Topic{topic: {Partitions: 5}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(want[m.MemberID()].Partitions, m.Owned()) || !slices.Equal(want[id].Partitions, assigned) {
				t.Errorf("rawkafka %v, kcat %v; range gives %v and %v", m.Owned(), assigned, want[m.MemberID()].Partitions, want[id].Partitions)
			}
			t.Logf("generation %d: rawkafka %s owns %v, kcat %s owns %v", m.Generation(), m.MemberID(), m.Owned(), id, assigned)

			// kcat leaves: rawkafka takes everything in the next generation.
			gen := m.Generation()
			k.stop()
			eventually(t, 15*time.Second, func() bool {
				return settled([]*member{raw}, counts) && raw.d.Member().Generation() > gen
			}, describe)
		})
	}
}

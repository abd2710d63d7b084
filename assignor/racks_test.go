package assignor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// rackCase is one of the rack scenarios of Java's RangeAssignorTest and
// AbstractStickyAssignorTest (testRackAwareAssignment*), written the way
// their verifyRackAssignment builds them: topics laid on brokers in turn
// (partition p of a topic whose partitions start at n in the run of all
// topics has replicas on brokers (p+n+j) % brokers, j < rf), broker i on
// rack brokerRacks[i], and consumer i ("consumer<i>") on consumerRacks[i]
// ("" for none). want is each consumer's partitions as Java writes them
// ("t1-0, t1-3"), remote how many of them are not on their consumer's rack.
type rackCase struct {
	name          string
	topics        []string // "t1:6", in Java's HashMap order (t1, t2, ...)
	rf            int
	brokerRacks   []string
	consumerRacks []string
	subs          [][]string
	owned         []string // Java's form, for CooperativeSticky's claims
	want          []string
	remote        int
}

func (c rackCase) group(t *testing.T) Group {
	t.Helper()
	g := Group{Topics: map[string]Topic{}}
	next := 0
	for _, spec := range c.topics {
		name, n, _ := strings.Cut(spec, ":")
		count, err := strconv.Atoi(n)
		if err != nil {
			t.Fatal(err)
		}
		tp := Topic{Partitions: int32(count), Racks: make([][]string, count)}
		for p := range count {
			for j := range c.rf {
				if r := c.brokerRacks[(p+j+next)%len(c.brokerRacks)]; r != "" {
					tp.Racks[p] = append(tp.Racks[p], r)
				}
			}
		}
		next += count
		g.Topics[name] = tp
	}
	for i, rack := range c.consumerRacks {
		m := Member{ID: fmt.Sprintf("consumer%d", i), Rack: rack, Topics: c.subs[i], Generation: -1}
		if i < len(c.owned) {
			m.Owned = parseJavaPartitions(c.owned[i])
		}
		g.Members = append(g.Members, m)
	}
	return g
}

func parseJavaPartitions(s string) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, f := range strings.Split(s, ", ") {
		i := strings.LastIndexByte(f, '-')
		p, _ := strconv.Atoi(f[i+1:])
		out = append(out, protocol.TopicPartition{Topic: f[:i], Partition: int32(p)})
	}
	return out
}

func javaPartitions(tps []protocol.TopicPartition) string {
	s := make([]string, len(tps))
	for i, tp := range tps {
		s[i] = fmt.Sprintf("%s-%d", tp.Topic, tp.Partition)
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func runRackCases(t *testing.T, a Assignor, cases []rackCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.group(t)
			out, err := a.Assign(g)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(g, out, 0); err != nil && len(c.owned) == 0 {
				t.Fatal(err)
			}
			remote := 0
			for i, m := range g.Members {
				ps := out[m.ID].Partitions
				if got := javaPartitions(ps); got != c.want[i] {
					t.Errorf("%s: got %q, want %q", m.ID, got, c.want[i])
				}
				for _, tp := range ps {
					if m.Rack != "" && !onRack(g, tp, m.Rack) {
						remote++
					}
				}
			}
			if remote != c.remote {
				t.Errorf("%d partitions off their consumer's rack, want %d", remote, c.remote)
			}
		})
	}
}

var (
	abc      = []string{"a", "b", "c"}
	ab       = []string{"a", "b"}
	t123     = []string{"t1", "t2", "t3"}
	t13      = []string{"t1", "t3"}
	uneven   = []string{"t1:6", "t2:7", "t3:2"}
	uniform  = []string{"t1:5", "t2:5", "t3:5"}
	allThree = [][]string{t123, t123, t123}
	twoOne   = [][]string{t123, t123, t13}
)

// TestRangeRacks: RangeAssignorTest's rack scenarios.
func TestRangeRacks(t *testing.T) {
	plainUniform := []string{"t1-0, t1-1, t2-0, t2-1, t3-0, t3-1", "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3", "t1-4, t2-4, t3-4"}
	coTopics := []string{"t1:6", "t2:6", "t3:2", "t4:2"}
	t1234 := []string{"t1", "t2", "t3", "t4"}
	pairs := [][]string{{"t1", "t2"}, {"t1", "t2"}, {"t3", "t4"}, {"t3", "t4"}}
	abba := []string{"a", "b", "b", "a"}
	runRackCases(t, Range, []rackCase{
		{"uniform subscription, rf 1", uneven, 1, abc, abc, allThree, nil,
			[]string{"t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1"}, 0},
		{"uniform subscription, rf 2", uneven, 2, abc, abc, allThree, nil,
			[]string{"t1-0, t1-2, t2-0, t2-2, t2-3, t3-1", "t1-1, t1-3, t2-1, t2-4, t3-0", "t1-4, t1-5, t2-5, t2-6"}, 1},
		{"uniform subscription, a consumer on a rack without replicas", uneven, 3, ab, abc, allThree, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"}, 4},
		{"uniform subscription, every partition on every rack: classic range", uneven, 3, abc, abc, allThree, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"}, 0},
		{"uniform subscription, no rack in common: classic range", uneven, 1, abc, []string{"d", "e", "f"}, allThree, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"}, 15},
		{"uniform subscription, brokers without racks: classic range", uneven, 1, []string{"", "", ""}, abc, allThree, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"}, 15},
		{"unequal subscription, rf 1", uneven, 1, abc, abc, twoOne, nil,
			[]string{"t1-0, t1-3, t2-0, t2-2, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t2-5, t3-0", "t1-2, t1-5, t3-1"}, 2},
		{"unequal subscription, rf 2", uneven, 2, abc, abc, twoOne, nil,
			[]string{"t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1", "t1-1, t1-3, t2-1, t2-4, t2-6, t3-0", "t1-4, t1-5"}, 0},
		{"unequal subscription, a consumer on a rack without replicas", uneven, 3, ab, abc, twoOne, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0", "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1", "t1-4, t1-5"}, 2},
		{"uniform partitions: co-partitioning before racks, rf 1", uniform, 1, abc, abc, allThree, nil, plainUniform, 10},
		{"uniform partitions: co-partitioning before racks, rf 2", uniform, 2, abc, abc, allThree, nil, plainUniform, 5},
		{"uniform partitions, unequal subscription, rf 1", uniform, 1, abc, abc, twoOne, nil,
			[]string{"t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1", "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3", "t1-4, t3-4"}, 9},
		{"uniform partitions, unequal subscription, rf 2", uniform, 2, abc, abc, twoOne, nil,
			[]string{"t1-2, t2-0, t2-1, t2-3, t3-2", "t1-0, t1-3, t2-2, t2-4, t3-0, t3-3", "t1-1, t1-4, t3-1, t3-4"}, 0},
		{"co-partitioned pairs, rf 1", coTopics, 1, ab, abba, pairs, nil,
			[]string{"t1-0, t1-2, t1-4, t2-0, t2-2, t2-4", "t1-1, t1-3, t1-5, t2-1, t2-3, t2-5", "t3-1, t4-1", "t3-0, t4-0"}, 0},
		{"co-partitioned pairs, rf 2", coTopics, 2, ab, abba, pairs, nil,
			[]string{"t1-0, t1-1, t1-2, t2-0, t2-1, t2-2", "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5", "t3-0, t4-0", "t3-1, t4-1"}, 0},
		{"co-partitioned, all subscribed, rf 1", coTopics, 1, ab, abba, [][]string{t1234, t1234, t1234, t1234}, nil,
			[]string{"t1-0, t1-2, t2-0, t2-2, t3-0, t4-0", "t1-1, t1-3, t2-1, t2-3, t3-1, t4-1", "t1-5, t2-5", "t1-4, t2-4"}, 0},
		{"co-partitioned, all subscribed, three racks", coTopics, 1, abc, abba, [][]string{t1234, t1234, t1234, t1234}, nil,
			[]string{"t1-0, t1-3, t2-0, t2-3, t3-0, t4-0", "t1-1, t1-4, t2-1, t2-4, t3-1, t4-1", "t1-2, t2-2", "t1-5, t2-5"}, 6},
	})
}

// TestStickyRacks: AbstractStickyAssignorTest's rack scenarios, for both
// sticky assignors, and with claims for CooperativeSticky.
func TestStickyRacks(t *testing.T) {
	plainUniform := []string{"t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1"}
	plainUnequal := []string{"t1-5, t2-0, t2-2, t2-4, t2-6", "t1-3, t2-1, t2-3, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-4, t3-1"}
	misaligned := []string{"t1-0, t1-1, t1-2, t1-3, t1-4", "t1-5, t2-0, t2-1, t2-2, t2-3", "t2-4, t2-5, t2-6, t3-0, t3-1"}
	cases := []rackCase{
		{"uniform, every partition on every rack", uneven, 3, abc, abc, allThree, nil, plainUniform, 0},
		{"uniform, brokers without racks", uneven, 3, []string{"", "", ""}, abc, allThree, nil, plainUniform, 15},
		{"uniform, consumers without racks", uneven, 3, abc, []string{"", "", ""}, allThree, nil, plainUniform, 0},
		{"uniform, no rack in common", uneven, 3, abc, []string{"d", "e", "f"}, allThree, nil, plainUniform, 15},
		{"uniform, rf 1", uneven, 1, abc, abc, allThree, nil, plainUniform, 0},
		{"uniform, rf 2", uneven, 2, abc, abc, allThree, nil, plainUniform, 0},
		{"uniform, a consumer on a rack without replicas", uneven, 3, ab, abc, allThree, nil, plainUniform, 5},
		{"unequal, every partition on every rack", uneven, 3, abc, abc, twoOne, nil, plainUnequal, 0},
		{"unequal, no rack in common", uneven, 3, abc, []string{"d", "e", "f"}, twoOne, nil, plainUnequal, 15},
		{"unequal, rf 1", uneven, 1, abc, abc, twoOne, nil,
			[]string{"t1-3, t2-0, t2-2, t2-3, t2-6", "t1-4, t2-1, t2-4, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-5, t3-1"}, 4},
		{"unequal, rf 2", uneven, 2, abc, abc, twoOne, nil,
			[]string{"t1-3, t2-0, t2-2, t2-5, t2-6", "t1-0, t2-1, t2-3, t2-4, t3-0", "t1-1, t1-2, t1-4, t1-5, t3-1"}, 0},
		{"unequal, a consumer on a rack without replicas", uneven, 3, ab, abc, twoOne, nil, plainUnequal, 5},
	}
	for _, a := range []Assignor{Sticky, CooperativeSticky} {
		t.Run(a.Name(), func(t *testing.T) { runRackCases(t, a, cases) })
	}
	// Owned partitions off their owner's rack are revoked (held back this
	// round), those on it kept.
	t.Run("cooperative-sticky/claims", func(t *testing.T) {
		runRackCases(t, CooperativeSticky, []rackCase{
			{"uniform, owned partitions misaligned", uneven, 1, abc, abc, allThree, misaligned,
				[]string{"t1-0, t1-3", "t2-1", "t2-5, t3-1"}, 0},
			{"uniform, owned partitions aligned are kept", uneven, 1, abc, abc, allThree, plainUniform, plainUniform, 0},
			{"unequal, owned partitions misaligned", uneven, 1, abc, abc, twoOne, misaligned,
				[]string{"t1-3", "t2-1", "t3-1"}, 0},
		})
	})
}

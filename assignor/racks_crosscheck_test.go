package assignor

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestCrossCheckJavaRacks wants Range, Sticky and CooperativeSticky to give
// what kafka-clients' RangeAssignor, StickyAssignor and
// CooperativeStickyAssignor (KIP-881's rack-aware versions) gave for the
// groups of racks-groups.txt, whose partitions have replicas on racks
// (racks-java-<version>.txt, made by CrossCheck.java with "racks"). Range
// and every fresh group (nobody owns anything) and every group with equal
// subscriptions must be equal line for line (except where a member
// subscribed to nothing sends Java's sticky assignors down their
// equal-subscriptions path: skipped, see emptyLetIn); for a second rebalance with
// unequal subscriptions Java picks partitions to move from HashSets (see
// TestCrossCheckJavaStickyRebalance), so there the partitions moved, the
// balance score and the partitions not on their member's rack, summed,
// must be within 5% of Java's.
func TestCrossCheckJavaRacks(t *testing.T) {
	if *writeGroups {
		if err := os.WriteFile(crossDir+"racks-groups.txt", []byte(formatCrossInputs(rackCrossInputs())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs := readCrossInputs(t, "racks-groups.txt")
	out, err := crossAssign(inputs, []Assignor{Range, Sticky, CooperativeSticky}, false)
	if err != nil {
		t.Fatal(err)
	}
	got := crossBlocks(out)
	// The same groups without replica racks: where that differs from Java,
	// the racks mattered (the test must have such groups to mean anything).
	var plain []crossInput
	for _, c := range inputs {
		c.group.Topics = maps.Clone(c.group.Topics)
		for name, tp := range c.group.Topics {
			tp.Racks = nil
			c.group.Topics[name] = tp
		}
		plain = append(plain, c)
	}
	out, err = crossAssign(plain, []Assignor{Range, Sticky, CooperativeSticky}, false)
	if err != nil {
		t.Fatal(err)
	}
	oblivious := crossBlocks(out)
	for file, text := range javaOutputs(t, "racks-java-") {
		want := crossBlocks(text)
		type sums struct{ equal, compared, movesGo, movesJava, scoreGo, scoreJava, remoteGo, remoteJava int }
		per := map[string]*sums{"range": {}, "sticky": {}, "cooperative-sticky": {}}
		threw, unasked, changed := 0, 0, map[string]int{}
		for key, w := range want {
			if len(w) > 0 && strings.HasPrefix(w[0], "error ") {
				threw++
				continue
			}
			fields := strings.Fields(key)
			i, _ := strconv.Atoi(fields[1])
			c := inputs[i]
			if fields[2] != "range" && emptyLetIn(c.group) {
				unasked++
				continue
			}
			s := per[fields[2]]
			s.compared++
			if !slices.Equal(oblivious[key], w) {
				changed[fields[2]]++
			}
			if slices.Equal(got[key], w) {
				s.equal++
			} else if fields[2] == "range" || !c.claims || equalSubscriptionLists(c.group) {
				t.Errorf("%s, %s:\ngot  %q\nwant %q", file, key, got[key], w)
			}
			mg, sg := crossMeasures(c.group, got[key])
			mj, sj := crossMeasures(c.group, w)
			s.movesGo, s.scoreGo, s.movesJava, s.scoreJava = s.movesGo+mg, s.scoreGo+sg, s.movesJava+mj, s.scoreJava+sj
			s.remoteGo += crossRemote(c.group, got[key])
			s.remoteJava += crossRemote(c.group, w)
		}
		for name, s := range per {
			t.Logf("%s, %s: %d of %d assignments equal (%d of them differ from the assignment without racks); partitions moved %d (Java %d), balance score %d (Java %d), off their member's rack %d (Java %d)",
				file, name, s.equal, s.compared, changed[name], s.movesGo, s.movesJava, s.scoreGo, s.scoreJava, s.remoteGo, s.remoteJava)
			if changed[name] < s.compared/4 {
				t.Errorf("%s, %s: racks changed only %d assignments of %d", file, name, changed[name], s.compared)
			}
			if s.movesGo*100 > s.movesJava*105 || s.scoreGo*100 > s.scoreJava*105 || s.remoteGo*100 > s.remoteJava*105 {
				t.Errorf("%s, %s: more than 5%% worse than Java", file, name)
			}
		}
		t.Logf("%s: %d assignments where Java threw, %d sticky ones where a member subscribed to nothing let the others into Java's equal-subscriptions path, skipped", file, threw, unasked)
	}
}

// emptyLetIn reports whether a member of g subscribes to nothing while
// the others all subscribe to the same topics: Java's sticky assignors
// then take the equal-subscriptions path and give that member partitions
// it never asked for (see equalSubscriptions), which rawkafka does not.
func emptyLetIn(g Group) bool {
	var some []Member
	empty := false
	for _, m := range g.Members {
		if len(m.Topics) == 0 {
			empty = true
		} else {
			some = append(some, m)
		}
	}
	return empty && len(some) > 0 && equalSubscriptionLists(Group{Members: some})
}

// crossRemote counts, in an assignment block, the partitions given to a
// member with a rack that holds no replica of them.
func crossRemote(g Group, lines []string) int {
	n := 0
	for j, l := range lines {
		if j >= len(g.Members) || g.Members[j].Rack == "" {
			continue
		}
		_, f, _ := strings.Cut(l, " ")
		tps, _ := parseCrossPartitions(f)
		for _, tp := range tps {
			if !onRack(g, tp, g.Members[j].Rack) {
				n++
			}
		}
	}
	return n
}

func onRack(g Group, tp protocol.TopicPartition, rack string) bool {
	racks := g.Topics[tp.Topic].Racks
	return int(tp.Partition) < len(racks) && slices.Contains(racks[tp.Partition], rack)
}

// rackCrossInputs draws the groups of racks-groups.txt: random groups (no
// topic listed twice) with members on racks r0-r2 or none or r3 (where no
// replica is), and partitions with replicas on one, two or all of r0-r2
// (some topics all on all racks, some groups with every topic of one
// partition count, co-partitioned for range); half of them fresh, half a
// second rebalance after Sticky's first, with churn and claims as in
// sticky-groups.txt.
func rackCrossInputs() []crossInput {
	rng := rand.New(rand.NewPCG(881, 35))
	var in []crossInput
	for i := range 300 {
		g := randomGroup(rng)
		copart := rng.IntN(4) == 0
		n := int32(1 + rng.IntN(12))
		for _, name := range sortedTopics(g) { // in order: rng draws for each
			t := g.Topics[name]
			if copart && t.Partitions > 0 {
				t.Partitions = n
			}
			g.Topics[name] = withRacks(rng, t)
		}
		onRacks(rng, g, 7)
		if i%2 == 0 {
			in = append(in, crossInput{group: g})
			continue
		}
		c, first := churnAfterSticky(rng, g)
		for j := range c.g.Members {
			m := &c.g.Members[j]
			if m.Rack == "" && rng.IntN(3) > 0 {
				m.Rack = fmt.Sprintf("r%d", rng.IntN(3)) // joined, or changed rack
			}
			if a, ok := first[m.ID]; ok {
				m.Owned, m.Generation = a.Partitions, 1
			}
		}
		in = append(in, crossInput{group: c.g, claims: true})
	}
	return in
}

// onRacks drops the topics g's members list twice and puts each member on
// a rack: on r0-r2 in tenths of them, on r3 (no replica there) in one
// tenth, on none in the rest.
func onRacks(rng *rand.Rand, g Group, tenths int) {
	for j := range g.Members {
		m := &g.Members[j]
		s := slices.Clone(m.Topics)
		slices.Sort(s)
		m.Topics = slices.Compact(s)
		switch k := rng.IntN(10); {
		case k < tenths:
			m.Rack = fmt.Sprintf("r%d", rng.IntN(3))
		case k == tenths:
			m.Rack = "r3"
		}
	}
}

// withRacks gives t's partitions replica racks: all on all three racks
// for one topic in six, else each on one or two (now and then three) of
// r0-r2, or on none (a partition of a broker without a rack) now and then.
func withRacks(rng *rand.Rand, t Topic) Topic {
	if t.Partitions <= 0 {
		return t
	}
	all := []string{"r0", "r1", "r2"}
	everywhere := rng.IntN(6) == 0
	t.Racks = make([][]string, t.Partitions)
	for p := range t.Racks {
		switch k := rng.IntN(20); {
		case everywhere || k == 0:
			t.Racks[p] = all
		case k == 1:
			// no rack
		default:
			first := rng.IntN(3)
			t.Racks[p] = []string{all[first]}
			if rng.IntN(2) == 0 {
				t.Racks[p] = append(t.Racks[p], all[(first+1+rng.IntN(2))%3])
			}
		}
	}
	return t
}

package assignor

import (
	"maps"
	"slices"
	"testing"
)

// withBenchRacks is g with its members on racks r0-r2 in turn and every
// partition on one or two of them (by its place in all the partitions:
// on r(k%3), and on the next rack too for every other one), six sets of
// racks shared by all partitions, as the leader's metadata shares them.
func withBenchRacks(g Group) Group {
	all := []string{"r0", "r1", "r2"}
	var sets [6][]string
	for k := range sets {
		sets[k] = []string{all[k%3]}
		if k >= 3 {
			sets[k] = append(sets[k], all[(k+1)%3])
		}
	}
	out := Group{Topics: map[string]Topic{}, Members: make([]Member, len(g.Members))}
	for i, m := range g.Members {
		m.Rack = all[i%3]
		out.Members[i] = m
	}
	k := 0
	for _, name := range sortedTopics(g) {
		t := g.Topics[name]
		t.Racks = make([][]string, t.Partitions)
		for p := range t.Racks {
			t.Racks[p] = sets[k%3+3*(k/3%2)]
			k++
		}
		out.Topics[name] = t
	}
	return out
}

func sortedTopics(g Group) []string {
	return slices.Sorted(maps.Keys(g.Topics))
}

// BenchmarkRacks is range and both sticky assignors on BenchmarkSticky's
// equal-subscription shapes (2,000 members over 10,000 and 1,000,000
// partitions), fresh and after one member left, with the members and
// partitions on racks (withBenchRacks); BenchmarkSticky and BenchmarkAssign
// are the same without racks.
func BenchmarkRacks(b *testing.B) {
	for _, s := range []struct {
		name             string
		topics, perTopic int
	}{{"2000m/1x10000p", 1, 10000}, {"2000m/500x2000p", 500, 2000}} {
		g := withBenchRacks(stickyBenchGroup(s.topics, s.perTopic))
		for _, a := range []Assignor{Range, Sticky, CooperativeSticky} {
			cases := []struct {
				name string
				g    Group
			}{{"fresh", g}}
			if a != Range {
				cases = append(cases, struct {
					name string
					g    Group
				}{"onegone", oneGone(b, a, g)})
			}
			for _, c := range cases {
				b.Run(a.Name()+"/"+s.name+"/"+c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := a.Assign(c.g); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

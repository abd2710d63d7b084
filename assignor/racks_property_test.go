package assignor

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRacksProperties runs range and both sticky assignors over thousands
// of random groups with racks (rackCrossInputs' kind: members on r0-r2, r3
// or none, partitions on one to three racks) and wants: the invariants
// (Check) and the balance each promises without racks (per topic for
// range; within one for the sticky assignors with equal subscriptions);
// the same result for any order of Group.Members where the assignor
// promises that; and, summed over the groups, at least as many partitions
// on their member's rack as the same groups get without racks. Per group
// that can fail (Java's rack passes are greedy), so the count of groups
// where it does is logged, not asserted.
func TestRacksProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 881))
	type sums struct{ local, oblivious, worse, groups int }
	per := map[string]*sums{}
	for i := range 3000 {
		g := randomGroup(rng)
		for _, name := range sortedTopics(g) { // in order: rng draws for each
			g.Topics[name] = withRacks(rng, g.Topics[name])
		}
		onRacks(rng, g, 8)
		plain := g
		plain.Topics = maps.Clone(g.Topics)
		for name, tp := range plain.Topics {
			tp.Racks = nil
			plain.Topics[name] = tp
		}
		equal := equalSubscriptionLists(g)
		for _, a := range []Assignor{Range, Sticky, CooperativeSticky} {
			where := fmt.Sprintf("group %d, %s", i, a.Name())
			out, err := a.Assign(g)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			b := Balance(0)
			switch {
			case a == Range:
				b = BalancePerTopic
			case equal:
				b = BalanceTotal
			}
			if err := Check(g, out, b); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if a == Range { // range depends on Java's member order only
				shuffled := g
				shuffled.Members = slices.Clone(g.Members)
				rng.Shuffle(len(shuffled.Members), func(x, y int) {
					shuffled.Members[x], shuffled.Members[y] = shuffled.Members[y], shuffled.Members[x]
				})
				again, _ := a.Assign(shuffled)
				for id, as := range out {
					if !slices.Equal(as.Partitions, again[id].Partitions) {
						t.Fatalf("%s: %s gets %v, %v after shuffling the members", where, id, as.Partitions, again[id].Partitions)
					}
				}
			}
			base, err := a.Assign(plain)
			if err != nil {
				t.Fatalf("%s without racks: %v", where, err)
			}
			s := per[a.Name()]
			if s == nil {
				s = &sums{}
				per[a.Name()] = s
			}
			l, o := localCount(g, out), localCount(g, base)
			s.local, s.oblivious, s.groups = s.local+l, s.oblivious+o, s.groups+1
			if l < o {
				s.worse++
			}
		}
	}
	for name, s := range per {
		t.Logf("%s: %d partitions on their member's rack (%d without racks) over %d groups; fewer than without racks in %d groups",
			name, s.local, s.oblivious, s.groups, s.worse)
		if s.local < s.oblivious {
			t.Errorf("%s: racks made assignments less rack-local", name)
		}
	}
}

// localCount is how many partitions out gives to a member on one of their
// replicas' racks.
func localCount(g Group, out map[string]Assignment) int {
	n := 0
	for _, m := range g.Members {
		for _, tp := range out[m.ID].Partitions {
			if m.Rack != "" && onRack(g, tp, m.Rack) {
				n++
			}
		}
	}
	return n
}

package assignor

import (
	"fmt"
	"testing"
)

// stickyBenchGroup is benchGroup's 2,000 members over topics×perTopic
// partitions, all subscribed to everything.
func stickyBenchGroup(topics, perTopic int) Group {
	g := benchGroup(10000, false)
	g.Topics = map[string]Topic{}
	var names []string
	for i := range topics {
		name := fmt.Sprintf("events.topic-%04d", i)
		names = append(names, name)
		g.Topics[name] = Topic{Partitions: int32(perTopic)}
	}
	for i := range g.Members {
		g.Members[i].Topics = names
	}
	return g
}

// oneGone is g after a rebalance by a, and one member (the first) gone:
// the others claim what they got, of generation 1, where a reads it.
func oneGone(b *testing.B, a Assignor, g Group) Group {
	out, err := a.Assign(g)
	if err != nil {
		b.Fatal(err)
	}
	next := Group{Topics: g.Topics}
	for _, m := range g.Members[1:] {
		m.Owned, m.Generation = out[m.ID].Partitions, 1
		if a == Sticky {
			m.UserData = Sticky.SubscriptionUserData(m)
			m.Owned, m.Generation = nil, -1
		}
		next.Members = append(next.Members, m)
	}
	return next
}

// BenchmarkSticky is both sticky assignors on 2,000 members over 10,000
// partitions (one topic) and 1,000,000 (500 topics of 2,000), fresh and
// after one member left, and over 100 topics of 100 partitions with each
// member subscribed to a random half (the general path).
func BenchmarkSticky(b *testing.B) {
	shapes := []struct {
		name             string
		topics, perTopic int
		unequal          bool
	}{
		{"2000m/1x10000p", 1, 10000, false},
		{"2000m/500x2000p", 500, 2000, false},
		{"2000m/100x100p/unequal", 100, 100, true},
	}
	for _, s := range shapes {
		g := stickyBenchGroup(s.topics, s.perTopic)
		if s.unequal {
			g = benchGroup(s.perTopic, true)
		}
		for _, a := range []Assignor{Sticky, CooperativeSticky} {
			for _, c := range []struct {
				name string
				g    Group
			}{{"fresh", g}, {"onegone", oneGone(b, a, g)}} {
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

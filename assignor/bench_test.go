package assignor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchGroup is 2,000 members with ids like the coordinator's (client id,
// then a UUID), one in five static, and 10,000 partitions in topics of
// perTopic partitions; every member subscribes to all topics, or with
// unequal to a random half of them.
func benchGroup(perTopic int, unequal bool) Group {
	rng := rand.New(rand.NewPCG(7, 7))
	const members, partitions = 2000, 10000
	g := Group{Topics: map[string]Topic{}}
	var topics []string
	for i := range partitions / perTopic {
		name := fmt.Sprintf("events.topic-%04d", i)
		topics = append(topics, name)
		g.Topics[name] = Topic{Partitions: int32(perTopic)}
	}
	for i := range members {
		m := Member{
			ID:         fmt.Sprintf("rawkafka-%d-%08x-%04x-%04x-%04x-%012x", i%7, rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff),
			Generation: -1,
			Topics:     topics,
		}
		if i%5 == 0 {
			m.InstanceID = fmt.Sprintf("pod-%d", i)
		}
		if unequal {
			m.Topics = nil
			for _, t := range topics {
				if rng.IntN(2) == 0 {
					m.Topics = append(m.Topics, t)
				}
			}
		}
		g.Members = append(g.Members, m)
	}
	return g
}

func BenchmarkAssign(b *testing.B) {
	shapes := []struct {
		name     string
		perTopic int
		unequal  bool
	}{
		{"2000m/1x10000p", 10000, false},
		{"2000m/100x100p", 100, false},
		{"2000m/100x100p/unequal", 100, true},
	}
	for _, a := range []Assignor{Range, RoundRobin} {
		for _, s := range shapes {
			g := benchGroup(s.perTopic, s.unequal)
			b.Run(a.Name()+"/"+s.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Assign(g); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	g := benchGroup(100, false)
	out, _ := RoundRobin.Assign(g)
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(g, out, BalancePerTopic|BalanceTotal); err != nil {
			b.Fatal(err)
		}
	}
}

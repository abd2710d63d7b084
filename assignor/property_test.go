package assignor

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// randomGroup draws a group: up to 30 members (a third of them static), up
// to 9 topics, some without metadata or partitions; subscriptions equal for
// all members in a third of the groups, random subsets (empty ones,
// duplicates and unknown topics included) in the rest.
func randomGroup(rng *rand.Rand) Group {
	g := Group{Topics: map[string]Topic{}}
	var names []string
	for i := range rng.IntN(10) {
		name := fmt.Sprintf("t%d", i)
		if rng.IntN(4) == 0 {
			name = fmt.Sprintf("topic-%c%d", 'a'+rng.IntN(26), i)
		}
		names = append(names, name)
		switch rng.IntN(20) {
		case 0: // no metadata
		case 1:
			g.Topics[name] = Topic{Partitions: 0}
		default:
			g.Topics[name] = Topic{Partitions: int32(1 + rng.IntN(30))}
		}
	}
	subset := func() []string {
		var s []string
		for _, n := range names {
			if rng.IntN(2) == 0 {
				s = append(s, n)
			}
		}
		if len(s) > 0 && rng.IntN(10) == 0 {
			s = append(s, s[0]) // a duplicate
		}
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return s
	}
	equal := rng.IntN(3) == 0
	all := subset()
	n := rng.IntN(31)
	for i := range n {
		m := Member{ID: fmt.Sprintf("consumer-%x", rng.Uint32()), Generation: -1}
		if rng.IntN(3) == 0 {
			m.InstanceID = fmt.Sprintf("instance-%d", rng.IntN(1000)*n+i) // distinct
		}
		if equal {
			m.Topics = slices.Clone(all)
			rng.Shuffle(len(m.Topics), func(i, j int) { m.Topics[i], m.Topics[j] = m.Topics[j], m.Topics[i] })
		} else {
			m.Topics = subset()
		}
		g.Members = append(g.Members, m)
	}
	return g
}

// javaSorted returns the members in Java's MemberInfo order.
func javaSorted(members []Member) []Member {
	s := slices.Clone(members)
	slices.SortFunc(s, func(a, b Member) int { return compareMembers(&a, &b) })
	return s
}

// refRange is Java's range written out the plain way (the formula of its
// older versions): per topic, subscriber i of k takes n/k partitions, one
// more when i < n%k, starting at n/k*i + min(i, n%k).
func refRange(g Group) map[string][]protocol.TopicPartition {
	out := make(map[string][]protocol.TopicPartition)
	sorted := javaSorted(g.Members)
	for _, m := range sorted {
		out[m.ID] = nil
	}
	for topic, meta := range g.Topics {
		var consumers []string
		for _, m := range sorted {
			if slices.Contains(m.Topics, topic) {
				consumers = append(consumers, m.ID)
			}
		}
		if meta.Partitions <= 0 || len(consumers) == 0 {
			continue
		}
		n, k := int(meta.Partitions), len(consumers)
		for i, c := range consumers {
			start := n/k*i + min(i, n%k)
			length := n / k
			if i+1 <= n%k {
				length++
			}
			for p := start; p < start+length; p++ {
				out[c] = append(out[c], protocol.TopicPartition{Topic: topic, Partition: int32(p)})
			}
		}
	}
	for _, tps := range out {
		slices.SortFunc(tps, protocol.TopicPartition.Compare)
	}
	return out
}

// refRoundRobin is Java's roundrobin written out: a circular iterator over
// the sorted members, skipping those not subscribed to the partition's topic.
func refRoundRobin(g Group) map[string][]protocol.TopicPartition {
	out := make(map[string][]protocol.TopicPartition)
	sorted := javaSorted(g.Members)
	for _, m := range sorted {
		out[m.ID] = nil
	}
	var topics []string
	for _, m := range sorted {
		for _, t := range m.Topics {
			if !slices.Contains(topics, t) {
				topics = append(topics, t)
			}
		}
	}
	slices.Sort(topics)
	next := 0
	for _, t := range topics {
		for p := range g.Topics[t].Partitions {
			for !slices.Contains(sorted[next].Topics, t) {
				next = (next + 1) % len(sorted)
			}
			out[sorted[next].ID] = append(out[sorted[next].ID], protocol.TopicPartition{Topic: t, Partition: p})
			next = (next + 1) % len(sorted)
		}
	}
	for _, tps := range out {
		slices.SortFunc(tps, protocol.TopicPartition.Compare)
	}
	return out
}

// TestProperties runs range and roundrobin over thousands of random
// groups: each result passes Check, equals the plain transcription of
// Java's algorithm, and does not depend on the order members come in.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261201, 1))
	n := 4000
	if testing.Short() {
		n = 500
	}
	for _, c := range []struct {
		a   Assignor
		b   Balance
		ref func(Group) map[string][]protocol.TopicPartition
	}{
		{Range, BalancePerTopic, refRange},
		{RoundRobin, BalancePerTopic | BalanceTotal, refRoundRobin},
	} {
		for i := range n {
			g := randomGroup(rng)
			out, err := c.a.Assign(g)
			if err != nil {
				t.Fatalf("%s, group %d: %v", c.a.Name(), i, err)
			}
			if err := Check(g, out, c.b); err != nil {
				t.Fatalf("%s, group %d %+v: %v", c.a.Name(), i, g, err)
			}
			want := c.ref(g)
			if len(want) != len(out) {
				t.Fatalf("%s, group %d: %d assignments, want %d", c.a.Name(), i, len(out), len(want))
			}
			for id, w := range want {
				if got := out[id].Partitions; !slices.Equal(got, w) {
					t.Fatalf("%s, group %d %+v, member %s:\ngot  %v\nwant %v", c.a.Name(), i, g, id, got, w)
				}
			}
			shuffled := Group{Members: slices.Clone(g.Members), Topics: g.Topics}
			rng.Shuffle(len(shuffled.Members), func(i, j int) {
				shuffled.Members[i], shuffled.Members[j] = shuffled.Members[j], shuffled.Members[i]
			})
			again, _ := c.a.Assign(shuffled)
			if !maps.EqualFunc(out, again, func(x, y Assignment) bool { return slices.Equal(x.Partitions, y.Partitions) }) {
				t.Fatalf("%s, group %d: the member order changed the result", c.a.Name(), i)
			}
		}
	}
}

func TestAssignRejectsDuplicateMemberIDs(t *testing.T) {
	g := Group{Topics: counts("a", 1), Members: []Member{dyn("m", "a"), static("m", "i", "a")}}
	for _, a := range []Assignor{Range, RoundRobin} {
		if _, err := a.Assign(g); !errors.Is(err, ErrInvalidGroup) {
			t.Errorf("%s: %v, want ErrInvalidGroup", a.Name(), err)
		}
	}
}

// Appending to one member's partitions must not write into another's.
func TestAssignmentsDoNotShareCapacity(t *testing.T) {
	g := Group{Topics: counts("a", 4), Members: []Member{dyn("m1", "a"), dyn("m2", "a")}}
	out, _ := Range.Assign(g)
	_ = append(out["m1"].Partitions, tp("x", 9))
	if got := format(out["m2"].Partitions); got != "a-2 a-3" {
		t.Errorf("m2 = %q after appending to m1's", got)
	}
}

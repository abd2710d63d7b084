// Command balance runs the same consumer groups through rawkafka's sticky
// assignors and franz-go's sticky balancers, side by side: the leader's
// whole job from the members' JoinGroup metadata (consumer protocol
// subscription v3 bytes, the same for both) to the SyncGroup assignments
// (encoded), timed, with the bytes and allocations it took, the balance
// of the result (fewest and most partitions per member) and the partitions
// that moved (owned before, given to another member now).
//
// franz-go's balancer lives in an internal package, but kgo exports it as a
// GroupBalancer: kgo.StickyBalancer() and kgo.CooperativeStickyBalancer(),
// whose MemberBalancer takes the JoinGroup response's members and whose
// Balance takes the partition counts; that is what this calls.
//
//	balance -members 2000 -topics 1 -partitions 10000 -runs 5
//	balance -members 2000 -topics 500 -partitions 2000 -runs 3
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func main() {
	members := flag.Int("members", 2000, "members in the group")
	topics := flag.Int("topics", 1, "topics, all subscribed by every member")
	partitions := flag.Int("partitions", 10000, "partitions per topic")
	runs := flag.Int("runs", 5, "runs per measurement (the fastest is shown)")
	flag.Parse()

	g := newGroup(*members, *topics, *partitions)
	fresh := g.metadata(nil, -1)
	// One member gone: the others own what rawkafka's cooperative-sticky
	// gave them fresh (a balanced assignment), of generation 1.
	prev, _, err := rawkafka(assignor.CooperativeSticky, fresh, g.counts)
	if err != nil {
		fail(err)
	}
	gone := g.metadata(prev, 1)[1:]

	fmt.Printf("%d members, %d topics x %d partitions; fastest of %d runs\n", *members, *topics, *partitions, *runs)
	fmt.Printf("%-46s %10s %12s %10s %8s %8s\n", "", "time", "bytes", "allocs", "min-max", "moved")
	for _, c := range []struct {
		name string
		in   []kmsg.JoinGroupResponseMember
		prev map[string][]protocol.TopicPartition
	}{{"fresh", fresh, nil}, {"one member gone", gone, prev}} {
		for _, impl := range []struct {
			name string
			run  func([]kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, error), error)
		}{
			{"rawkafka sticky", func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, error), error) {
				out, _, err := rawkafka(assignor.Sticky, in, g.counts)
				return func() (map[string][]protocol.TopicPartition, error) { return out, nil }, err
			}},
			{"franz-go sticky", func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, error), error) {
				return franz(kgo.StickyBalancer(), in, g.counts)
			}},
			{"rawkafka cooperative-sticky", func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, error), error) {
				out, _, err := rawkafka(assignor.CooperativeSticky, in, g.counts)
				return func() (map[string][]protocol.TopicPartition, error) { return out, nil }, err
			}},
			{"franz-go cooperative-sticky", func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, error), error) {
				return franz(kgo.CooperativeStickyBalancer(), in, g.counts)
			}},
		} {
			var best time.Duration
			var bytes, allocs uint64
			var out map[string][]protocol.TopicPartition
			for r := range *runs {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				result, err := impl.run(c.in)
				d := time.Since(start)
				runtime.ReadMemStats(&after)
				if err != nil {
					fail(err)
				}
				o, err := result() // outside what is measured
				if err != nil {
					fail(err)
				}
				if r == 0 || d < best {
					best = d
				}
				bytes, allocs, out = after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs, o
			}
			lo, hi, moved := measure(out, c.prev, len(c.in))
			fmt.Printf("%-46s %10s %12d %10d %8s %8d\n", c.name+", "+impl.name, best.Round(10*time.Microsecond), bytes, allocs,
				fmt.Sprintf("%d-%d", lo, hi), moved)
		}
	}
}

type group struct {
	ids    []string
	names  []string
	counts map[string]int32
}

func newGroup(members, topics, partitions int) *group {
	g := &group{counts: map[string]int32{}}
	for i := range topics {
		name := fmt.Sprintf("events.topic-%04d", i)
		g.names = append(g.names, name)
		g.counts[name] = int32(partitions)
	}
	for i := range members {
		g.ids = append(g.ids, fmt.Sprintf("rawkafka-%d-%08x-%04x", i%7, uint32(i)*2654435761, i))
	}
	return g
}

// metadata is the JoinGroup response's members, each with a v3
// subscription carrying what it owns in owned, of generation gen, and
// StickyAssignor user data with the same: franz-go, and rawkafka's
// cooperative-sticky, read the owned partitions and generation from the v2+
// subscription; rawkafka's sticky, like Java's, reads only the user data.
func (g *group) metadata(owned map[string][]protocol.TopicPartition, gen int32) []kmsg.JoinGroupResponseMember {
	out := make([]kmsg.JoinGroupResponseMember, len(g.ids))
	for i, id := range g.ids {
		s := protocol.ConsumerProtocolSubscription{Version: 3, Topics: g.names, GenerationId: gen}
		m := assignor.Member{ID: id, Owned: owned[id], Generation: gen}
		s.UserData = assignor.Sticky.SubscriptionUserData(m)
		s.OwnedPartitions = assignor.Assignment{Partitions: owned[id]}.Protocol(0).AssignedPartitions
		b, err := s.Encode(nil)
		if err != nil {
			fail(err)
		}
		out[i] = kmsg.JoinGroupResponseMember{MemberID: id, ProtocolMetadata: b}
	}
	return out
}

// rawkafka decodes the subscriptions, assigns, and encodes the
// assignments, as a rawkafka leader does.
func rawkafka(a assignor.Assignor, in []kmsg.JoinGroupResponseMember, counts map[string]int32) (map[string][]protocol.TopicPartition, [][]byte, error) {
	g := assignor.Group{Members: make([]assignor.Member, len(in)), Topics: make(map[string]assignor.Topic, len(counts))}
	for t, n := range counts {
		g.Topics[t] = assignor.Topic{Partitions: n}
	}
	subs := make([]protocol.ConsumerProtocolSubscription, len(in))
	for i := range in {
		if err := subs[i].Decode(in[i].ProtocolMetadata); err != nil {
			return nil, nil, err
		}
		g.Members[i] = assignor.MemberFromSubscription(in[i].MemberID, in[i].InstanceID, &subs[i])
	}
	out, err := a.Assign(g)
	if err != nil {
		return nil, nil, err
	}
	res := make(map[string][]protocol.TopicPartition, len(out))
	enc := make([][]byte, 0, len(out))
	for id, x := range out {
		p := x.Protocol(3)
		b, err := p.Encode(nil)
		if err != nil {
			return nil, nil, err
		}
		enc = append(enc, b)
		res[id] = x.Partitions
	}
	return res, enc, nil
}

// franz runs a franz-go GroupBalancer as its kgo leader does, and returns
// the decoding of the assignments it encoded.
func franz(b kgo.GroupBalancer, in []kmsg.JoinGroupResponseMember, counts map[string]int32) (func() (map[string][]protocol.TopicPartition, error), error) {
	mb, _, err := b.MemberBalancer(in)
	if err != nil {
		return nil, err
	}
	var into kgo.IntoSyncAssignment
	if e, ok := mb.(kgo.GroupMemberBalancerOrError); ok { // as kgo calls it; its Balance panics
		if into, err = e.BalanceOrError(counts); err != nil {
			return nil, err
		}
	} else {
		into = mb.Balance(counts)
	}
	assignments := into.IntoSyncAssignment()
	return func() (map[string][]protocol.TopicPartition, error) {
		out := make(map[string][]protocol.TopicPartition, len(assignments))
		for _, a := range assignments {
			var p protocol.ConsumerProtocolAssignment
			if err := p.Decode(a.MemberAssignment); err != nil {
				return nil, err
			}
			out[a.MemberID] = assignor.AssignmentFromProtocol(&p).Partitions
		}
		return out, nil
	}, nil
}

// measure gives the fewest and most partitions a member got and how many
// partitions owned in prev went to another member.
func measure(out, prev map[string][]protocol.TopicPartition, members int) (lo, hi, moved int) {
	counts := make([]int, 0, members)
	owner := map[protocol.TopicPartition]string{}
	for id, tps := range out {
		counts = append(counts, len(tps))
		for _, tp := range tps {
			owner[tp] = id
		}
	}
	for len(counts) < members {
		counts = append(counts, 0)
	}
	sort.Ints(counts)
	for id, tps := range prev {
		if _, member := out[id]; !member {
			continue // it left: its partitions had to move
		}
		for _, tp := range tps {
			if owner[tp] != id {
				moved++
			}
		}
	}
	return counts[0], slices.Max(counts), moved
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "balance:", err)
	os.Exit(1)
}

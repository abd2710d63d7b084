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
// "peak" is the most heap in use above what was in use before the run
// started (the inputs), sampled every millisecond from runtime/metrics: a
// lower bound on the true peak, taken the same way for both.
//
// -cpuprofile and -memprofile write pprof profiles of the runs that
// -only selects (a substring of "case, implementation"); -dump writes,
// for each case and implementation, every member's id and encoded
// assignment in member order, to compare outputs byte for byte.
//
//	balance -members 2000 -topics 1 -partitions 10000 -runs 5
//	balance -members 2000 -topics 500 -partitions 2000 -runs 3
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
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
	only := flag.String("only", "", "run only the measurements whose \"case, implementation\" contains this")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured runs to this file")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the measured runs to this file")
	dump := flag.String("dump", "", "write each measurement's encoded assignments into this directory")
	flag.Parse()
	if *memprofile != "" {
		runtime.MemProfileRate = 4096
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}

	g := newGroup(*members, *topics, *partitions)
	fresh, freshEager := g.metadata(nil, -1, false), g.metadata(nil, -1, true)
	// One member gone: the others own what rawkafka's cooperative-sticky
	// gave them fresh (a balanced assignment), of generation 1.
	first, _, err := rawkafka(assignor.CooperativeSticky, fresh, g.counts)
	if err != nil {
		fail(err)
	}
	prev := byMember(first)
	// As each protocol's members send it: an eager member revoked
	// everything before its JoinGroup, so its subscription owns nothing
	// and what it had is in the sticky user data; a cooperative member
	// owns its partitions, and its user data is the generation.
	gone := g.metadata(prev, 1, false)[1:]
	goneEager := g.metadata(prev, 1, true)[1:]

	fmt.Printf("%d members, %d topics x %d partitions; fastest of %d runs\n", *members, *topics, *partitions, *runs)
	fmt.Printf("%-46s %10s %12s %10s %12s %8s %8s\n", "", "time", "bytes", "allocs", "peak", "min-max", "moved")
	for _, c := range []struct {
		name string
		in   []kmsg.JoinGroupResponseMember
		// eagerIn is in as eager members send it.
		eagerIn []kmsg.JoinGroupResponseMember
		prev    map[string][]protocol.TopicPartition
	}{{"fresh", fresh, freshEager, nil}, {"one member gone", gone, goneEager, prev}} {
		for _, impl := range []struct {
			name  string
			eager bool
			run   func([]kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error)
		}{
			{"rawkafka sticky", true, func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
				return rawkafkaRun(assignor.Sticky, in, g.counts)
			}},
			{"franz-go sticky", true, func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
				return franz(kgo.StickyBalancer(), in, g.counts)
			}},
			{"rawkafka cooperative-sticky", false, func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
				return rawkafkaRun(assignor.CooperativeSticky, in, g.counts)
			}},
			{"franz-go cooperative-sticky", false, func(in []kmsg.JoinGroupResponseMember) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
				return franz(kgo.CooperativeStickyBalancer(), in, g.counts)
			}},
		} {
			label := c.name + ", " + impl.name
			if !strings.Contains(label, *only) {
				continue
			}
			var best time.Duration
			var bytes, allocs, peak uint64
			var out map[string][]protocol.TopicPartition
			var enc []kmsg.SyncGroupRequestGroupAssignment
			for r := range *runs {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				stop := samplePeak()
				start := time.Now()
				in := c.in
				if impl.eager {
					in = c.eagerIn
				}
				result, err := impl.run(in)
				d := time.Since(start)
				p := stop()
				runtime.ReadMemStats(&after)
				if err != nil {
					fail(err)
				}
				o, e, err := result() // outside what is measured
				if err != nil {
					fail(err)
				}
				if r == 0 || d < best {
					best = d
				}
				bytes, allocs, peak, out, enc = after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs, max(peak, p), o, e
			}
			lo, hi, moved := measure(out, c.prev, len(c.in))
			fmt.Printf("%-46s %10s %12d %10d %12d %8s %8d\n", label, best.Round(10*time.Microsecond), bytes, allocs, peak,
				fmt.Sprintf("%d-%d", lo, hi), moved)
			if *dump != "" {
				writeDump(filepath.Join(*dump, strings.NewReplacer(", ", "_", " ", "-").Replace(label)), enc)
			}
		}
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fail(err)
		}
		f.Close()
	}
}

// samplePeak samples the heap's live and unswept objects every millisecond
// until the function it returns is called, which returns the most seen
// above the level at the start.
func samplePeak() func() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(s); return s[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		if v := read(); v > base && v-base > peak.Load() {
			peak.Store(v - base)
		}
		return peak.Load()
	}
}

// writeDump writes each member id and its encoded assignment, one member a
// line, in hex.
func writeDump(path string, enc []kmsg.SyncGroupRequestGroupAssignment) {
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	w := bufio.NewWriter(f)
	for _, a := range enc {
		fmt.Fprintf(w, "%s %x\n", a.MemberID, a.MemberAssignment)
	}
	if err := w.Flush(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
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
func (g *group) metadata(owned map[string][]protocol.TopicPartition, gen int32, eager bool) []kmsg.JoinGroupResponseMember {
	out := make([]kmsg.JoinGroupResponseMember, len(g.ids))
	for i, id := range g.ids {
		s := protocol.ConsumerProtocolSubscription{Version: 3, Topics: g.names, GenerationId: gen}
		m := assignor.Member{ID: id, Owned: owned[id], Generation: gen}
		if eager {
			s.UserData = assignor.Sticky.SubscriptionUserData(m)
		} else {
			s.UserData = assignor.CooperativeSticky.SubscriptionUserData(m)
			s.OwnedPartitions = assignor.Assignment{Partitions: owned[id]}.Protocol(0).AssignedPartitions
		}
		b, err := s.Encode(nil)
		if err != nil {
			fail(err)
		}
		out[i] = kmsg.JoinGroupResponseMember{MemberID: id, ProtocolMetadata: b}
	}
	return out
}

// rawkafka decodes the subscriptions, assigns, and encodes the
// assignments in the members' order, as a rawkafka leader does
// (group.NewAssignFunc).
func rawkafka(a assignor.Assignor, in []kmsg.JoinGroupResponseMember, counts map[string]int32) (map[string]assignor.Assignment, []kmsg.SyncGroupRequestGroupAssignment, error) {
	g := assignor.Group{Members: make([]assignor.Member, len(in)), Topics: make(map[string]assignor.Topic, len(counts))}
	for t, n := range counts {
		g.Topics[t] = assignor.Topic{Partitions: n}
	}
	var names protocol.TopicNames
	for i := range in {
		m, err := assignor.MemberFromJoin(in[i].MemberID, in[i].InstanceID, in[i].ProtocolMetadata, &names)
		if err != nil {
			return nil, nil, err
		}
		g.Members[i] = m
	}
	out, err := a.Assign(g)
	if err != nil {
		return nil, nil, err
	}
	// As group's assignMembers: every assignment in one buffer.
	size := 0
	for i := range in {
		size += out[in[i].MemberID].EncodedLen()
	}
	buf := make([]byte, 0, size)
	enc := make([]kmsg.SyncGroupRequestGroupAssignment, len(in))
	for i := range in {
		start := len(buf)
		if buf, err = out[in[i].MemberID].Encode(buf, 3); err != nil {
			return nil, nil, err
		}
		enc[i] = kmsg.SyncGroupRequestGroupAssignment{MemberID: in[i].MemberID, MemberAssignment: buf[start:len(buf):len(buf)]}
	}
	return out, enc, nil
}

// rawkafkaRun is rawkafka in the shape of franz: what is measured, and a
// function that gives its result by member.
func rawkafkaRun(a assignor.Assignor, in []kmsg.JoinGroupResponseMember, counts map[string]int32) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
	out, enc, err := rawkafka(a, in, counts)
	return func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error) {
		return byMember(out), enc, nil
	}, err
}

// byMember is every member's assigned partitions.
func byMember(out map[string]assignor.Assignment) map[string][]protocol.TopicPartition {
	res := make(map[string][]protocol.TopicPartition, len(out))
	for id, a := range out {
		res[id] = a.Partitions
	}
	return res
}

// franz runs a franz-go GroupBalancer as its kgo leader does, and returns
// the decoding of the assignments it encoded.
func franz(b kgo.GroupBalancer, in []kmsg.JoinGroupResponseMember, counts map[string]int32) (func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error), error) {
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
	return func() (map[string][]protocol.TopicPartition, []kmsg.SyncGroupRequestGroupAssignment, error) {
		out := make(map[string][]protocol.TopicPartition, len(assignments))
		for _, a := range assignments {
			var p protocol.ConsumerProtocolAssignment
			if err := p.Decode(a.MemberAssignment); err != nil {
				return nil, nil, err
			}
			out[a.MemberID] = assignor.AssignmentFromProtocol(&p).Partitions
		}
		return out, assignments, nil
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

package assignor

import (
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// joinMetadata is g's members as a JoinGroup response carries them: each
// member's consumer protocol subscription v3, with what it owns and its
// generation, and a's user data (for Sticky the same again).
func joinMetadata(b *testing.B, a Assignor, g Group) [][]byte {
	out := make([][]byte, len(g.Members))
	for i, m := range g.Members {
		s := protocol.ConsumerProtocolSubscription{Version: 3, Topics: m.Topics, GenerationId: m.Generation,
			UserData: a.SubscriptionUserData(m), OwnedPartitions: group(m.Owned)}
		enc, err := s.Encode(nil)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = enc
	}
	return out
}

// BenchmarkStickyLeader is a leader's whole work with the sticky
// assignors over 2,000 members and 10,000 partitions of one topic, fresh
// and after one member left (the others owning what they were given, in
// the subscription and in the user data, as bench/cmd/balance has them):
// decode every member's subscription (MemberFromJoin), Assign, and encode
// every member's assignment, as group/ does it.
func BenchmarkStickyLeader(b *testing.B) {
	g := stickyBenchGroup(1, 10000)
	for _, a := range []Assignor{Sticky, CooperativeSticky} {
		for _, c := range []struct {
			name string
			g    Group
		}{{"fresh", g}, {"onegone", oneGone(b, CooperativeSticky, g)}} {
			meta := joinMetadata(b, a, c.g)
			b.Run(a.Name()+"/2000m/1x10000p/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var names protocol.TopicNames
					in := Group{Members: make([]Member, len(meta)), Topics: c.g.Topics}
					for i, md := range meta {
						m, err := MemberFromJoin(c.g.Members[i].ID, nil, md, &names)
						if err != nil {
							b.Fatal(err)
						}
						in.Members[i] = m
					}
					out, err := a.Assign(in)
					if err != nil {
						b.Fatal(err)
					}
					for i := range in.Members {
						if _, err := out[in.Members[i].ID].Encode(nil, 3); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

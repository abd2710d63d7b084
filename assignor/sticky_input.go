package assignor

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// stickyInput is what both sticky builders start from. Partitions are
// numbered end to end: the subscribed topics with partitions by name, each
// topic's partitions in order. Members are sorted by member id as Java's
// String.compareTo sorts them (the order of Java's unfilled-member lists
// and of its TreeSet of members by load).
type stickyInput struct {
	members []*Member
	sorted  []int32 // the members' indexes in Group.Members, by position
	topics  []stickyTopic
	index   map[string]int32 // topic name -> position in topics
	total   int

	// subs[sub[m]] holds the topics member m subscribes to, by position,
	// ascending (see subsOf); members with equal Topics lists next to each
	// other share one.
	sub  []int32
	subs [][]int32
	// equal: every member subscribes to the same topics.
	equal bool
	// rack holds the racks when Java's rack-aware mode is on (see
	// stickyRacks), nil otherwise.
	rack *rackTable

	// prev[p] is the member whose claim on partition p stands (the one
	// claim of the highest generation), -1 for none; nil when nobody claims
	// anything. contested holds the partitions on which two claims of that
	// highest generation cancelled each other, with that generation. Only
	// resolveClaims reads prev; the constrained builder then takes its
	// array over for its owners (and sets it nil).
	prev      []int32
	contested map[int32]int32
	// claims holds every member's claims on existing partitions, member m's
	// at claims[claimStart[m]:claimStart[m+1]]: first, ascending, the ones
	// that stand (up to ownedEnd[m]; see ownedBy), then the others (see
	// claimsOf). claimStart is nil when nobody claims anything. gens[m] is
	// the generation of member m's claims.
	claims     []int32
	claimStart []int32
	ownedEnd   []int32
	gens       []int32
}

type stickyTopic struct {
	name       string
	partitions int32
	first      int32
	subs       []int32 // members by position, ascending
}

// claimsFunc appends to dst, as partition numbers of in, what member m
// claims to own from its subscription (claims on topics in does not
// number, and on partitions they do not have, left out), and returns it
// with the generation of that claim (-1 for none).
type claimsFunc func(in *stickyInput, m *Member, dst []int32) ([]int32, int32)

// subsOf is the topics member pos subscribes to, by position, ascending.
func (in *stickyInput) subsOf(pos int32) []int32 { return in.subs[in.sub[pos]] }

// ownedBy lists, ascending, the partitions member pos keeps a claim on.
func (in *stickyInput) ownedBy(pos int) []int32 {
	if in.claimStart == nil {
		return nil
	}
	from, to := in.claimStart[pos], in.ownedEnd[pos]
	return in.claims[from:to:to]
}

// claimsOf is all of member pos's claims on existing partitions.
func (in *stickyInput) claimsOf(pos int) []int32 {
	if in.claimStart == nil {
		return nil
	}
	from, to := in.claimStart[pos], in.claimStart[pos+1]
	return in.claims[from:to:to]
}

// partition is the number of partition p of the topic at position t in
// in.topics, -1 when the topic has no such partition.
func (in *stickyInput) partition(t, p int32) int32 {
	if p < 0 || p >= in.topics[t].partitions {
		return -1
	}
	return in.topics[t].first + p
}

func newStickyInput(g Group, claims claimsFunc) (*stickyInput, error) {
	in := &stickyInput{members: make([]*Member, len(g.Members)), index: make(map[string]int32)}
	order := make([]int32, len(g.Members)) // g.Members indexes by member id
	sortJava(order, g.Members)
	in.sorted = order
	for pos, i := range order {
		in.members[pos] = &g.Members[i]
	}
	for i := 1; i < len(in.members); i++ {
		if in.members[i].ID == in.members[i-1].ID {
			return nil, fmt.Errorf("%w: member id %q appears twice", ErrInvalidGroup, in.members[i].ID)
		}
	}

	var names []string
	for _, m := range in.members {
		for _, t := range m.Topics {
			if _, ok := in.index[t]; !ok && g.Topics[t].Partitions > 0 {
				in.index[t] = 0
				names = append(names, t)
			}
		}
	}
	slices.SortFunc(names, strings.Compare) // Kafka topic names are ASCII
	in.topics = make([]stickyTopic, len(names))
	for i, name := range names {
		n := g.Topics[name].Partitions
		in.topics[i] = stickyTopic{name: name, partitions: n, first: int32(in.total)}
		in.index[name] = int32(i)
		in.total += int(n)
	}
	if in.total > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d partitions", ErrInvalidGroup, in.total)
	}

	in.equal = equalSubscriptions(in.members)
	in.subscriptions()
	in.rack = in.stickyRacks(g)
	in.resolveClaims(claims)
	return in, nil
}

// subscriptions fills sub and subs, and each topic's subscribers (all in
// one array, counted first). A member whose Topics equal those of the
// member before it (as with equal subscriptions, and as MemberFromJoin
// shares them) shares that one's list.
func (in *stickyInput) subscriptions() {
	in.sub = make([]int32, len(in.members))
	subscribers := make([]int32, len(in.topics))
	for pos, m := range in.members {
		if pos == 0 || !slices.Equal(m.Topics, in.members[pos-1].Topics) {
			s := make([]int32, 0, len(m.Topics))
			for _, name := range m.Topics {
				if t, ok := in.index[name]; ok {
					s = append(s, t)
				}
			}
			slices.Sort(s)
			in.subs = append(in.subs, slices.Compact(s))
		}
		in.sub[pos] = int32(len(in.subs) - 1)
		for _, t := range in.subs[in.sub[pos]] {
			subscribers[t]++
		}
	}
	all := make([]int32, 0, sumInt32(subscribers))
	for t, n := range subscribers {
		in.topics[t].subs = all[len(all) : len(all) : len(all)+int(n)]
		all = all[:len(all)+int(n)]
	}
	for pos := range in.members {
		for _, t := range in.subsOf(int32(pos)) {
			in.topics[t].subs = append(in.topics[t].subs, int32(pos))
		}
	}
}

func sumInt32(xs []int32) int {
	n := 0
	for _, x := range xs {
		n += int(x)
	}
	return n
}

// sortJava fills order with the indexes of members sorted by member id as
// compareJava orders them. Byte order, which is cheaper, is the same except
// for ids with characters above U+DFFF; so it sorts by bytes, and sorts
// again by compareJava only when some two neighbours are out of its order
// (compareJava being a total order, neighbours in order are a sorted list).
//
// The sort by bytes is one of integers: each id's next bytes after the
// prefix all ids share, as many as fit beside its index in a uint64, and
// the index; only ids whose keys tie are compared whole.
func sortJava(order []int32, members []Member) {
	n := len(members)
	byBytes := func(a, b int32) int { return strings.Compare(members[a].ID, members[b].ID) }
	shift := uint(bits.Len(uint(n)))
	if n < 2 || shift > 32 {
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, byBytes)
	} else {
		common := len(members[0].ID)
		for i := 1; i < n && common > 0; i++ {
			id := members[i].ID
			l := 0
			for l < common && l < len(id) && id[l] == members[0].ID[l] {
				l++
			}
			common = l
		}
		keys := make([]uint64, n)
		for i := range members {
			keys[i] = prefixKey(members[i].ID[common:])>>shift<<shift | uint64(i)
		}
		slices.Sort(keys)
		for i, k := range keys {
			order[i] = int32(k & (1<<shift - 1))
		}
		for i := 0; i < n; {
			j := i + 1
			for j < n && keys[j]>>shift == keys[i]>>shift {
				j++
			}
			if j-i > 1 {
				slices.SortFunc(order[i:j], byBytes)
			}
			i = j
		}
	}
	for i := 1; i < len(order); i++ {
		if compareJava(members[order[i-1]].ID, members[order[i]].ID) > 0 {
			slices.SortFunc(order, func(a, b int32) int { return compareJava(members[a].ID, members[b].ID) })
			return
		}
	}
}

// prefixKey is the first eight bytes of s, big-endian, padded with zeros:
// a key of s's whose order is the bytes' order, ties aside.
func prefixKey(s string) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if i < len(s) {
			k |= uint64(s[i])
		}
	}
	return k
}

// stickyRacks is Java's RackInfo: the racks, when some member sends one,
// some partition of a subscribed topic has a replica on a member's rack,
// and those partitions are not all on the same racks; else nil, and the
// assignment is the one without racks.
func (in *stickyInput) stickyRacks(g Group) *rackTable {
	if !anyRack(in.members) {
		return nil
	}
	topics := make([]rackTopic, len(in.topics))
	for i, t := range in.topics {
		topics[i] = rackTopic{name: t.name, first: int(t.first), partitions: t.partitions}
	}
	rt := newRackTable(in.members, g, topics, in.total)
	if rt == nil || !rt.aware(nil, 0, in.total) {
		return nil
	}
	return rt
}

// resolveClaims decides whose claim on each partition stands. Java's
// AbstractStickyAssignor walks the members in HashMap order, and a third
// claim after two that cancelled can win or not depending on that order;
// here the outcome depends on the claims alone: the highest generation
// wins, and a tie at the highest generation leaves the partition to no one.
// Claims on topics no member subscribes to and on partitions that do not
// exist are dropped; a claim on a topic the claimant itself left stands
// (its partition is moving away from it), and the general builder drops it.
func (in *stickyInput) resolveClaims(claims claimsFunc) {
	n := len(in.members)
	in.gens = make([]int32, n)
	var buf []int32
	for pos, m := range in.members {
		from := len(buf)
		var g int32
		buf, g = claims(in, m, buf)
		in.gens[pos] = g
		if len(buf) > from && in.claimStart == nil {
			// The first claim: nobody before claimed anything.
			buf = append(make([]int32, 0, max(in.total, 2*len(buf))), buf...)
			in.claimStart = make([]int32, n+1)
			in.prev = make([]int32, in.total)
			for i := range in.prev {
				in.prev[i] = -1
			}
		}
		kept := from
		for _, p := range buf[from:] {
			switch q := in.prev[p]; {
			case q == int32(pos):
				continue // listed twice
			case q >= 0:
				if cur := in.gens[q]; g > cur {
					in.prev[p] = int32(pos)
				} else if g == cur {
					in.prev[p] = -1
					in.contest(p, g)
				}
			default:
				if cur, ok := in.contested[p]; !ok {
					in.prev[p] = int32(pos)
				} else if g > cur {
					in.prev[p] = int32(pos)
					delete(in.contested, p)
				}
			}
			buf[kept] = p
			kept++
		}
		buf = buf[:kept]
		if in.claimStart != nil {
			in.claimStart[pos+1] = int32(len(buf))
		}
	}
	if in.claimStart == nil {
		return
	}
	in.claims = buf
	// Each member's standing claims to the front of its own, ascending
	// (the order of the others does not matter: see olderOwners).
	in.ownedEnd = make([]int32, n)
	for pos := range n {
		list := in.claims[in.claimStart[pos]:in.claimStart[pos+1]]
		k := 0
		for i, p := range list {
			if in.prev[p] == int32(pos) {
				list[k], list[i] = list[i], list[k]
				k++
			}
		}
		slices.Sort(list[:k])
		in.ownedEnd[pos] = in.claimStart[pos] + int32(k)
	}
}

// contest notes that claims of generation g cancelled on partition p.
func (in *stickyInput) contest(p, g int32) {
	if in.contested == nil {
		in.contested = make(map[int32]int32)
	}
	in.contested[p] = g
}

// equalSubscriptions reports whether all members subscribe to the same
// topic names, as Java's allSubscriptionsEqual decides it: topics without
// metadata count, so a member subscribed to a topic not created yet sends
// the group down the general path. Unlike Java, duplicates in a list do not
// count (Java compares a member's list size with the first one's set size),
// and neither does the order of members (Java starts its set from the first
// member in HashMap order with any topics, which lets a member subscribed
// to nothing into the constrained path, where it gets partitions of topics
// it never asked for).
func equalSubscriptions(members []*Member) bool {
	if len(members) < 2 {
		return true
	}
	first := members[0].Topics
	var set map[string]bool
	for _, m := range members[1:] {
		if slices.Equal(m.Topics, first) {
			continue
		}
		if set == nil {
			set = make(map[string]bool, len(first))
			for _, t := range first {
				set[t] = true
			}
		}
		seen := make(map[string]bool, len(set))
		for _, t := range m.Topics {
			if !set[t] {
				return false
			}
			seen[t] = true
		}
		if len(seen) != len(set) {
			return false
		}
	}
	return true
}

// topicOf is the position of partition p's topic.
func (in *stickyInput) topicOf(p int32) int32 {
	i, _ := slices.BinarySearchFunc(in.topics, p, func(t stickyTopic, p int32) int {
		switch {
		case p < t.first:
			return 1
		case p >= t.first+t.partitions:
			return -1
		}
		return 0
	})
	return int32(i)
}

// assign runs the builder that fits the group and returns the owner of
// every partition by member position (-1 for none).
func (in *stickyInput) assign() []int32 {
	if len(in.members) == 0 {
		return nil
	}
	if in.equal {
		return in.constrained()
	}
	return in.general()
}

// holdBackTransfers removes from owners every partition that goes to a
// member other than the one whose claim stands, and every contested one:
// CooperativeStickyAssignor.adjustAssignment, so that the old owner
// revokes it first.
func (in *stickyInput) holdBackTransfers(owners []int32) {
	if in.claimStart == nil {
		return // nobody claims anything
	}
	for pos := range in.members {
		for _, p := range in.claims[in.claimStart[pos]:in.ownedEnd[pos]] { // its standing claims
			if o := owners[p]; o >= 0 && o != int32(pos) {
				owners[p] = -1
			}
		}
	}
	for p := range in.contested {
		owners[p] = -1
	}
}

// build turns owners into one Assignment per member, all sharing one
// backing array, each capped at its length.
func (in *stickyInput) build(owners []int32) map[string]Assignment {
	n := len(in.members)
	// next[o] is where member o's next partition goes: the start of its
	// partitions in all, and once all are placed their end, which is where
	// member o+1's start.
	next := make([]int32, n+1)
	for _, o := range owners {
		if o >= 0 {
			next[o+1]++
		}
	}
	for i := 1; i <= n; i++ {
		next[i] += next[i-1]
	}
	all := make([]protocol.TopicPartition, next[n])
	for _, t := range in.topics {
		for i := range t.partitions {
			if o := owners[t.first+i]; o >= 0 {
				all[next[o]] = protocol.TopicPartition{Topic: t.name, Partition: i}
				next[o]++
			}
		}
	}
	out := make(map[string]Assignment, n)
	from := int32(0)
	for i, m := range in.members {
		var ps []protocol.TopicPartition
		if to := next[i]; from < to {
			ps = all[from:to:to]
		}
		from = next[i]
		out[m.ID] = Assignment{Partitions: ps}
	}
	return out
}

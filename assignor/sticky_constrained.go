package assignor

import (
	"cmp"
	"slices"
)

// constrained is Java's ConstrainedAssignmentBuilder, for members that all
// subscribe to the same topics: everyone gets minQuota = total/members or
// maxQuota = minQuota+1 partitions, total%members of them maxQuota.
//
//  1. Each member keeps its standing claims up to its quota: all of them
//     when it has fewer than minQuota; maxQuota when it has that many and
//     members at maxQuota are still wanted; else minQuota. Which ones it
//     keeps follows Java: by partition number, then topic.
//  2. The rest, by topic and partition, go round the members below
//     minQuota (by member id) until each has minQuota, then one each to the
//     members at minQuota, in the order they reached it, while members at
//     maxQuota are wanted.
//
// This keeps the most claims any assignment balanced within one can keep:
// every member keeps min(claims, minQuota), and one more for as many of
// those with maxQuota claims as may be at maxQuota. Which of those keep the
// extra one depends on the order of step 1, which is Java's: that of a
// java.util.HashMap filled with the members in the order of Group.Members,
// as a Java leader fills one from the JoinGroup response. So given the
// members in the coordinator's order, the result is a Java leader's.
func (in *stickyInput) constrained() []int32 {
	n := len(in.members)
	// in.prev (each partition's standing claim) is not read after
	// resolveClaims, which put each member's standing claims in its own
	// list (ownedBy): its array becomes owners.
	owners := in.prev
	if owners == nil {
		owners = make([]int32, in.total)
	}
	in.prev = nil
	// Who keeps maxQuota depends on the order of step 1, Java's, unless
	// nobody claims anything: then everyone keeps nothing, in any order.
	var order []int32
	if in.claimStart != nil {
		order = in.hashMapOrder(owners) // before owners is filled: its scratch
	}
	for i := range owners {
		owners[i] = -1
	}
	minQuota := in.total / n
	maxQuota := (in.total + n - 1) / n
	wantOver := in.total % n // members to get maxQuota
	over := 0
	count := make([]int32, n)

	byPartition := func(a, b int32) int {
		ta, tb := in.topicOf(a), in.topicOf(b)
		return cmp.Or(cmp.Compare(a-in.topics[ta].first, b-in.topics[tb].first), cmp.Compare(ta, tb))
	}
	for k := range n {
		pos := int32(k)
		if order != nil {
			pos = order[k]
		}
		claims := in.ownedBy(int(pos))
		if in.rack != nil {
			claims = in.rackLocal(pos, claims)
		}
		keep := len(claims)
		switch {
		case keep < minQuota:
		case keep >= maxQuota && over < wantOver:
			keep = maxQuota
			over++
		default:
			keep = minQuota
		}
		if keep < len(claims) {
			claims = slices.Clone(claims)
			slices.SortFunc(claims, byPartition)
		}
		for _, p := range claims[:keep] {
			owners[p] = pos
		}
		count[pos] = int32(keep)
	}

	// Java's lists of the members below minQuota and of those at minQuota
	// that may get one more (while members at maxQuota are wanted: when
	// none is, Java clears it), both sorted by member id, that is by
	// position. Those are the members with fewer than minQuota, and with
	// exactly minQuota, which one at maxQuota (minQuota+1) cannot have.
	under, atMin := make([]int32, 0, n), make([]int32, 0, n)
	for pos, c := range count {
		switch {
		case int(c) < minQuota:
			under = append(under, int32(pos))
		case int(c) == minQuota && over < wantOver:
			atMin = append(atMin, int32(pos))
		}
	}

	// Round robin over under, as Java's iterator over its linked list: a
	// member leaves it on reaching minQuota and joins the back of atMin.
	rr := roundRobin{owners: owners, count: count, under: under, atMin: atMin, minQuota: int32(minQuota)}
	if in.rack == nil {
		for p := range owners {
			if owners[p] < 0 {
				rr.give(int32(p))
			}
		}
		return owners
	}
	var free []int32
	for p := range owners {
		if owners[p] < 0 {
			free = append(free, int32(p))
		}
	}
	// Java sorts the free partitions by the members on their racks, fewest
	// first, so that the partitions with fewer candidates choose first.
	on := in.rack.membersOnSets()
	slices.SortStableFunc(free, func(a, b int32) int { return cmp.Compare(on[in.rack.set[a]], on[in.rack.set[b]]) })
	free = in.rackRoundRobin(owners, count, free, &rr.under, &rr.atMin, minQuota, maxQuota, over, wantOver)
	for _, p := range free {
		rr.give(p)
	}
	return owners
}

// roundRobin is the constrained builder's last step, Java's
// assignRoundRobin: each partition in turn to the next member of under,
// or, once under is empty, to the first of atMin.
//
// Java removes a member from its linked list of under on reaching
// minQuota; here each pass over under compacts it in place instead: the
// members still under minQuota are moved to under[:w] as they are passed,
// under[r:] are the ones not reached yet in this pass, and the next pass
// starts over under[:w]. The order is the linked list's, without shifting
// the rest of the list at every removal.
type roundRobin struct {
	owners   []int32
	count    []int32
	under    []int32
	r, w     int // the next in under to visit; the members kept this pass
	atMin    []int32
	minQuota int32
}

func (rr *roundRobin) give(p int32) {
	if rr.w > 0 || rr.r < len(rr.under) { // some member is under minQuota
		if rr.r == len(rr.under) {
			rr.under, rr.r, rr.w = rr.under[:rr.w], 0, 0
		}
		pos := rr.under[rr.r]
		rr.r++
		rr.owners[p] = pos
		rr.count[pos]++
		if rr.count[pos] == rr.minQuota {
			rr.atMin = append(rr.atMin, pos)
		} else {
			rr.under[rr.w] = pos
			rr.w++
		}
		return
	}
	var pos int32
	pos, rr.atMin = rr.atMin[0], rr.atMin[1:]
	rr.owners[p] = pos
	rr.count[pos]++
}

// rackLocal is claims without those on partitions that have no replica
// on member pos's rack: in rack-aware mode Java keeps only rack-local
// claims in the first step (the others may come back to it later).
func (in *stickyInput) rackLocal(pos int32, claims []int32) []int32 {
	if !slices.ContainsFunc(claims, func(p int32) bool { return in.rack.mismatch(pos, p) }) {
		return claims
	}
	out := make([]int32, 0, len(claims))
	for _, p := range claims {
		if !in.rack.mismatch(pos, p) {
			out = append(out, p)
		}
	}
	return out
}

// rackRoundRobin is Java's assignRackAwareRoundRobin: each free partition
// in turn goes to the next member of under (round robin from where the
// last one went) on one of its replicas' racks, or else to the first
// member of atMin on one, while quotas allow; it returns the partitions
// left, in order, for the plain round robin.
func (in *stickyInput) rackRoundRobin(owners []int32, count []int32, free []int32, under, atMin *[]int32, minQuota, maxQuota, over, wantOver int) []int32 {
	next := 0
	rest := free[:0]
	for _, p := range free {
		pos := int32(-1)
		if j := in.nextLocal(p, *under, next); j >= 0 {
			pos = (*under)[j]
			if c := int(count[pos]) + 1; c >= minQuota {
				*under = slices.Delete(*under, j, j+1)
				if c < maxQuota && over < wantOver {
					*atMin = append(*atMin, pos)
				}
			} else {
				j++
			}
			next = 0
			if len(*under) > 0 {
				next = j % len(*under)
			}
		} else if len(*atMin) > 0 {
			if j := in.nextLocal(p, *atMin, 0); j >= 0 {
				pos = (*atMin)[j]
				if int(count[pos])+1 == maxQuota {
					*atMin = slices.Delete(*atMin, j, j+1)
					over++
					if over == wantOver {
						*atMin = (*atMin)[:0]
					}
				}
			}
		}
		if pos < 0 {
			rest = append(rest, p)
			continue
		}
		owners[p] = pos
		count[pos]++
	}
	return rest
}

// nextLocal is Java's nextRackConsumer: the index in members, going round
// from first, of the first member on a rack of partition p's replicas; -1
// for none.
func (in *stickyInput) nextLocal(p int32, members []int32, first int) int {
	for k := range members {
		j := (first + k) % len(members)
		if in.rack.local(members[j], p) {
			return j
		}
	}
	return -1
}

// hashMapOrder is the order a java.util.HashMap<String, ...> iterates the
// member ids, inserted in the order of Group.Members: by bucket of the id's
// String.hashCode, and by insertion within a bucket (see javaHashMapOrder).
// The buckets are counted and laid out in one pass each (a counting sort,
// stable), rather than sorted by comparison; scratch, when it has room
// for that count's arrays (the positions in insertion order, their
// buckets, and the buckets' starts), holds them, and is left dirty.
func (in *stickyInput) hashMapOrder(scratch []int32) []int32 {
	n := len(in.members)
	capacity := 16
	for n > capacity*3/4 {
		capacity *= 2
	}
	if len(scratch) < 2*n+capacity+1 {
		scratch = make([]int32, 2*n+capacity+1)
	}
	given := scratch[:n] // positions by insertion
	for pos, i := range in.sorted {
		given[i] = int32(pos)
	}
	bucket := scratch[n : 2*n] // by insertion
	start := scratch[2*n : 2*n+capacity+1]
	clear(start)
	for i, pos := range given {
		h := javaStringHash(in.members[pos].ID)
		b := (h ^ int32(uint32(h)>>16)) & int32(capacity-1)
		bucket[i] = b
		start[b+1]++
	}
	for b := 1; b <= capacity; b++ {
		start[b] += start[b-1]
	}
	order := make([]int32, n)
	for i, pos := range given {
		order[start[bucket[i]]] = pos
		start[bucket[i]]++
	}
	return order
}

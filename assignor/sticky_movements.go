package assignor

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
)

// movements is Java's PartitionMovements: the partitions the general
// builder has moved in this rebalance, from their first owner to their
// current one, by topic and (from, to) pair. Moving a partition of a topic
// from a to b when another partition of that topic already went from b to
// a moves that one back instead, so that no two members swap partitions of
// one topic. Which one goes back is the first of Java's HashSet, which this
// reproduces (by bucket of TopicPartition.hashCode in a table grown to the
// set's largest size, then by insertion) so that the result is Java's.
type movements struct {
	in     *stickyInput
	moved  map[int32]movePair // partition -> (first owner, current owner)
	sets   map[moveKey]*moveSet
	topics map[int32]int // topic -> number of sets
	seq    int
	hashes map[int32]int32 // topic -> String.hashCode of its name
}

type movePair struct{ src, dst int32 }

type moveKey struct{ topic, src, dst int32 }

type moveSet struct {
	items   []moveItem
	maxSize int
}

type moveItem struct {
	p   int32
	seq int
}

func newMovements(in *stickyInput) *movements {
	return &movements{in: in, moved: map[int32]movePair{}, sets: map[moveKey]*moveSet{},
		topics: map[int32]int{}, hashes: map[int32]int32{}}
}

// actual is the partition to move when p is to go from old to to.
func (mv *movements) actual(p, old, to int32) int32 {
	t := mv.in.topicOf(p)
	if mv.topics[t] == 0 {
		return p
	}
	if m, ok := mv.moved[p]; ok {
		old = m.src
	}
	s := mv.sets[moveKey{t, to, old}]
	if s == nil {
		return p
	}
	return mv.first(t, s)
}

// record notes that p goes from old to to.
func (mv *movements) record(p, old, to int32) {
	if m, ok := mv.moved[p]; ok {
		mv.remove(p, m)
		if m.src != to {
			mv.add(p, m.src, to)
		}
		return
	}
	mv.add(p, old, to)
}

func (mv *movements) add(p, src, dst int32) {
	t := mv.in.topicOf(p)
	mv.moved[p] = movePair{src, dst}
	k := moveKey{t, src, dst}
	s := mv.sets[k]
	if s == nil {
		s = &moveSet{}
		mv.sets[k] = s
		mv.topics[t]++
	}
	s.items = append(s.items, moveItem{p, mv.seq})
	mv.seq++
	s.maxSize = max(s.maxSize, len(s.items))
}

func (mv *movements) remove(p int32, m movePair) {
	t := mv.in.topicOf(p)
	delete(mv.moved, p)
	k := moveKey{t, m.src, m.dst}
	s := mv.sets[k]
	for i, it := range s.items {
		if it.p == p {
			s.items = append(s.items[:i], s.items[i+1:]...)
			break
		}
	}
	if len(s.items) == 0 {
		delete(mv.sets, k)
		mv.topics[t]--
	}
}

// first is the partition a java.util.HashSet holding s's would iterate
// first.
func (mv *movements) first(t int32, s *moveSet) int32 {
	capacity := 16
	for s.maxSize > capacity*3/4 {
		capacity *= 2
	}
	th, ok := mv.hashes[t]
	if !ok {
		th = javaStringHash(mv.in.topics[t].name)
		mv.hashes[t] = th
	}
	first := mv.in.topics[t].first
	bucket := func(p int32) int32 {
		h := 31*(31+(p-first)) + th // TopicPartition.hashCode
		return (h ^ int32(uint32(h)>>16)) & int32(capacity-1)
	}
	best := s.items[0]
	for _, it := range s.items[1:] {
		if b, bb := bucket(it.p), bucket(best.p); b < bb || (b == bb && it.seq < best.seq) {
			best = it
		}
	}
	return best.p
}

// state is a hash of the general builder's state between two passes:
// owners and the movements (each set's partitions in order, and its
// largest size, on which first depends), 64-bit FNV-1a over the int32s'
// little-endian bytes. Equal states hash equal; two states hashing equal
// by chance (one in 2^64 per pair) would make the builder stop following
// Java's moves a pass early.
func (mv *movements) state(owners []int32) uint64 {
	h, set := fnv.New64a(), fnv.New64a()
	writeInts(h, owners...)
	var sets uint64 // summed: the same in any map order
	for k, s := range mv.sets {
		set.Reset()
		writeInts(set, k.topic, k.src, k.dst, int32(s.maxSize))
		for _, it := range s.items {
			writeInts(set, it.p)
		}
		sets += set.Sum64()
	}
	writeInts(h, int32(sets), int32(sets>>32))
	return h.Sum64()
}

// writeInts writes the little-endian bytes of xs to h.
func writeInts(h hash.Hash, xs ...int32) {
	var b [4]byte
	for _, x := range xs {
		binary.LittleEndian.PutUint32(b[:], uint32(x))
		h.Write(b[:])
	}
}

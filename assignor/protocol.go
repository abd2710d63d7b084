package assignor

import (
	"fmt"
	"slices"
	"unicode/utf16"
)

// SelectProtocol picks a group's protocol, the assignor every member will
// follow, as the coordinator does (ClassicGroup.selectProtocol in Kafka
// 4.x, GroupMetadata.selectProtocol before): the candidates are the names
// every member lists, each member votes for the first candidate in its own
// list (its most preferred), and the candidate with the most votes wins.
// members holds each member's protocol names in its order of preference, as
// sent in JoinGroup; a name listed twice by one member counts once.
//
// A tie goes to the name that comes first in the iteration order of the
// Java HashMap the 4.x coordinator counts votes in, which this reproduces:
// by bucket of the name's String.hashCode, and within a bucket by first
// vote, so in the order of members. Tied names in different buckets are
// therefore decided by the names alone; for names sharing a bucket the
// broker's member order (a HashMap of member ids) decides, and this agrees
// when members are given in that order. The Scala coordinator of Kafka 3.x
// and earlier breaks ties by Scala's map order, which is not reproduced.
//
// It fails with ErrNoCommonProtocol when no name is listed by every member
// (the coordinator refuses such a member with INCONSISTENT_GROUP_PROTOCOL).
func SelectProtocol(members [][]string) (string, error) {
	if len(members) == 0 {
		return "", fmt.Errorf("%w: no members to select a protocol for", ErrInvalidGroup)
	}
	supporters := make(map[string]int)
	for _, names := range members {
		for i, name := range names {
			if !slices.Contains(names[:i], name) {
				supporters[name]++
			}
		}
	}
	votes := make(map[string]int)
	var voted []string // names in order of their first vote
	for _, names := range members {
		i := slices.IndexFunc(names, func(n string) bool { return supporters[n] == len(members) })
		if i < 0 {
			return "", fmt.Errorf("%w: no protocol is supported by all %d members", ErrNoCommonProtocol, len(members))
		}
		if votes[names[i]] == 0 {
			voted = append(voted, names[i])
		}
		votes[names[i]]++
	}
	javaHashMapOrder(voted)
	best := voted[0]
	for _, name := range voted[1:] {
		if votes[name] > votes[best] {
			best = name
		}
	}
	return best, nil
}

// javaHashMapOrder sorts keys, given in insertion order, into the order a
// java.util.HashMap with the default capacity and load factor iterates them:
// by bucket, the spread hash masked by the table size the map has grown
// to, and by insertion within a bucket (a resize keeps that order). It
// ignores tree bins, which need eight keys in one bucket of a table of 64.
func javaHashMapOrder(keys []string) {
	capacity := 16
	for len(keys) > capacity*3/4 {
		capacity *= 2
	}
	bucket := func(s string) int {
		h := javaStringHash(s)
		return int((h ^ int32(uint32(h)>>16)) & int32(capacity-1))
	}
	slices.SortStableFunc(keys, func(a, b string) int { return bucket(a) - bucket(b) })
}

// javaStringHash is Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1]
// over UTF-16 code units, in int32 arithmetic. ASCII bytes are code units
// as they are; the rest of s is decoded from the first byte that is not.
func javaStringHash(s string) int32 {
	var h int32
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return javaStringHashFrom(h, s[i:])
		}
		h = 31*h + int32(s[i])
	}
	return h
}

// javaStringHashFrom continues javaStringHash, h so far, over s decoded as
// UTF-8.
func javaStringHashFrom(h int32, s string) int32 {
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			h = 31*h + hi
			r = lo
		}
		h = 31*h + r
	}
	return h
}

// RebalanceProtocolOf is the rebalance protocol a member runs with the
// assignors it is configured with, as the Java client's ConsumerCoordinator
// decides it: the highest protocol that every one of them supports. So a
// member runs cooperative only when all its assignors support cooperative;
// Java's default [range, cooperative-sticky] runs eager. It fails for no
// assignors, and with ErrNoCommonProtocol when they share no protocol.
// rawkafka's group/ runs, each generation, the protocol of the assignor the
// coordinator selected, and calls this only to validate a configuration.
func RebalanceProtocolOf(assignors []Assignor) (RebalanceProtocol, error) {
	if len(assignors) == 0 {
		return 0, fmt.Errorf("%w: no assignors", ErrNoCommonProtocol)
	}
	common := slices.Clone(assignors[0].RebalanceProtocols())
	for _, a := range assignors[1:] {
		supported := a.RebalanceProtocols()
		common = slices.DeleteFunc(common, func(p RebalanceProtocol) bool { return !slices.Contains(supported, p) })
	}
	if len(common) == 0 {
		names := make([]string, len(assignors))
		for i, a := range assignors {
			names[i] = a.Name()
		}
		return 0, fmt.Errorf("%w: assignors %v share no rebalance protocol", ErrNoCommonProtocol, names)
	}
	return slices.Max(common), nil
}

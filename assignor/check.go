package assignor

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// Balance names the balance rules Check enforces on top of the rules every
// assignment must meet; they combine with |.
type Balance uint8

const (
	// BalancePerTopic: for every topic, the counts of its partitions its
	// subscribers get differ by at most one (range and roundrobin).
	BalancePerTopic Balance = 1 << iota
	// BalanceTotal: when all members subscribe to the same topics, their
	// counts of partitions differ by at most one (roundrobin, and sticky).
	BalanceTotal
)

// maxProblems bounds the problems one Check reports.
const maxProblems = 10

// Check reports, in one error, what is wrong with out as an assignment for
// g; nil when nothing is. Every assignment must give every partition of
// every subscribed topic (one some member lists, with partitions in
// g.Topics) to exactly one member, and only to a member subscribed to its
// topic; it must name no partition that does not exist, and hold an entry
// for every member of g and for nothing else. b adds balance rules.
//
// It is exported, not kept in a test file, so that the tests of other
// packages can use it too: the sticky assignors', group/'s leader, the fake
// broker's, and a cross-check of assignments a Java leader sent.
func Check(g Group, out map[string]Assignment, b Balance) error {
	c := checker{}
	subscribed := make(map[string]map[string]bool, len(g.Members)) // member id -> topic -> true
	ids := make([]string, 0, len(g.Members))                       // distinct, in g's order
	for i := range g.Members {
		m := &g.Members[i]
		if _, dup := subscribed[m.ID]; dup {
			c.add("member %q appears twice in the group", m.ID)
			continue
		}
		ids = append(ids, m.ID)
		set := make(map[string]bool, len(m.Topics))
		for _, t := range m.Topics {
			if g.Topics[t].Partitions > 0 {
				set[t] = true
			}
		}
		subscribed[m.ID] = set
		if _, ok := out[m.ID]; !ok {
			c.add("member %q has no assignment", m.ID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(out)) {
		if _, ok := subscribed[id]; !ok {
			c.add("assignment for %q, who is not a member", id)
		}
	}

	owner := make(map[protocol.TopicPartition]string)
	for _, id := range slices.Sorted(maps.Keys(out)) {
		set, member := subscribed[id]
		for _, tp := range out[id].Partitions {
			switch n := g.Topics[tp.Topic].Partitions; {
			case tp.Partition < 0 || tp.Partition >= n:
				c.add("%q got %s, which does not exist", id, tp)
				continue
			case member && !set[tp.Topic]:
				c.add("%q got %s without subscribing to %q", id, tp, tp.Topic)
			}
			if prev, dup := owner[tp]; dup {
				c.add("%s is assigned twice, to %q and %q", tp, prev, id)
				continue
			}
			owner[tp] = id
		}
	}

	// Every partition of every subscribed topic, with its subscribers.
	subscribers := make(map[string][]string)
	for _, id := range ids {
		for t := range subscribed[id] {
			subscribers[t] = append(subscribers[t], id)
		}
	}
	topics := slices.Sorted(maps.Keys(subscribers))
	for _, t := range topics {
		for p := range g.Topics[t].Partitions {
			tp := protocol.TopicPartition{Topic: t, Partition: p}
			if _, ok := owner[tp]; !ok {
				c.add("%s is not assigned", tp)
			}
		}
	}

	if b&BalancePerTopic != 0 {
		for _, t := range topics {
			counts := make(map[string]int, len(subscribers[t]))
			for _, id := range subscribers[t] {
				counts[id] = 0
			}
			for p := range g.Topics[t].Partitions {
				if id, ok := owner[protocol.TopicPartition{Topic: t, Partition: p}]; ok {
					counts[id]++
				}
			}
			c.balanced("topic "+t, counts)
		}
	}
	if b&BalanceTotal != 0 && sameSubscriptions(ids, subscribed) {
		counts := make(map[string]int, len(ids))
		for _, id := range ids {
			counts[id] = len(out[id].Partitions)
		}
		c.balanced("all partitions", counts)
	}
	return c.err()
}

// sameSubscriptions reports whether all members subscribe to the same topics
// (counting only topics with partitions).
func sameSubscriptions(ids []string, subscribed map[string]map[string]bool) bool {
	for i := 1; i < len(ids); i++ {
		if !maps.Equal(subscribed[ids[0]], subscribed[ids[i]]) {
			return false
		}
	}
	return true
}

// checker collects Check's problems, up to maxProblems.
type checker struct {
	problems []string
	more     int
}

func (c *checker) add(format string, args ...any) {
	if len(c.problems) == maxProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// balanced adds a problem when the counts (by member id) differ by more
// than one.
func (c *checker) balanced(what string, counts map[string]int) {
	if len(counts) == 0 {
		return
	}
	ids := slices.Sorted(maps.Keys(counts))
	lo, hi := ids[0], ids[0]
	for _, id := range ids[1:] {
		if counts[id] < counts[lo] {
			lo = id
		}
		if counts[id] > counts[hi] {
			hi = id
		}
	}
	if counts[hi]-counts[lo] > 1 {
		c.add("%s unbalanced: %q has %d, %q has %d", what, hi, counts[hi], lo, counts[lo])
	}
}

func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	msg := strings.Join(c.problems, "; ")
	if c.more > 0 {
		msg += fmt.Sprintf("; and %d more", c.more)
	}
	return errors.New("assignor: " + msg)
}

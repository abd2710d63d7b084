package assignor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// layout is what range and roundrobin both start from: the members in
// Java's order, and the subscribed topics that have partitions, by name,
// each with its subscribers in member order. Both assignors decide an owner
// for every partition of those topics, laid end to end in that order.
type layout struct {
	members []*Member // Java's MemberInfo order
	topics  []topicSubscribers
	total   int // partitions of all topics
}

type topicSubscribers struct {
	name       string
	partitions int32
	first      int     // the topic's first partition in the flat order
	subs       []int32 // positions in layout.members, ascending
}

// newLayout sorts the members and collects each topic's subscribers. Topic
// names sort by bytes: Kafka restricts them to ASCII letters, digits, '.',
// '_' and '-', where bytes and Java's UTF-16 order agree.
func newLayout(g Group) (*layout, error) {
	l := &layout{members: make([]*Member, len(g.Members))}
	ids := make(map[string]struct{}, len(g.Members))
	for i := range g.Members {
		m := &g.Members[i]
		if _, dup := ids[m.ID]; dup {
			return nil, fmt.Errorf("%w: member id %q appears twice", ErrInvalidGroup, m.ID)
		}
		ids[m.ID] = struct{}{}
		l.members[i] = m
	}
	slices.SortFunc(l.members, compareMembers)

	index := make(map[string]int, len(g.Topics))
	var lastSeen []int32 // per topic, the position of the last member added, to drop duplicates
	for pos, m := range l.members {
		for _, name := range m.Topics {
			t, ok := index[name]
			if !ok {
				n := g.Topics[name].Partitions
				if n <= 0 {
					continue // no metadata: Java skips the topic
				}
				t = len(l.topics)
				index[name] = t
				l.topics = append(l.topics, topicSubscribers{name: name, partitions: n})
				lastSeen = append(lastSeen, -1)
			}
			if lastSeen[t] == int32(pos) {
				continue
			}
			lastSeen[t] = int32(pos)
			l.topics[t].subs = append(l.topics[t].subs, int32(pos))
		}
	}
	slices.SortFunc(l.topics, func(a, b topicSubscribers) int { return strings.Compare(a.name, b.name) })
	for i := range l.topics {
		l.topics[i].first = l.total
		l.total += int(l.topics[i].partitions)
	}
	return l, nil
}

// build turns owners (for each partition in the flat order, the position
// of the member that gets it) into the assignments, one per member, all
// sharing one backing array.
func (l *layout) build(owners []int32) map[string]Assignment {
	counts := make([]int, len(l.members)+1)
	for _, o := range owners {
		counts[o+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1] // counts[i] is now where member i's partitions start
	}
	all := make([]protocol.TopicPartition, len(owners))
	next := slices.Clone(counts[:len(l.members)])
	for _, t := range l.topics {
		for p := range t.partitions {
			o := owners[t.first+int(p)]
			all[next[o]] = protocol.TopicPartition{Topic: t.name, Partition: p}
			next[o]++
		}
	}
	out := make(map[string]Assignment, len(l.members))
	for i, m := range l.members {
		out[m.ID] = Assignment{Partitions: all[counts[i]:counts[i+1]:counts[i+1]]}
	}
	return out
}

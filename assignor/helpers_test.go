package assignor

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// dyn is a dynamic member subscribed to topics.
func dyn(id string, topics ...string) Member {
	return Member{ID: id, Topics: topics, Generation: -1}
}

// static is a static member (with a group.instance.id) subscribed to topics.
func static(id, instance string, topics ...string) Member {
	return Member{ID: id, InstanceID: instance, Topics: topics, Generation: -1}
}

// counts makes Group.Topics from name, count pairs.
func counts(pairs ...any) map[string]Topic {
	t := make(map[string]Topic, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		t[pairs[i].(string)] = Topic{Partitions: int32(pairs[i+1].(int))}
	}
	return t
}

// format writes partitions as "t1-0 t1-1 t2-0", the form wants are written in.
func format(tps []protocol.TopicPartition) string {
	var b strings.Builder
	for i, tp := range tps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tp.Topic)
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(int(tp.Partition)))
	}
	return b.String()
}

// formatAll formats a whole assignment, by member id.
func formatAll(out map[string]Assignment) map[string]string {
	f := make(map[string]string, len(out))
	for id, a := range out {
		f[id] = format(a.Partitions)
	}
	return f
}

// stickyClaims reads StickyAssignor user data as Java does, the reference
// that stickyClaimsInto reads into a sticky input's numbering: data it
// cannot read counts as no previous assignment.
func stickyClaims(m *Member) ([]protocol.TopicPartition, int32) {
	if len(m.UserData) == 0 {
		return nil, -1
	}
	tps, gen, err := protocol.StickyAssignorUserDataPartitions(m.UserData, nil)
	if err != nil {
		return nil, -1
	}
	return tps, gen
}

// stickyGroup is g with every member's claim (Owned and Generation) moved
// into StickyAssignor user data, where Sticky reads it.
func stickyGroup(g Group) Group {
	g.Members = slices.Clone(g.Members)
	for i := range g.Members {
		m := &g.Members[i]
		m.UserData = Sticky.SubscriptionUserData(*m)
		m.Owned, m.Generation = nil, -1
	}
	return g
}

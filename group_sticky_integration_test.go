package rawkafka

import (
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationEagerStickyKeeps: the eager `sticky` assignor on a topic of
// 6 partitions written to all the time. Every member revokes everything
// before each join, so only its user data tells the leader what it had:
// when a third member joins, the two old ones each keep 2 of their 3; when
// it leaves, they get back 3 each, keeping the 2. Every record consumed, no
// partition owned by two members at any moment.
func TestIntegrationEagerStickyKeeps(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 6, 1)
	g := kafkatest.TopicName(t)
	stream := startIDStream(t, kafkatest.Brokers(t), topic, "s", 12)
	props := func() map[string]string { return groupProps(g, "partition.assignment.strategy", "sticky") }
	s1 := startMember(t, "s1", props(), topic)
	waitFor(t, 20*time.Second, "s1 to own everything", func() bool { return len(s1.owned()) == 6 })
	s2 := startMember(t, "s2", props(), topic)
	waitFor(t, 30*time.Second, "s1 and s2 to split", func() bool { return len(s1.owned()) == 3 && len(s2.owned()) == 3 })
	had1, had2 := s1.owned(), s2.owned()

	s3 := startMember(t, "s3", props(), topic)
	waitFor(t, 30*time.Second, "three ways", func() bool {
		return len(s1.owned()) == 2 && len(s2.owned()) == 2 && len(s3.owned()) == 2
	})
	kept1, kept2 := s1.owned(), s2.owned()
	for _, c := range []struct {
		name      string
		had, kept []TopicPartition
	}{{"s1", had1, kept1}, {"s2", had2, kept2}} {
		for _, tp := range notIn(c.kept, c.had) {
			t.Errorf("%s had %v and now owns %v: %v moved to it though it could keep 2 of its own", c.name, c.had, c.kept, tp)
		}
	}

	s3.stop(false)
	waitFor(t, 30*time.Second, "s1 and s2 to own everything", func() bool { return len(s1.owned()) == 3 && len(s2.owned()) == 3 })
	for _, c := range []struct {
		name      string
		kept, now []TopicPartition
	}{{"s1", kept1, s1.owned()}, {"s2", kept2, s2.owned()}} {
		for _, tp := range notIn(c.kept, c.now) {
			t.Errorf("%s owned %v and now %v: it lost %v when s3 left", c.name, c.kept, c.now, tp)
		}
	}
	before := len(union(s1, s2))
	waitFor(t, 20*time.Second, "records after s3 left", func() bool { return len(union(s1, s2)) > before })

	all := []*member{s1, s2, s3}
	endAndConsume(t, stream, all...)
	checkOwnership(t, all...)
	for _, m := range all {
		t.Logf("%s: %s; errors %v", m.name, m.kinds(), m.errors())
	}
}

// notIn returns the partitions of a that b does not hold.
func notIn(a, b []TopicPartition) []TopicPartition {
	var out []TopicPartition
	for _, tp := range a {
		if !slices.Contains(b, tp) {
			out = append(out, tp)
		}
	}
	return out
}

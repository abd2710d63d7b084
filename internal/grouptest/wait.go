package grouptest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// Partitions lists partitions 0..n-1 of topic.
func Partitions(topic string, n int) []TopicPartition {
	out := make([]TopicPartition, n)
	for i := range out {
		out[i] = TopicPartition{topic, int32(i)}
	}
	return out
}

// WaitFor polls cond (kafkatest.Poll) until it holds, failing the test with
// what and describe() (the state at the end) after timeout.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool, describe func() string) {
	t.Helper()
	if !kafkatest.Poll(timeout, cond) {
		msg := ""
		if describe != nil {
			msg = "\n" + describe()
		}
		t.Fatalf("grouptest: %s: not within %v%s", what, timeout, msg)
	}
}

// Ownership describes what each member owns now, by its own events.
func Ownership(members ...Member) string {
	var b strings.Builder
	for _, m := range members {
		state := "running"
		select {
		case <-m.Done():
			state = "exited"
		default:
		}
		fmt.Fprintf(&b, "%s (%s, %s): %v, %d records\n", m.Name(), m.Kind(), state, m.Owned(), len(m.Records()))
	}
	return b.String()
}

// Stable reports whether the members, by their own events, own partitions
// exactly once between them: every partition owned, none by two.
func Stable(partitions []TopicPartition, members ...Member) bool {
	count := map[TopicPartition]int{}
	for _, m := range members {
		for _, tp := range m.Owned() {
			count[tp]++
		}
	}
	if len(count) != len(partitions) {
		return false
	}
	for _, tp := range partitions {
		if count[tp] != 1 {
			return false
		}
	}
	return true
}

// WaitStable waits until the members own partitions exactly once between
// them and every member owns at least one (when there are enough
// partitions): the group has settled after a rebalance.
func WaitStable(t testing.TB, timeout time.Duration, partitions []TopicPartition, members ...Member) {
	t.Helper()
	WaitFor(t, timeout, fmt.Sprintf("%d members owning %d partitions", len(members), len(partitions)), func() bool {
		if !Stable(partitions, members...) {
			return false
		}
		for _, m := range members {
			if len(m.Owned()) == 0 && len(partitions) >= len(members) {
				return false
			}
		}
		return true
	}, func() string { return Ownership(members...) })
}

// WaitConsumed waits until the members have printed every id at least once.
func WaitConsumed(t testing.TB, timeout time.Duration, ids []string, members ...Member) {
	t.Helper()
	WaitFor(t, timeout, fmt.Sprintf("%d records consumed", len(ids)), func() bool {
		return len(Consume(ids, AllRecords(members...)).Missing) == 0
	}, func() string {
		return Consume(ids, AllRecords(members...)).Summary() + "\n" + Ownership(members...)
	})
}

// WaitRecords waits until each member has printed at least n more records
// than it had when WaitRecords was called.
func WaitRecords(t testing.TB, timeout time.Duration, n int, members ...Member) {
	t.Helper()
	base := make([]int, len(members))
	for i, m := range members {
		base[i] = len(m.Records())
	}
	WaitFor(t, timeout, fmt.Sprintf("%d more records for each member", n), func() bool {
		for i, m := range members {
			if len(m.Records())-base[i] < n {
				return false
			}
		}
		return true
	}, func() string { return Ownership(members...) })
}

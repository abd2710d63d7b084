package conn

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/rawkafka/rawkafka/protocol"
)

// TopicChange is one topic whose partition count changed between the
// snapshots a Watcher compared. A count of 0 means the topic did not exist,
// or was not known: 0 → n is a topic that appeared (or entered the
// snapshots, as when all-topics is switched on), n → 0 one that was deleted.
type TopicChange struct {
	Topic         string
	OldPartitions int
	NewPartitions int
}

// Watcher reports changes to the partition counts of topics, the events
// that trigger a rebalance: a topic gaining partitions, appearing (a regex
// subscription) or disappearing. Each refresh that replaces the cached
// metadata updates every Watcher; C signals that Changes has something to
// report. Changes since the last Changes call are merged per topic (the
// count then against the count now), so a slow reader misses nothing and a
// topic that went and came back with the same count reports nothing.
//
// Only topics the snapshots describe are compared: a topic dropped from a
// named interest (SetTopics) is forgotten without a change, since its
// absence says nothing about the topic; in an all-topics snapshot, absence
// is deletion. A topic with a retriable error (LEADER_NOT_AVAILABLE while it
// is created) keeps the count it had, so a passing error does not flap.
type Watcher struct {
	c    *Cluster
	ch   chan struct{}
	last map[string]int // the counts Changes last reported from; under c.mu
	cur  map[string]int // the counts of the latest snapshot; under c.mu
}

// Watch returns a Watcher whose first changes are relative to the cached
// metadata (none before the first refresh: every topic then appears). Stop
// it when done.
func (c *Cluster) Watch() *Watcher {
	w := &Watcher{c: c, ch: make(chan struct{}, 1), cur: map[string]int{}}
	c.mu.Lock()
	if c.md != nil {
		w.update(c.md)
		select {
		case <-w.ch: // the baseline is no change
		default:
		}
	}
	w.last = maps.Clone(w.cur)
	c.watchers[w] = struct{}{}
	c.mu.Unlock()
	return w
}

// C receives when changes are pending; it never closes. A receive may be
// followed by an empty Changes if an earlier call already took them.
func (w *Watcher) C() <-chan struct{} { return w.ch }

// Changes returns the changes since the previous call (or since Watch),
// sorted by topic, and resets them.
func (w *Watcher) Changes() []TopicChange {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	select {
	case <-w.ch: // taken now: no stale signal for changes already returned
	default:
	}
	out := w.diff()
	w.last = maps.Clone(w.cur)
	return out
}

// Stop detaches the Watcher from the cluster; C receives nothing more.
func (w *Watcher) Stop() {
	w.c.mu.Lock()
	delete(w.c.watchers, w)
	w.c.mu.Unlock()
}

// update takes a new snapshot into cur and signals when cur differs from
// last. The caller holds c.mu.
func (w *Watcher) update(md *Metadata) {
	for t := range w.cur {
		if _, ok := md.Topics[t]; !ok {
			delete(w.cur, t)
			if !md.AllTopics {
				delete(w.last, t) // out of the interest, not deleted
			}
		}
	}
	if !md.AllTopics {
		for t := range w.last {
			if _, ok := md.Topics[t]; !ok {
				delete(w.last, t)
			}
		}
	}
	for name, t := range md.Topics {
		switch {
		case t.Err == nil && len(t.Partitions) > 0:
			w.cur[name] = len(t.Partitions)
		case t.Err != nil && retriable(t.Err):
			// keep what it had
		default:
			delete(w.cur, name)
		}
	}
	if len(w.diff()) > 0 {
		select {
		case w.ch <- struct{}{}:
		default: // already signaled
		}
	}
}

func retriable(err error) bool {
	var ke *protocol.Error
	return errors.As(err, &ke) && ke.Retriable && !errors.Is(err, protocol.ErrUnknownTopicOrPartition)
}

// diff compares last with cur. The caller holds c.mu.
func (w *Watcher) diff() []TopicChange {
	var out []TopicChange
	for _, t := range slices.Sorted(maps.Keys(w.cur)) {
		if n := w.cur[t]; w.last[t] != n {
			out = append(out, TopicChange{Topic: t, OldPartitions: w.last[t], NewPartitions: n})
		}
	}
	for _, t := range slices.Sorted(maps.Keys(w.last)) {
		if _, ok := w.cur[t]; !ok {
			out = append(out, TopicChange{Topic: t, OldPartitions: w.last[t]})
		}
	}
	slices.SortFunc(out, func(a, b TopicChange) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

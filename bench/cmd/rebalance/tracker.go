package main

import (
	"sync"
	"time"

	"github.com/rawkafka/rawkafka"
)

// tracker keeps, per partition, when records of it reached any member
// (one time per Poll that returned some).
type tracker struct {
	mu   sync.Mutex
	seen [][]time.Time
	made [][]time.Time // the producer's timestamp of each Poll's first record
}

func newTracker(partitions int) *tracker {
	return &tracker{seen: make([][]time.Time, partitions), made: make([][]time.Time, partitions)}
}

func (t *tracker) record(p int32, at, made time.Time) {
	t.mu.Lock()
	t.seen[p] = append(t.seen[p], at)
	t.made[p] = append(t.made[p], made)
	t.mu.Unlock()
}

// latest returns the longest time from a record's timestamp (the
// producer's clock, the same machine's) to a Poll returning it, among the
// Polls in [from, to], and the longest gap between two records' timestamps
// there: what the producer, not the consumers, left unwritten.
func (t *tracker) latest(from, to time.Time) (latency, made time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p := range t.seen {
		for i, at := range t.seen[p] {
			if at.Before(from) || at.After(to) {
				continue
			}
			latency = max(latency, at.Sub(t.made[p][i]))
			if i > 0 {
				made = max(made, t.made[p][i].Sub(t.made[p][i-1]))
			}
		}
	}
	return latency, made
}

// allSince reports whether every partition had a record after since.
func (t *tracker) allSince(since time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.seen {
		if len(s) == 0 || !s[len(s)-1].After(since) {
			return false
		}
	}
	return true
}

// longestGap returns the longest time between two records of one
// partition reaching a member, among the gaps that overlap [from, to]; a
// partition with no record since its last before to counts until now.
func (t *tracker) longestGap(from, to time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var longest time.Duration
	for p := range t.seen {
		longest = max(longest, gapIn(t.seen[p], from, to))
	}
	return longest
}

// longestGapOf is longestGap over some partitions only.
func (t *tracker) longestGapOf(tps []rawkafka.TopicPartition, from, to time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var longest time.Duration
	for _, tp := range tps {
		longest = max(longest, gapIn(t.seen[tp.Partition], from, to))
	}
	return longest
}

func gapIn(s []time.Time, from, to time.Time) time.Duration {
	var longest time.Duration
	for i := 1; i < len(s); i++ {
		if s[i].After(from) && s[i-1].Before(to) {
			longest = max(longest, s[i].Sub(s[i-1]))
		}
	}
	if n := len(s); n > 0 && s[n-1].Before(to) {
		longest = max(longest, time.Since(s[n-1]))
	}
	return longest
}

// firstAfterAll returns when the last partition to get a record after t
// got it; call it once allSince(t).
func (t *tracker) firstAfterAll(after time.Time) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	var last time.Time
	for _, s := range t.seen {
		for _, at := range s {
			if at.After(after) {
				if at.After(last) {
					last = at
				}
				break
			}
		}
	}
	return last
}

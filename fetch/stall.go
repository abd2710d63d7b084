package fetch

import (
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// FetchTimes says when Fetch responses carried a partition without error:
// what the Consumer's rebalance timeline measures a partition's stall
// with. The fetch loops record them once per partition per response (one
// time stored, one comparison), never per record.
type FetchTimes struct {
	// First is the first such response since the partition was added (a
	// partition removed and added again starts over); zero before.
	First time.Time
	// Last is the latest; zero before the first.
	Last time.Time
	// MaxGap is the longest time between two such responses since the
	// last FetchTimes that took the gaps (or since the partition was
	// added). A gap still open (no response since Last) is not in it.
	MaxGap time.Duration
}

// fetched records a response that carried p without error, at now. Called
// with mu held, by the fetch loop that handled the response.
func (p *partition) fetched(now time.Time) {
	if p.times.Last.IsZero() {
		p.times.First = now
	} else if gap := now.Sub(p.times.Last); gap > p.times.MaxGap {
		p.times.MaxGap = gap
	}
	p.times.Last = now
}

// FetchTimes returns the FetchTimes of those of tps that are assigned (the
// others are left out). With takeGaps, their MaxGap starts again from 0
// after it is read, so that the next call reports the gaps closed since.
func (f *Fetcher) FetchTimes(tps []protocol.TopicPartition, takeGaps bool) map[protocol.TopicPartition]FetchTimes {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[protocol.TopicPartition]FetchTimes, len(tps))
	for _, tp := range tps {
		p := f.parts[tp]
		if p == nil {
			continue
		}
		out[tp] = p.times
		if takeGaps {
			p.times.MaxGap = 0
		}
	}
	return out
}

// fetchWatch is a FetchedAfter waiting: the partitions without a response
// after since yet. Guarded by Fetcher.mu.
type fetchWatch struct {
	since   time.Time
	waiting []protocol.TopicPartition
	done    chan struct{}
}

// FetchedAfter returns a channel that is closed once every partition of
// tps has had a Fetch response without error after since (FetchTimes.Last
// after since), and a function that ends the watch (the channel is then
// never closed, unless it was already). A partition that is not assigned,
// or is removed meanwhile, or stays paused, never meets it: the caller
// decides how long to wait. The check runs when a response arrives, once
// per response while a watch is open; no watch, no cost.
func (f *Fetcher) FetchedAfter(tps []protocol.TopicPartition, since time.Time) (<-chan struct{}, func()) {
	w := &fetchWatch{since: since, waiting: append([]protocol.TopicPartition(nil), tps...), done: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.checkWatch(w) {
		f.watches = append(f.watches, w)
	}
	return w.done, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, o := range f.watches {
			if o == w {
				f.watches = append(f.watches[:i], f.watches[i+1:]...)
				return
			}
		}
	}
}

// checkWatch drops from w the partitions fetched after w.since and closes
// w.done, reporting true, when none is left. Called with mu held.
func (f *Fetcher) checkWatch(w *fetchWatch) bool {
	left := w.waiting[:0]
	for _, tp := range w.waiting {
		if p := f.parts[tp]; p == nil || !p.times.Last.After(w.since) {
			left = append(left, tp)
		}
	}
	w.waiting = left
	if len(left) > 0 {
		return false
	}
	close(w.done)
	return true
}

// checkWatches checks every open watch after a response. Called with mu
// held, only while a watch is open.
func (f *Fetcher) checkWatches() {
	open := f.watches[:0]
	for _, w := range f.watches {
		if !f.checkWatch(w) {
			open = append(open, w)
		}
	}
	clear(f.watches[len(open):])
	f.watches = open
}

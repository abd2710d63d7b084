package fetch

import (
	"time"
)

// maintState is the maintenance loop's own bookkeeping, guarded by
// Fetcher.mu.
type maintState struct {
	metaBusy     bool      // a metadata refresh is in flight
	rounds       int64     // loop iterations, for tests
	metaFailures int       // consecutive refreshes that failed or left partitions without a leader
	metaRetryAt  time.Time // no refresh for needMeta partitions before
	lastCheck    time.Time // when the last refresh started (metadata.max.age.ms counts from it)
}

// maintain is the Fetcher's background goroutine for everything that is
// not fetching: it refreshes metadata for partitions whose leader is
// unknown or suspect, looks up start positions (ListOffsets, committed
// offsets) and validates positions after leader changes
// (OffsetForLeaderEpoch). It never waits for a request itself: each is
// work in flight for its own partitions (partition.lookup, metaBusy), on
// its own goroutine, so that a slow answer (a coordinator loading its
// offsets, a broker that does not answer) holds up only the partitions it
// concerns, never the refreshes and validations of the others. Answers
// wake the loop through notify.
func (f *Fetcher) maintain() {
	defer f.wg.Done()
	f.mu.Lock()
	f.ms.lastCheck = time.Now()
	f.mu.Unlock()
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return
		}
		f.ms.rounds++
		f.startMetadata()
		f.startLookups()
		next := f.nextMaintenance()
		f.mu.Unlock()
		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-f.maintWake:
			case <-t.C:
			case <-f.ctx.Done():
			}
			t.Stop()
		} else {
			select { // something is due now; still let Close through
			case <-f.ctx.Done():
			default:
			}
		}
	}
}

// nextMaintenance returns when the loop has work next, unless woken
// earlier. Called with mu held.
func (f *Fetcher) nextMaintenance() time.Time {
	next := f.ms.lastCheck.Add(f.cfg.MetadataMaxAge)
	if f.ms.metaBusy { // its answer wakes the loop, however long it takes
		next = time.Now().Add(f.cfg.MetadataMaxAge)
	}
	for p := range f.b.maint {
		switch {
		case p.needMeta:
			if !f.ms.metaBusy && f.ms.metaRetryAt.Before(next) {
				next = f.ms.metaRetryAt
			}
		case p.lookup != p.gen && p.leader >= 0 && p.retryAt.Before(next):
			next = p.retryAt
		}
	}
	return next
}

// posItem is one partition in a ListOffsets, OffsetForLeaderEpoch or
// committed-offset lookup, with what it was when the request was built.
type posItem struct {
	p        *partition
	gen      uint64
	start    Start
	ts       int64 // ListOffsets timestamp
	position int64
	epoch    int32 // offsetEpoch, for validation
}

// startLookups starts, for the partitions whose position is due for a
// lookup or validation, one request per leader for ListOffsets and for
// OffsetForLeaderEpoch, and one committed-offset lookup; each partition is
// in flight (p.lookup) until its answer is applied. Partitions that cannot
// start (reset policy none, committed without a group) stop here. Called
// with mu held.
func (f *Fetcher) startLookups() {
	now := time.Now()
	var resets, validations map[int32][]posItem
	var committed []posItem
	for p := range f.b.maint {
		if !p.lookupDue(now) {
			continue
		}
		switch p.state {
		case posReset:
			switch p.start.kind {
			case startNone:
				p.stop(ErrNoOffset)
				f.log.Warn("no start offset and the reset policy is none; partition stopped until Seek",
					"topic", p.tp.Topic, "partition", p.tp.Partition)
				continue
			case startCommitted:
				if f.cfg.Committed == nil {
					p.stop(ErrNoGroup)
					f.log.Warn("a committed start position without a group; partition stopped until Seek",
						"topic", p.tp.Topic, "partition", p.tp.Partition)
					continue
				}
				committed = append(committed, posItem{p: p, gen: p.gen, start: p.start})
			default:
				if resets == nil {
					resets = map[int32][]posItem{}
				}
				resets[p.leader] = append(resets[p.leader], posItem{p: p, gen: p.gen, start: p.start, ts: p.start.listTimestamp(now)})
			}
		case posValidate:
			if validations == nil {
				validations = map[int32][]posItem{}
			}
			validations[p.leader] = append(validations[p.leader], posItem{p: p, gen: p.gen, position: p.position, epoch: p.offsetEpoch})
		}
		p.lookup = p.gen
	}
	if len(committed) > 0 {
		f.goMaint(func() { f.lookUpCommitted(committed) })
	}
	for leader, items := range resets {
		f.goMaint(func() { f.listOffsets(leader, items) })
	}
	for leader, items := range validations {
		f.goMaint(func() { f.validate(leader, items) })
	}
}

// goMaint runs fn on its own goroutine, which Close waits for. Called with
// mu held and the Fetcher open.
func (f *Fetcher) goMaint(fn func()) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		fn()
	}()
}

// settled ends it's lookup and reports whether the answer still applies:
// the partition is assigned and its position was not set meanwhile. Called
// with mu held.
func (f *Fetcher) settled(it posItem) bool {
	p := it.p
	if p.lookup == it.gen {
		p.lookup = 0
	}
	return f.parts[p.tp] == p && p.gen == it.gen
}

// itemsFailed marks items after a request got no usable answer.
func (f *Fetcher) itemsFailed(items []posItem, err error, what string, leader int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	now := time.Now()
	for _, it := range items {
		if f.settled(it) && f.ctx.Err() == nil {
			f.wantMeta(it.p)
			it.p.fail(&f.cfg, now)
		}
	}
	if f.ctx.Err() == nil {
		f.log.Warn(what+" failed; refreshing metadata", "broker", leader, "err", err, "partitions", len(items))
	}
}

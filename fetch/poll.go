package fetch

import (
	"context"
	"errors"
	"iter"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// Record is one record handed out by Poll.
//
// Key, Value and Headers point into memory that the Fetcher reuses or that
// belongs to a fetch response: they are valid until the next Poll (or
// Close). Copy what must outlive that.
type Record struct {
	Topic         string
	Partition     int32
	Offset        int64
	LeaderEpoch   int32 // -1 when unknown (message format v0/v1)
	Timestamp     time.Time
	LogAppendTime bool   // Timestamp is the broker's append time, not the producer's
	Key           []byte // nil is null
	Value         []byte // nil is null
	Headers       []record.Header
}

// PartitionRecords is the records Poll returned for one partition, in
// offset order, with the partition's offsets as of the fetch.
type PartitionRecords struct {
	protocol.TopicPartition
	Records          []Record
	HighWatermark    int64
	LastStableOffset int64 // -1 when unknown
	LogStartOffset   int64 // -1 when unknown
}

// Fetches is what one Poll returns: records grouped by partition and the
// errors of partitions. It and everything in it are valid until the next
// Poll.
type Fetches struct {
	Partitions []PartitionRecords
	// Errors holds a *PartitionError per partition error since the last
	// Poll (each reported once).
	Errors []error
}

// NumRecords returns the number of records in all partitions.
func (fs *Fetches) NumRecords() int {
	n := 0
	for i := range fs.Partitions {
		n += len(fs.Partitions[i].Records)
	}
	return n
}

// Empty reports whether there are neither records nor errors.
func (fs *Fetches) Empty() bool { return len(fs.Partitions) == 0 && len(fs.Errors) == 0 }

// Err joins the partition errors; nil when there are none.
func (fs *Fetches) Err() error { return errors.Join(fs.Errors...) }

// Records iterates over every record, partition by partition. The records
// are valid until the next Poll.
func (fs *Fetches) Records() iter.Seq[*Record] {
	return func(yield func(*Record) bool) {
		for i := range fs.Partitions {
			rs := fs.Partitions[i].Records
			for j := range rs {
				if !yield(&rs[j]) {
					return
				}
			}
		}
	}
}

// output is Poll's reusable storage: record and header structs, and the
// decompression buffers of compressed batches. Keys, values and header
// bytes are not copied: they point into the fetch response, or into a
// decompression buffer that a decoder swapped out (record.Decoder.SwapBuffer)
// before moving to its next batch. Those buffers are spent until the next
// Poll, when its records are no longer valid, and then free for reuse.
type output struct {
	recs   []Record
	hdrs   []record.Header
	groups []outGroup
	errs   []error
	spent  [][]byte // buffers with records of this Poll (or of an earlier one, still handed out in this one)
	free   [][]byte
}

type outGroup struct {
	p        *partition
	gen      uint64
	from, to int
	hw, lso  int64
	logStart int64
}

type outMark struct{ recs, hdrs int }

func (o *output) reset() {
	clear(o.recs) // drop references to old responses
	clear(o.hdrs)
	o.recs, o.hdrs = o.recs[:0], o.hdrs[:0]
	o.groups, o.errs = o.groups[:0], nil
	o.free = append(o.free, o.spent...)
	clear(o.spent)
	o.spent = o.spent[:0]
}

func (o *output) mark() outMark { return outMark{len(o.recs), len(o.hdrs)} }

func (o *output) rollback(m outMark) {
	o.recs, o.hdrs = o.recs[:m.recs], o.hdrs[:m.hdrs]
}

// swapOut takes dec's decompression buffer, which records of its current
// batch may point into, out of its hands until the next Poll, giving it a
// free one instead.
func (o *output) swapOut(dec *record.Decoder) {
	var buf []byte
	if n := len(o.free); n > 0 {
		buf, o.free[n-1] = o.free[n-1], nil
		o.free = o.free[:n-1]
	}
	if old := dec.SwapBuffer(buf); cap(old) > 0 {
		o.spent = append(o.spent, old)
	}
}

// reclaim takes back dec's decompression buffer, which no record handed
// out points into (dec is past its last batch), as free.
func (o *output) reclaim(dec *record.Decoder) {
	if buf := dec.SwapBuffer(nil); cap(buf) > 0 {
		o.free = append(o.free, buf)
	}
}

func (o *output) add(tp protocol.TopicPartition, b *record.Batch, r *record.Record) {
	rec := Record{Topic: tp.Topic, Partition: tp.Partition, Offset: r.Offset, LeaderEpoch: b.PartitionLeaderEpoch,
		Timestamp: time.UnixMilli(r.Timestamp), LogAppendTime: b.LogAppendTime(), Key: r.Key, Value: r.Value}
	if len(r.Headers) > 0 {
		start := len(o.hdrs)
		o.hdrs = append(o.hdrs, r.Headers...)
		rec.Headers = o.hdrs[start:len(o.hdrs):len(o.hdrs)]
	}
	o.recs = append(o.recs, rec)
}

// live reports whether some records are still to be handed out: of a
// partition neither removed nor sought since they were decoded. Called
// with Fetcher.mu held.
func (o *output) live() bool {
	for _, g := range o.groups {
		if g.p.gen == g.gen {
			return true
		}
	}
	return false
}

// fetches returns the records and errors to hand out. Called with
// Fetcher.mu held.
func (o *output) fetches() *Fetches {
	fs := &Fetches{Errors: slices.Clone(o.errs)}
	for _, g := range o.groups {
		if g.p.gen != g.gen {
			continue // removed or sought before Poll returned: not handed out
		}
		fs.Partitions = append(fs.Partitions, PartitionRecords{TopicPartition: g.p.tp, Records: o.recs[g.from:g.to:g.to],
			HighWatermark: g.hw, LastStableOffset: g.lso, LogStartOffset: g.logStart})
	}
	return fs
}

// Poll returns the records fetched since the last Poll, at most maxRecords
// of them (0 means DefaultMaxRecords), grouped by partition, with the errors
// of partitions. It waits until there is at least one record or error, or
// until ctx ends (then it returns an empty Fetches and ctx's error).
// Returning records moves positions past them; the data of the previous
// Poll becomes invalid, and the partitions whose buffered data Poll used up
// are fetched again while the caller handles the records.
//
// Paused partitions return nothing until resumed. Calls of Poll and TryPoll
// are serialised. Poll is TryPoll and a wait on its channel; a caller that
// must also wake for other events (the rawkafka Consumer) runs that loop
// itself.
func (f *Fetcher) Poll(ctx context.Context, maxRecords int) (*Fetches, error) {
	for {
		fs, wait, err := f.TryPoll(maxRecords)
		if err != nil || wait == nil {
			return fs, err
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return &Fetches{}, ctx.Err()
		}
	}
}

// TryPoll is Poll without the wait: it returns what is ready now. When that
// is nothing (no record, no error), it returns an empty Fetches and a
// channel that is closed at the next change Poll can return (data fetched,
// a partition error or a stopped partition, a resumed partition with data,
// Close); the channel is nil otherwise. The data of the previous Poll or
// TryPoll becomes invalid either way.
func (f *Fetcher) TryPoll(maxRecords int) (*Fetches, <-chan struct{}, error) {
	f.pollMu.Lock()
	defer f.pollMu.Unlock()
	if maxRecords <= 0 {
		maxRecords = DefaultMaxRecords
	}
	out := &f.out
	out.reset()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.handedOut > 0 {
		f.buffered -= f.handedOut
		f.handedOut = 0
		f.notify() // the budget has room again
	}
	if f.closed {
		return &Fetches{}, nil, ErrClosed
	}
	if f.visited == nil {
		f.visited = map[*partition]bool{}
	}
	visited := f.visited
	for {
		for len(out.recs) < maxRecords {
			cf := f.nextDrainable(visited)
			if cf == nil {
				break
			}
			visited[cf.p] = true
			f.drainOne(cf, out, maxRecords)
		}
		// A round that drained something but hands out nothing (control
		// records, a stale batch, records of a partition removed or sought
		// meanwhile) may have let other data in while it decoded: look
		// again, so that nothing ready is left behind a wait whose wake-up
		// has already passed.
		again := len(visited) > 0 && !out.live()
		clear(visited)
		if !again {
			break
		}
		if len(out.recs) > 0 {
			out.reset() // all of it dropped: make room
		}
	}
	// Under mu from here to the return: the records and errors become
	// handed out in one step with the positions that Remove and Consumed
	// see.
	for _, g := range out.groups {
		g.p.polledFrom = -1
	}
	if len(f.b.errParts) > 0 {
		for _, p := range f.b.errParts {
			out.errs = append(out.errs, p.errs...)
			p.errs = nil
		}
		clear(f.b.errParts)
		f.b.errParts = f.b.errParts[:0]
	}
	if !out.live() && len(out.errs) == 0 {
		return &Fetches{}, f.b.pollWait(), nil
	}
	return out.fetches(), nil, nil
}

// nextDrainable returns the first queued fetch Poll can take now, dropping
// stale ones on the way. Called with mu held.
func (f *Fetcher) nextDrainable(visited map[*partition]bool) *completedFetch {
	for i := 0; i < len(f.queue); i++ {
		cf := f.queue[i]
		if f.parts[cf.p.tp] != cf.p || cf.p.gen != cf.gen {
			f.unqueue(cf, false)
			i--
			continue
		}
		if cf.p.state != posReady { // awaiting validation after a leader change: refetch after it
			cf.p.buffered = false
			f.unqueue(cf, false)
			f.notify()
			i--
			continue
		}
		if cf.p.paused || visited[cf.p] {
			continue
		}
		return cf
	}
	return nil
}

// unqueue removes cf from the queue; its bytes stay charged until the next
// Poll when handed is set (records may point into them), else they are
// released now.
func (f *Fetcher) unqueue(cf *completedFetch, handed bool) {
	if i := slices.Index(f.queue, cf); i >= 0 {
		f.queue = slices.Delete(f.queue, i, i+1)
	}
	if handed {
		f.handedOut += cf.size
	} else {
		f.buffered -= cf.size
	}
	cf.release()
}

// drainOne hands out records of cf, decoding without holding mu. Called
// with mu held.
func (f *Fetcher) drainOne(cf *completedFetch, out *output, maxRecords int) {
	f.draining = cf
	m := out.mark()
	f.mu.Unlock()
	n := cf.drain(out, maxRecords-len(out.recs), f.cfg.IsolationLevel, record.Options{SkipCRC: f.cfg.SkipCRC, MaxDecompressed: f.cfg.MaxDecompressed})
	f.mu.Lock()
	f.draining = nil
	p := cf.p
	if f.parts[p.tp] != p || p.gen != cf.gen {
		out.rollback(m) // sought or removed meanwhile
		f.unqueue(cf, false)
		return
	}
	if n > 0 && p.polledFrom < 0 {
		p.polledFrom, p.polledEpoch = p.position, p.offsetEpoch
	}
	p.advance(cf.next, cf.nextEpoch)
	if n > 0 {
		out.groups = append(out.groups, outGroup{p: p, gen: p.gen, from: m.recs, to: len(out.recs), hw: p.hw, lso: p.lso, logStart: p.logStart})
		f.m.records.Add(int64(n))
	}
	if !cf.done {
		return
	}
	f.unqueue(cf, true)
	f.m.bytes.Add(cf.size)
	p.buffered = false
	if cf.err != nil {
		p.stop(cf.err) // reported at this Poll or the next
		f.log.Error("fetched data does not decode; partition stopped until Seek", "topic", p.tp.Topic,
			"partition", p.tp.Partition, "offset", p.position, "broker", cf.broker, "err", cf.err)
	}
	f.notify()
}

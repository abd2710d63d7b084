package fetch

import (
	"slices"
	"sync"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// completedFetch is one partition's data from one fetch response, queued
// until Poll has handed out all of it. Its records are decoded lazily, on
// Poll's goroutine, as the Java consumer does.
type completedFetch struct {
	p           *partition
	gen         uint64 // p.gen when fetched; another gen makes it stale
	fetchOffset int64
	records     []byte // points into the response
	size        int64  // bytes charged to the buffer budget
	aborted     []protocol.FetchResponseAbortedTransaction
	broker      int32

	// Decoding state, touched only by Poll.
	dec       *record.Decoder
	started   bool
	inBatch   bool  // records of the current batch are being handed out
	next      int64 // the position after what was handed out or skipped
	nextEpoch int32 // leader epoch of the batch before next; -1 unknown
	abortedPI map[int64]struct{}
	done      bool
	err       error
}

var decoders = sync.Pool{New: func() any { return new(record.Decoder) }}

func newCompletedFetch(p *partition, fetchOffset int64, records []byte, aborted []protocol.FetchResponseAbortedTransaction, broker int32) *completedFetch {
	cf := &completedFetch{p: p, gen: p.gen, fetchOffset: fetchOffset, records: records, size: int64(len(records)),
		broker: broker, next: fetchOffset, nextEpoch: -1}
	if len(aborted) > 0 {
		cf.aborted = slices.Clone(aborted)
		slices.SortFunc(cf.aborted, func(a, b protocol.FetchResponseAbortedTransaction) int {
			switch {
			case a.FirstOffset < b.FirstOffset:
				return -1
			case a.FirstOffset > b.FirstOffset:
				return 1
			}
			return 0
		})
	}
	return cf
}

// release returns the decoder; the record bytes are left to the garbage
// collector, since handed-out records may still point into them.
func (cf *completedFetch) release() {
	if cf.dec != nil {
		// Records of its last batch may point into its decompression
		// buffer (Poll swaps it out before each batch, so this is only
		// when Poll did not finish the fetch): leave it to them.
		cf.dec.SwapBuffer(nil)
		cf.dec.Reset(nil, record.Options{})
		decoders.Put(cf.dec)
		cf.dec = nil
	}
	cf.records = nil
}

// drain appends up to max records to out and returns how many. It skips
// records below the fetch offset, control batches, and (read_committed)
// batches of aborted transactions, moving next past all of them; it stops
// at a partial batch at the end (fetched again from next) and at a decode
// error (cf.err). It reads ahead past batches that hold nothing to hand
// out, so that a fetch whose last record was handed out is done at once and
// its partition can be fetched again; that is safe because the decoder's
// decompression buffer, into which records of a compressed batch point, is
// swapped out for another before each batch and kept until the next Poll.
func (cf *completedFetch) drain(out *output, max int, iso IsolationLevel, opts record.Options) int {
	if !cf.started {
		cf.started = true
		cf.dec = decoders.Get().(*record.Decoder)
		cf.dec.Reset(cf.records, opts)
		out.swapOut(cf.dec) // a free buffer: a released decoder has none
	}
	dec := cf.dec
	n := 0
	for !cf.done {
		if cf.inBatch {
			b := dec.Batch()
			if cf.next > b.LastOffset { // handed out to its end
				cf.inBatch = false
				cf.passBatch(b)
				continue
			}
			if n >= max {
				return n
			}
			if !dec.NextRecord() {
				if err := dec.Err(); err != nil {
					cf.done, cf.err = true, err
					return n
				}
				cf.inBatch = false
				cf.passBatch(b) // its last records were compacted away
				continue
			}
			r := dec.Record()
			if r.Offset < cf.next {
				continue // the batch began before the fetch offset
			}
			out.add(cf.p.tp, b, r)
			cf.next = r.Offset + 1
			if b.PartitionLeaderEpoch >= 0 {
				cf.nextEpoch = b.PartitionLeaderEpoch
			}
			n++
			continue
		}
		if dec.Batch().Codec() != record.CodecNone {
			out.swapOut(dec)
		}
		if !dec.NextBatch() {
			out.reclaim(dec)
			cf.done, cf.err = true, dec.Err()
			return n
		}
		b := dec.Batch()
		if b.LastOffset < cf.next {
			continue // handed out before
		}
		if iso == ReadCommitted && b.ProducerID >= 0 {
			cf.consumeAbortedUpTo(b.LastOffset)
			if b.Control() {
				if cf.isAbortMarker(dec) {
					delete(cf.abortedPI, b.ProducerID)
				}
			} else if _, aborted := cf.abortedPI[b.ProducerID]; aborted && b.Transactional() {
				cf.passBatch(b)
				continue
			}
		}
		if b.Control() {
			cf.passBatch(b) // control records never reach the user
			continue
		}
		cf.inBatch = true
	}
	return n
}

// passBatch moves next past the whole batch (its last records may have
// been compacted away, or it was skipped).
func (cf *completedFetch) passBatch(b *record.Batch) {
	if b.LastOffset+1 > cf.next {
		cf.next = b.LastOffset + 1
	}
	if b.PartitionLeaderEpoch >= 0 {
		cf.nextEpoch = b.PartitionLeaderEpoch
	}
}

// consumeAbortedUpTo marks as aborted the producers whose aborted
// transactions begin at or before offset.
func (cf *completedFetch) consumeAbortedUpTo(offset int64) {
	for len(cf.aborted) > 0 && cf.aborted[0].FirstOffset <= offset {
		if cf.abortedPI == nil {
			cf.abortedPI = make(map[int64]struct{})
		}
		cf.abortedPI[cf.aborted[0].ProducerId] = struct{}{}
		cf.aborted = cf.aborted[1:]
	}
}

// isAbortMarker reads the control batch's record and reports whether it is
// an ABORT marker.
func (cf *completedFetch) isAbortMarker(dec *record.Decoder) bool {
	if !dec.NextRecord() {
		return false
	}
	t, err := record.ParseControlKey(dec.Record().Key)
	return err == nil && t == record.ControlAbort
}

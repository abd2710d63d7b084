package record

import "iter"

// Batches iterates over the batches left, as NextBatch does; check Err
// after the loop. The *Batch is the decoder's own (see Batch).
//
//	for b := range d.Batches() {
//		for r := range d.Records() { ... }
//	}
//	if err := d.Err(); err != nil { ... }
func (d *Decoder) Batches() iter.Seq[*Batch] {
	return func(yield func(*Batch) bool) {
		for d.NextBatch() {
			if !yield(&d.batch) {
				return
			}
		}
	}
}

// Records iterates over the records left in the current batch, as
// NextRecord does. The *Record is the decoder's own (see Record).
func (d *Decoder) Records() iter.Seq[*Record] {
	return func(yield func(*Record) bool) {
		for d.NextRecord() {
			if !yield(&d.rec) {
				return
			}
		}
	}
}

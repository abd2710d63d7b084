package record_test

import (
	"testing"

	"github.com/rawkafka/rawkafka/protocol/record"
)

// In steady state (buffers grown, decompressors pooled) iterating
// allocates nothing, with or without headers, for every codec.
func TestSteadyStateAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts (the race detector drops pooled items on purpose)")
	}
	for _, magic := range []int8{0, 1, 2} {
		for _, codec := range codecs {
			for _, headers := range []bool{false, true} {
				if headers && magic < 2 {
					continue
				}
				recs := testRecords(0, 50, headers)
				b, err := record.AppendBatch(nil, record.Batch{Magic: magic, FirstTimestamp: ts}, recs, codec)
				if err != nil {
					t.Fatal(err)
				}
				fetch := append(append([]byte{}, b...), b...)
				var d record.Decoder
				n := 0
				walk := func() {
					d.Reset(fetch, record.Options{})
					for range d.Batches() {
						for r := range d.Records() {
							n += len(r.Key) + len(r.Headers)
						}
					}
					if d.Err() != nil {
						t.Fatal(d.Err())
					}
				}
				walk()
				// A pooled decompressor can be lost to a GC between runs,
				// so allow a fraction of an allocation per run.
				if a := testing.AllocsPerRun(20, walk); a > 0.5 {
					t.Errorf("magic %d %s headers=%v: %.1f allocations per walk of 100 records", magic, codec, headers, a)
				}
			}
		}
	}
}

// Batches and Records stop when the loop body breaks.
func TestIteratorsBreak(t *testing.T) {
	b, _ := record.AppendBatch(nil, record.Batch{Magic: 2}, testRecords(0, 10, false), record.CodecNone)
	var d record.Decoder
	d.Reset(append(append([]byte{}, b...), b...), record.Options{})
	batches, recs := 0, 0
	for range d.Batches() {
		batches++
		for r := range d.Records() {
			if recs++; r.Offset == 4 {
				break
			}
		}
		break
	}
	if batches != 1 || recs != 5 || !d.NextBatch() {
		t.Errorf("batches %d, records %d", batches, recs)
	}
}

package record_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"github.com/rawkafka/rawkafka/protocol/record"
)

var codecs = []record.Codec{record.CodecNone, record.CodecGzip, record.CodecSnappy, record.CodecLZ4, record.CodecZstd}

// testRecords returns n records from offset base on: keys and values of
// varied sizes (some large enough to span several compression blocks), a
// null key, a null value, an empty key and value, and headers (one with a
// null value) when asked.
func testRecords(base int64, n int, headers bool) []record.Record {
	recs := make([]record.Record, n)
	for i := range recs {
		r := &recs[i]
		r.Offset = base + int64(i)
		r.Timestamp = ts + int64(i*3)
		r.Key = []byte(fmt.Sprintf("key-%d", i))
		r.Value = bytes.Repeat([]byte(fmt.Sprintf("value %d;", i)), 1+i*i*37%900)
		switch i % 5 {
		case 1:
			r.Key = nil
		case 2:
			r.Value = nil
		case 3:
			r.Key, r.Value = []byte{}, []byte{}
		}
		if headers && i%4 != 3 {
			r.Headers = []record.Header{{Key: []byte("trace"), Value: []byte(fmt.Sprint(i))}}
			if i%2 == 0 {
				r.Headers = append(r.Headers, record.Header{Key: []byte("null"), Value: nil}, record.Header{Key: []byte{}, Value: []byte{}})
			}
		}
	}
	return recs
}

// expect returns the batch and records that decoding an AppendBatch of
// (b, recs, codec) must yield.
func expect(b record.Batch, recs []record.Record, codec record.Codec) []decoded {
	b.Attributes = b.Attributes&^7 | int16(codec)
	if b.Magic == 2 {
		b.NumRecords = int32(len(recs))
		if n := len(recs); n > 0 {
			b.LastOffset = max(b.LastOffset, recs[n-1].Offset)
		}
		want := decoded{batch: b}
		for _, r := range recs {
			r = copyRecord(&r)
			if b.LogAppendTime() {
				r.Timestamp = b.MaxTimestamp
			}
			want.records = append(want.records, r)
		}
		return []decoded{want}
	}
	legacy := func(first, last record.Record, n int) record.Batch {
		x := record.Batch{BaseOffset: first.Offset, LastOffset: last.Offset, PartitionLeaderEpoch: -1, Magic: b.Magic,
			Attributes: b.Attributes, FirstTimestamp: first.Timestamp, MaxTimestamp: last.Timestamp,
			ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, NumRecords: int32(n)}
		if b.Magic == 0 {
			x.Attributes, x.FirstTimestamp, x.MaxTimestamp = int16(codec), -1, -1
		}
		return x
	}
	fix := func(r record.Record) record.Record {
		r = copyRecord(&r)
		if b.Magic == 0 {
			r.Timestamp = -1
		}
		return r
	}
	var out []decoded
	if codec == record.CodecNone {
		for _, r := range recs {
			out = append(out, decoded{batch: legacy(r, r, 1), records: []record.Record{fix(r)}})
		}
		return out
	}
	x := decoded{batch: legacy(recs[0], recs[len(recs)-1], len(recs))}
	if b.Magic == 1 {
		x.batch.MaxTimestamp = b.MaxTimestamp
		if x.batch.LogAppendTime() {
			x.batch.FirstTimestamp = b.MaxTimestamp
		}
	}
	for _, r := range recs {
		r = fix(r)
		if x.batch.LogAppendTime() {
			r.Timestamp = b.MaxTimestamp
		}
		x.records = append(x.records, r)
	}
	return append(out, x)
}

func checkDecoded(t *testing.T, got, want []decoded) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d batches, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].batch != want[i].batch {
			t.Errorf("batch %d\ngot  %+v\nwant %+v", i, got[i].batch, want[i].batch)
		}
		if !reflect.DeepEqual(got[i].records, want[i].records) {
			t.Errorf("batch %d: records differ", i)
			for j := range max(len(got[i].records), len(want[i].records)) {
				var g, w record.Record
				if j < len(got[i].records) {
					g = got[i].records[j]
				}
				if j < len(want[i].records) {
					w = want[i].records[j]
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("record %d\ngot  %+v\nwant %+v", j, g, w)
					break
				}
			}
		}
	}
}

// Every magic × codec × (headers or not), with null and empty keys and
// values, LogAppendTime and CreateTime: AppendBatch then decode gives the
// records back, re-encoding an uncompressed batch gives the same bytes,
// and a stream of such batches cut anywhere decodes to the complete
// batches before the cut, Truncated and without error.
func TestRoundTrip(t *testing.T) {
	for _, magic := range []int8{0, 1, 2} {
		for _, codec := range codecs {
			for _, headers := range []bool{false, true} {
				if headers && magic < 2 {
					continue
				}
				for _, logAppend := range []bool{false, true} {
					name := fmt.Sprintf("magic%d/%s/headers=%v/logappend=%v", magic, codec, headers, logAppend)
					t.Run(name, func(t *testing.T) { roundTrip(t, magic, codec, headers, logAppend) })
				}
			}
		}
	}
}

func roundTrip(t *testing.T, magic int8, codec record.Codec, headers, logAppend bool) {
	b := record.Batch{BaseOffset: 1000, Magic: magic, FirstTimestamp: ts, MaxTimestamp: ts + 1000,
		PartitionLeaderEpoch: 7, ProducerID: 42, ProducerEpoch: 3, BaseSequence: 11}
	if magic < 2 {
		b.PartitionLeaderEpoch, b.ProducerID, b.ProducerEpoch, b.BaseSequence = -1, -1, -1, -1
	}
	if logAppend {
		b.Attributes |= 0x08
	}
	recs := testRecords(1000, 40, headers)
	var stream []byte
	var want []decoded
	for i := 0; i < 3; i++ {
		part := recs[i*10 : i*10+10+i*5]
		bi := b
		bi.BaseOffset = part[0].Offset
		bi.FirstTimestamp = part[0].Timestamp
		if i == 1 && magic == 2 {
			bi.LastOffset = part[len(part)-1].Offset + 3 // as after compaction
		}
		var err error
		start := len(stream)
		stream, err = record.AppendBatch(stream, bi, part, codec)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, expect(bi, part, codec)...)
		if codec == record.CodecNone && magic == 2 && !logAppend { // LogAppendTime hides the records' own timestamps
			again, _ := record.AppendBatch(nil, want[len(want)-1].batch, want[len(want)-1].records, codec)
			if !bytes.Equal(again, stream[start:]) {
				t.Errorf("batch %d: re-encoding the decoded batch changes the bytes", i)
			}
		}
	}
	checkDecoded(t, decodeAll(t, stream, record.Options{}), want)
	checkDecoded(t, decodeAll(t, stream, record.Options{SkipCRC: true}), want)

	// Cut anywhere: the batches before the cut, then Truncated.
	var ends []int
	var d record.Decoder
	d.Reset(stream, record.Options{})
	consumed := 0
	for d.NextBatch() {
		consumed += len(d.RawBatch())
		ends = append(ends, consumed)
	}
	step := max(1, len(stream)/300)
	for cut := 0; cut < len(stream); cut += step {
		got, err, truncated := tryDecodeAll(stream[:cut], record.Options{})
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(stream), err)
		}
		complete := 0
		for complete < len(ends) && ends[complete] <= cut {
			complete++
		}
		if len(got) != complete {
			t.Fatalf("cut at %d of %d: %d batches, want %d", cut, len(stream), len(got), complete)
		}
		atEnd := cut == 0 || (complete > 0 && ends[complete-1] == cut)
		if truncated == atEnd {
			t.Fatalf("cut at %d of %d: Truncated() = %v", cut, len(stream), truncated)
		}
	}
}

// Encoding the real broker's uncompressed batches again gives their bytes.
func TestFixtureReencode(t *testing.T) {
	for _, fx := range []struct {
		name string
		v    int16
	}{{"kafka-3.9.1/Fetch-v0-response.bin", 0}, {"kafka-3.9.1/Fetch-v17-response.bin", 17}, {"kafka-4.1.1/Fetch-v18-response.bin", 18}} {
		m := fetchFixture(t, fx.name, fx.v)
		n := 0
		for _, p := range m.Responses[0].Partitions {
			var d record.Decoder
			d.Reset(p.Records, record.Options{})
			for d.NextBatch() {
				b := *d.Batch()
				var recs []record.Record
				for d.NextRecord() {
					recs = append(recs, copyRecord(d.Record()))
				}
				if b.Codec() != record.CodecNone {
					continue
				}
				enc, err := record.AppendBatch(nil, b, recs, b.Codec())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc, d.RawBatch()) {
					t.Errorf("%s partition %d batch at %d:\ngot  % x\nwant % x", fx.name, p.PartitionIndex, b.BaseOffset, enc, d.RawBatch())
				}
				n++
			}
			if d.Err() != nil {
				t.Fatal(d.Err())
			}
		}
		if n == 0 {
			t.Errorf("%s: no uncompressed batch", fx.name)
		}
	}
}

// A fetch from offset 5 can return a batch starting at 0: the decoder
// yields all of its records, from 0; the caller skips those below 5.
func TestBatchBeforeFetchOffset(t *testing.T) {
	recs := testRecords(0, 10, false)
	b, _ := record.AppendBatch(nil, record.Batch{Magic: 2, FirstTimestamp: ts}, recs, record.CodecNone)
	got := decodeAll(t, b, record.Options{})
	if len(got) != 1 || len(got[0].records) != 10 || got[0].records[0].Offset != 0 {
		t.Fatalf("got %+v", got)
	}
}

func TestAppendBatchErrors(t *testing.T) {
	hdr := []record.Record{{Headers: []record.Header{{Key: []byte("h")}}}}
	for _, tc := range []struct {
		name  string
		b     record.Batch
		recs  []record.Record
		codec record.Codec
		want  error
	}{
		{"bad codec", record.Batch{Magic: 2}, nil, 5, record.ErrUnsupportedCodec},
		{"bad magic", record.Batch{Magic: 3}, nil, 0, nil},
		{"headers in v1", record.Batch{Magic: 1}, hdr, 0, nil},
		{"empty compressed v0", record.Batch{Magic: 0}, nil, record.CodecGzip, nil},
		{"offset delta", record.Batch{Magic: 2}, []record.Record{{Offset: 1 << 40}}, 0, nil},
	} {
		_, err := record.AppendBatch(nil, tc.b, tc.recs, tc.codec)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}

// Keys, values and header bytes of an uncompressed batch point into the
// input, capped at their length so that appending to one cannot overwrite
// the next; a record's Headers stay as they were while later records of the
// batch are read.
func TestZeroCopy(t *testing.T) {
	in, _ := record.AppendBatch(nil, record.Batch{Magic: 2}, testRecords(0, 8, true), record.CodecNone)
	within := func(b []byte) bool {
		if len(b) == 0 {
			return true
		}
		start := uintptr(unsafe.Pointer(&in[0]))
		p := uintptr(unsafe.Pointer(&b[0]))
		return p >= start && p+uintptr(len(b)) <= start+uintptr(len(in))
	}
	var d record.Decoder
	d.Reset(in, record.Options{})
	d.NextBatch()
	var kept [][]record.Header
	var want [][]record.Header
	for d.NextRecord() {
		r := d.Record()
		if !within(r.Key) || !within(r.Value) || cap(r.Key) != len(r.Key) || cap(r.Value) != len(r.Value) {
			t.Errorf("record %d: key or value not a capped window of the input", r.Offset)
		}
		for _, h := range r.Headers {
			if !within(h.Key) || !within(h.Value) {
				t.Errorf("record %d: header not in the input", r.Offset)
			}
		}
		kept = append(kept, r.Headers)
		want = append(want, copyRecord(r).Headers)
	}
	if !reflect.DeepEqual(kept, want) {
		t.Errorf("headers changed while the batch was read")
	}
}

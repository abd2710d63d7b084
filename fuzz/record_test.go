package fuzz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// Fuzz targets of protocol/record: the decoder over arbitrary records
// bytes, and each codec's decompression path inside a batch whose CRC is
// right, so that the fuzzer reaches the codec.

// fuzzMaxDecompressed keeps the decompression limit small while fuzzing, so
// that what decoding may allocate stays close to the input's size.
const fuzzMaxDecompressed = 256 << 10

// recordAllocation returns 0 if decoding allocates within the bound for an
// input of n bytes: what decodeAllocation allows, plus the decompression
// buffer's growth up to the limit (less than three times the limit), plus
// the first use of a pooled decompressor.
func recordAllocation(decode func(), n int) uint64 {
	return decodeAllocation(decode, n+(3*fuzzMaxDecompressed+(1<<20))/maxAllocFactor)
}

// fuzzRecords are records of every shape: keys and values null, empty and
// long, headers with null values.
func fuzzRecords(n int, headers bool) []record.Record {
	recs := make([]record.Record, n)
	for i := range recs {
		r := &recs[i]
		r.Offset = 50 + int64(i)
		r.Timestamp = 1_700_000_000_000 + int64(i)
		r.Key = []byte(fmt.Sprintf("key-%d", i))
		r.Value = bytes.Repeat([]byte(fmt.Sprintf("value %d ", i)), 1+i*7)
		switch i % 4 {
		case 1:
			r.Key = nil
		case 2:
			r.Value = nil
		case 3:
			r.Key, r.Value = []byte{}, []byte{}
		}
		if headers {
			r.Headers = []record.Header{{Key: []byte("h"), Value: []byte("v")}, {Key: []byte("null")}}
		}
	}
	return recs
}

var allCodecs = []record.Codec{record.CodecNone, record.CodecGzip, record.CodecSnappy, record.CodecLZ4, record.CodecZstd}

// encodedBatch returns recs as one batch of magic and codec.
func encodedBatch(f *testing.F, magic int8, codec record.Codec, recs []record.Record) []byte {
	b, err := record.AppendBatch(nil, record.Batch{Magic: magic, BaseOffset: 50, FirstTimestamp: 1_700_000_000_000,
		MaxTimestamp: 1_700_000_000_009, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, recs, codec)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// fixtureRecords returns the records bytes of every partition of every
// captured Fetch response.
func fixtureRecords(f *testing.F) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob("../testdata/fixtures/*/Fetch-v*-response.bin")
	for _, name := range files {
		m := fixturePattern.FindStringSubmatch(filepath.Base(name))
		if m == nil {
			continue
		}
		var v int16
		fmt.Sscan(m[2], &v)
		frame, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		_, body, err := protocol.ParseResponseHeader(frame[4:], protocol.KeyFetch, v)
		if err != nil {
			f.Fatal(err)
		}
		resp := &protocol.FetchResponse{Version: v}
		if err := resp.Decode(body); err != nil {
			f.Fatal(err)
		}
		for _, t := range resp.Responses {
			for _, p := range t.Partitions {
				if len(p.Records) > 0 {
					out = append(out, p.Records)
				}
			}
		}
	}
	if len(out) == 0 {
		f.Fatal("no Fetch fixtures with records")
	}
	return out
}

// walk decodes every batch and record of data, copying the records.
func walk(data []byte, opts record.Options) (batches []record.Batch, recs [][]record.Record, err error) {
	var d record.Decoder
	d.Reset(data, opts)
	for d.NextBatch() {
		batches = append(batches, *d.Batch())
		var rs []record.Record
		for d.NextRecord() {
			r := d.Record()
			c := record.Record{Offset: r.Offset, Timestamp: r.Timestamp, Key: clone(r.Key), Value: clone(r.Value)}
			for _, h := range r.Headers {
				c.Headers = append(c.Headers, record.Header{Key: clone(h.Key), Value: clone(h.Value)})
			}
			rs = append(rs, c)
		}
		recs = append(recs, rs)
	}
	return batches, recs, d.Err()
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// FuzzRecordDecoder: arbitrary bytes through Reset, NextBatch and
// NextRecord, with and without CRC checks, must not panic, must allocate in
// proportion to the input (and the decompression limit), and whatever
// decodes must encode again (uncompressed) to batches that decode to the
// same records.
func FuzzRecordDecoder(f *testing.F) {
	for _, b := range fixtureRecords(f) {
		f.Add(b, false)
	}
	for _, magic := range []int8{0, 1, 2} {
		for _, codec := range allCodecs {
			f.Add(encodedBatch(f, magic, codec, fuzzRecords(6, magic == 2)), false)
		}
	}
	f.Add(encodedBatch(f, 2, record.CodecNone, fuzzRecords(3, false))[:70], true) // truncated
	f.Fuzz(func(t *testing.T, data []byte, skipCRC bool) {
		opts := record.Options{SkipCRC: skipCRC, MaxDecompressed: fuzzMaxDecompressed}
		batches, recs, err := walk(data, opts)
		if grew := recordAllocation(func() { walk(data, opts) }, len(data)); grew > 0 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
		// A batch that started must have been counted: records never come
		// from nowhere, and no more than the batch says.
		for i := range batches {
			if len(recs[i]) > int(max(batches[i].NumRecords, 0)) && err == nil {
				t.Fatalf("batch %d: %d records, header says %d", i, len(recs[i]), batches[i].NumRecords)
			}
		}
		if err != nil {
			return
		}
		var again []byte
		for i, b := range batches {
			if b.Magic < 2 && len(recs[i]) == 0 {
				continue
			}
			var err error
			if again, err = record.AppendBatch(again, b, recs[i], record.CodecNone); err != nil {
				t.Fatalf("re-encoding batch %d (%+v): %v", i, b, err)
			}
		}
		_, recs2, err := walk(again, record.Options{})
		if err != nil {
			t.Fatalf("decoding our own encoding: %v\ninput % x\nencoded % x", err, data, again)
		}
		var flat, flat2 []record.Record
		for _, rs := range recs {
			flat = append(flat, rs...)
		}
		for _, rs := range recs2 {
			flat2 = append(flat2, rs...)
		}
		if !reflect.DeepEqual(flat, flat2) {
			t.Fatalf("decode→encode→decode changed the records\nfirst  %+v\nsecond %+v", flat, flat2)
		}
	})
}

// fuzzCodec is the body of the per-codec targets: payload, as fuzzed, is
// put inside a v2 batch (magic%3 == 2) or a magic 0/1 wrapper message whose
// CRC is right, and decoded.
func fuzzCodec(f *testing.F, codec record.Codec, extra ...[]byte) {
	for _, magic := range []int8{0, 1, 2} {
		for _, n := range []int{1, 5, 40} {
			b := encodedBatch(f, magic, codec, fuzzRecords(n, magic == 2))
			f.Add(payloadOf(b), uint8(magic))
		}
	}
	for _, p := range extra {
		f.Add(p, uint8(2))
	}
	f.Fuzz(func(t *testing.T, payload []byte, magic uint8) {
		data := wrap(codec, int8(magic%3), payload)
		opts := record.Options{MaxDecompressed: fuzzMaxDecompressed}
		walk(data, opts)
		if grew := recordAllocation(func() { walk(data, opts) }, len(data)); grew > 0 {
			t.Fatalf("decoding %d bytes of %s allocated %d bytes", len(data), codec, grew)
		}
	})
}

// payloadOf returns the compressed payload of an encoded batch or wrapper.
func payloadOf(b []byte) []byte {
	switch b[16] {
	case 2:
		return b[61:]
	case 1:
		return b[12+4+2+8+4+4:]
	}
	return b[12+4+2+4+4:]
}

// wrap puts payload in a batch (magic 2) or wrapper message (magic 0/1)
// compressed with codec, with its size and CRC right.
func wrap(codec record.Codec, magic int8, payload []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint64(b, 50)
	b = append(b, 0, 0, 0, 0) // size
	if magic == 2 {
		b = append(b, 0, 0, 0, 0, 2, 0, 0, 0, 0)  // leader epoch, magic, crc
		b = append(b, 0, byte(codec), 0, 0, 0, 9) // attributes, last offset delta
		b = binary.BigEndian.AppendUint64(b, 1_700_000_000_000)
		b = binary.BigEndian.AppendUint64(b, 1_700_000_000_009)
		b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		b = binary.BigEndian.AppendUint32(b, 10) // records count: the fuzzer may find others
		b = append(b, payload...)
		binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
		binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)))
		return b
	}
	b = append(b, 0, 0, 0, 0, byte(magic), byte(codec))
	if magic == 1 {
		b = binary.BigEndian.AppendUint64(b, 1_700_000_000_009)
	}
	b = append(b, 0xff, 0xff, 0xff, 0xff)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	binary.BigEndian.PutUint32(b[12:], crc32.ChecksumIEEE(b[16:]))
	return b
}

func testdataRecord(f *testing.F, name string) []byte {
	b, err := os.ReadFile("../testdata/record/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzGzip(f *testing.F) { fuzzCodec(f, record.CodecGzip) }

func FuzzSnappy(f *testing.F) {
	// A raw snappy block too (the encoder writes the xerial framing).
	fuzzCodec(f, record.CodecSnappy, []byte{0x0a, 0x24, 'r', 'a', 'w', ' ', 's', 'n', 'a', 'p', 'p', 'y'})
}

func FuzzLZ4(f *testing.F) {
	fuzzCodec(f, record.CodecLZ4, testdataRecord(f, "lz4-linked.lz4"), testdataRecord(f, "lz4-independent.lz4"))
}

func FuzzZstd(f *testing.F) { fuzzCodec(f, record.CodecZstd, testdataRecord(f, "zstd-stream.zst")) }

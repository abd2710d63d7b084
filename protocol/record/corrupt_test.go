package record_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/rawkafka/rawkafka/protocol/record"
)

// A flipped bit anywhere after the CRC is caught; with SkipCRC a flip in a
// value goes through.
func TestCRCMismatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bytes []byte
		value int // index of a value byte
	}{
		{"v2", goldenV2, 68},
		{"v1", goldenV1, len(goldenV1) - 1},
		{"v0", goldenV0, len(goldenV0) - 1},
	} {
		for i := 21; i < len(tc.bytes); i++ {
			if tc.name != "v2" && i < 16 {
				continue
			}
			b := bytes.Clone(tc.bytes)
			b[i] ^= 0x10
			_, err, _ := tryDecodeAll(b, record.Options{})
			if !errors.Is(err, record.ErrCorrupt) {
				t.Errorf("%s: byte %d flipped: err %v", tc.name, i, err)
			}
			var be *record.BatchError
			if err != nil && !errors.As(err, &be) {
				t.Errorf("%s: %T is not a *BatchError", tc.name, err)
			}
		}
		b := bytes.Clone(tc.bytes)
		b[tc.value] ^= 0x01
		if _, err, _ := tryDecodeAll(b, record.Options{}); !errors.Is(err, record.ErrCorrupt) {
			t.Errorf("%s: value flipped: err %v", tc.name, err)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
		got, err, _ := tryDecodeAll(b, record.Options{SkipCRC: true})
		if err != nil || len(got) != 1 {
			t.Errorf("%s: SkipCRC: err %v", tc.name, err)
		}
	}
	// The CRC of a compressed batch covers the compressed bytes, and the
	// inner messages of a legacy wrapper have their own.
	for _, magic := range []int8{0, 1, 2} {
		b, _ := record.AppendBatch(nil, record.Batch{Magic: magic}, testRecords(0, 5, false), record.CodecGzip)
		b[len(b)-9] ^= 0x01 // in the gzip trailer's CRC
		if _, err, _ := tryDecodeAll(b, record.Options{}); !errors.Is(err, record.ErrCorrupt) {
			t.Errorf("magic %d gzip: err %v", magic, err)
		}
	}
}

// corrupted returns goldenV2 changed by f, with its CRC made right again.
func corrupted(f func(b []byte) []byte) []byte {
	b := f(bytes.Clone(goldenV2))
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	return fixCRC(b)
}

func TestCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"unknown magic", corrupted(func(b []byte) []byte { b[16] = 3; return b }), record.ErrCorrupt},
		{"size below minimum", corrupted(func(b []byte) []byte { return b })[:12:12], nil}, // 12 bytes: truncated
		{"short v2 header", func() []byte {
			b := bytes.Clone(goldenV2[:40])
			binary.BigEndian.PutUint32(b[8:], 28)
			return b
		}(), record.ErrCorrupt},
		{"negative count", corrupted(func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 0xffffffff); return b }), record.ErrCorrupt},
		{"count too large", corrupted(func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 1<<30); return b }), record.ErrCorrupt},
		{"one record more", corrupted(func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 3); return append(b, 0, 0, 0, 0, 0, 0, 0) }), record.ErrCorrupt},
		{"bytes after the last record", corrupted(func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 1); return b }), record.ErrCorrupt},
		{"record length past the end", corrupted(func(b []byte) []byte { b[61] = 0x7e; return b }), record.ErrCorrupt},
		{"key length past the record", corrupted(func(b []byte) []byte { b[65] = 0x20; return b }), record.ErrCorrupt},
		{"negative key length", corrupted(func(b []byte) []byte { b[65] = 0x03; return b }), record.ErrCorrupt},
		{"null header key", corrupted(func(b []byte) []byte { b[71] = 0x01; return b }), record.ErrCorrupt},
		{"header count past the record", corrupted(func(b []byte) []byte { b[70] = 0x40; return b }), record.ErrCorrupt},
		{"overlong varint", corrupted(func(b []byte) []byte {
			return append(b[:75], 0x16, 0, 0x8a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 2, 1, 1, 0)
		}), record.ErrCorrupt},
		{"codec 5", corrupted(func(b []byte) []byte { b[22] = 5; return b }), record.ErrUnsupportedCodec},
		{"gzip garbage", corrupted(func(b []byte) []byte { b[22] = 1; return b }), record.ErrCorrupt},
		{"snappy garbage", corrupted(func(b []byte) []byte { b[22] = 2; return b }), record.ErrCorrupt},
		{"lz4 garbage", corrupted(func(b []byte) []byte { b[22] = 3; return b }), record.ErrCorrupt},
		{"zstd garbage", corrupted(func(b []byte) []byte { b[22] = 4; return b }), record.ErrCorrupt},
		{"legacy wrapper of nothing", legacyWrapper(0, record.CodecGzip, nil), record.ErrCorrupt},
		{"legacy wrapper of a truncated message", legacyWrapper(1, record.CodecGzip, goldenV1[:len(goldenV1)-1]), record.ErrCorrupt},
		{"legacy wrapper of another magic", legacyWrapper(1, record.CodecGzip, goldenV0), record.ErrCorrupt},
		{"legacy wrapper in a wrapper", legacyWrapper(0, record.CodecGzip, legacyWrapper(0, record.CodecGzip, goldenV0)), record.ErrCorrupt},
		{"legacy codec 6", legacyWrapper(0, 6, goldenV0), record.ErrUnsupportedCodec},
	} {
		got, err, truncated := tryDecodeAll(tc.b, record.Options{})
		if tc.want == nil {
			if err != nil || !truncated {
				t.Errorf("%s: err %v, truncated %v", tc.name, err, truncated)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v (decoded %d batches)", tc.name, err, tc.want, len(got))
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}
}

// legacyWrapper returns a compressed legacy message around inner.
func legacyWrapper(magic int8, codec record.Codec, inner []byte) []byte {
	var value []byte
	if codec == record.CodecGzip {
		value = gzipBytes(inner)
	} else {
		value = inner
	}
	m := binary.BigEndian.AppendUint64(nil, 9)
	m = append(m, 0, 0, 0, 0, 0, 0, 0, 0, byte(magic), byte(codec))
	if magic == 1 {
		m = binary.BigEndian.AppendUint64(m, ts)
	}
	m = binary.BigEndian.AppendUint32(m, 0xffffffff)
	m = binary.BigEndian.AppendUint32(m, uint32(len(value)))
	m = append(m, value...)
	return fixCRC(m)
}

// fixCRC recomputes the CRC of one v2 batch or legacy message, and its size.
func fixCRC(b []byte) []byte {
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	if b[16] == 2 {
		binary.BigEndian.PutUint32(b[17:], crc32c(b[21:]))
	} else {
		binary.BigEndian.PutUint32(b[12:], crc32ieee(b[16:]))
	}
	return b
}

// Control batches yield their control records; ParseControlKey reads them.
func TestControlRecords(t *testing.T) {
	recs := []record.Record{{Offset: 10, Timestamp: ts, Key: record.ControlKey(record.ControlCommit), Value: record.ControlValue(3)}}
	b, err := record.AppendBatch(nil, record.Batch{BaseOffset: 10, Magic: 2, Attributes: 0x30, FirstTimestamp: ts, ProducerID: 5}, recs, record.CodecNone)
	if err != nil {
		t.Fatal(err)
	}
	got := decodeAll(t, b, record.Options{})
	bt := got[0].batch
	if !bt.Control() || !bt.Transactional() || bt.LogAppendTime() {
		t.Errorf("batch flags: control %v transactional %v", bt.Control(), bt.Transactional())
	}
	ct, err := record.ParseControlKey(got[0].records[0].Key)
	if err != nil || ct != record.ControlCommit || ct.String() != "COMMIT" {
		t.Errorf("ParseControlKey: %v %v", ct, err)
	}
	for _, tc := range []struct {
		key  []byte
		want record.ControlType
		ok   bool
	}{
		{[]byte{0, 0, 0, 0}, record.ControlAbort, true},
		{[]byte{0, 0, 0, 1}, record.ControlCommit, true},
		{[]byte{0, 1, 0, 7, 9, 9}, 7, true}, // a later version: read what we know
		{[]byte{0, 0, 0}, 0, false},
		{nil, 0, false},
		{[]byte{0x80, 0, 0, 1}, 0, false},
	} {
		got, err := record.ParseControlKey(tc.key)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) || (!tc.ok && !errors.Is(err, record.ErrCorrupt)) {
			t.Errorf("ParseControlKey(% x) = %v, %v", tc.key, got, err)
		}
	}
	if s := record.ControlType(7).String(); s != "CONTROL(7)" {
		t.Errorf("String: %s", s)
	}
	// Legacy messages carry no transactional or control bits.
	legacy := record.Batch{Magic: 1, Attributes: 0x38}
	if legacy.Control() || legacy.Transactional() || !legacy.LogAppendTime() {
		t.Errorf("legacy flags")
	}
}

// Errors stop the iteration for good, and Reset starts over.
func TestErrorIsSticky(t *testing.T) {
	bad := corrupted(func(b []byte) []byte { b[16] = 3; return b })
	var d record.Decoder
	d.Reset(append(bytes.Clone(goldenV2), bad...), record.Options{})
	if !d.NextBatch() || d.NextBatch() || d.Err() == nil || d.NextBatch() || d.NextRecord() {
		t.Fatalf("err %v", d.Err())
	}
	d.Reset(goldenV2, record.Options{})
	if !d.NextBatch() || d.Err() != nil {
		t.Fatalf("after Reset: %v", d.Err())
	}
	if s := d.Batch().Codec().String(); s != "none" {
		t.Errorf("codec %s", s)
	}
	if s := record.Codec(6).String(); s != "codec(6)" {
		t.Errorf("codec %s", s)
	}
}

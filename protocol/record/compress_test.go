package record_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy/xerial"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/rawkafka/rawkafka/protocol/record"
)

// plainBatch returns testdata/record/plain-v2.bin and its decoding.
func plainBatch(t testing.TB) ([]byte, []decoded) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/record/plain-v2.bin")
	if err != nil {
		t.Fatal(err)
	}
	return b, decodeAll(t, b, record.Options{})
}

// withPayload returns the v2 batch plain with its records replaced by
// payload, compressed with codec.
func withPayload(plain []byte, codec record.Codec, payload []byte) []byte {
	b := append(bytes.Clone(plain[:61]), payload...)
	binary.BigEndian.PutUint16(b[21:], binary.BigEndian.Uint16(b[21:])&^7|uint16(codec))
	return fixCRC(b)
}

// checkPayload decodes plain's records compressed by another encoder.
func checkPayload(t *testing.T, name string, plain []byte, want []decoded, codec record.Codec, payload []byte) {
	t.Helper()
	want = []decoded{{batch: want[0].batch, records: want[0].records}}
	want[0].batch.Attributes |= int16(codec)
	got, err, _ := tryDecodeAll(withPayload(plain, codec, payload), record.Options{})
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	checkDecoded(t, got, want)
}

// Payloads written by other encoders: the lz4 and zstd command-line tools
// (testdata/record), pierrec/lz4's frame writer, klauspost's xerial snappy
// writer and raw snappy blocks, multi-member gzip and several zstd frames.
func TestOtherEncoders(t *testing.T) {
	plain, want := plainBatch(t)
	recs := plain[61:]
	for _, f := range []struct {
		file  string
		codec record.Codec
	}{
		{"lz4-linked.lz4", record.CodecLZ4},
		{"lz4-independent.lz4", record.CodecLZ4},
		{"zstd-stream.zst", record.CodecZstd},
	} {
		payload, err := os.ReadFile("../../testdata/record/" + f.file)
		if err != nil {
			t.Fatal(err)
		}
		checkPayload(t, f.file, plain, want, f.codec, payload)
		// Flip a bit in the last block: a checksum or the codec catches it.
		bad := bytes.Clone(payload)
		bad[len(bad)-10] ^= 0x04
		if _, err, _ := tryDecodeAll(withPayload(plain, f.codec, bad), record.Options{}); !errors.Is(err, record.ErrCorrupt) {
			t.Errorf("%s with a flipped bit: err %v", f.file, err)
		}
	}

	checkPayload(t, "raw snappy", plain, want, record.CodecSnappy, s2.EncodeSnappy(nil, recs))
	checkPayload(t, "xerial snappy", plain, want, record.CodecSnappy, xerial.Encode(nil, recs))
	empty, _ := record.AppendBatch(nil, record.Batch{Magic: 2}, nil, record.CodecNone)
	if got, err, _ := tryDecodeAll(withPayload(empty, record.CodecSnappy, xerial.Encode(nil, nil)), record.Options{}); err != nil || len(got) != 1 || len(got[0].records) != 0 {
		t.Errorf("xerial snappy of nothing: %v", err)
	}

	var members []byte
	for _, part := range [][]byte{recs[:1000], recs[1000:50000], recs[50000:]} {
		members = append(members, gzipBytes(part)...)
	}
	checkPayload(t, "gzip members", plain, want, record.CodecGzip, members)

	enc, _ := zstd.NewWriter(nil)
	checkPayload(t, "zstd frames", plain, want, record.CodecZstd, enc.EncodeAll(recs[7000:], enc.EncodeAll(recs[:7000], nil)))

	for _, opts := range [][]lz4.Option{
		{lz4.BlockSizeOption(lz4.Block4Mb), lz4.ChecksumOption(false)},
		{lz4.BlockSizeOption(lz4.Block64Kb), lz4.BlockChecksumOption(true), lz4.SizeOption(uint64(len(recs)))},
		{lz4.BlockSizeOption(lz4.Block256Kb), lz4.CompressionLevelOption(lz4.Level9)},
	} {
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if err := w.Apply(append(opts, lz4.ConcurrencyOption(1))...); err != nil {
			t.Fatal(err)
		}
		w.Write(recs)
		w.Close()
		// A skippable frame before it is skipped.
		payload := append([]byte{0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3}, buf.Bytes()...)
		checkPayload(t, "pierrec lz4", plain, want, record.CodecLZ4, payload)
	}
}

// Magic 0 wrote lz4 frames whose header checksum covers the magic too
// (KIP-57): accepted under magic 0 only, unless checksums are skipped.
func TestLZ4LegacyHeaderChecksum(t *testing.T) {
	recs := testRecords(0, 20, false)
	v0, err := record.AppendBatch(nil, record.Batch{Magic: 0}, recs, record.CodecLZ4)
	if err != nil {
		t.Fatal(err)
	}
	// The wrapper's value: offset, size, crc, magic, attrs, key (-1), value length.
	frame := v0[12+4+2+4+4:]
	if frame[6] == byte(lz4xxh32(frame[4:6])>>8) || frame[6] != byte(lz4xxh32(frame[:6])>>8) {
		t.Fatalf("magic 0 lz4 header checksum % x is not the KIP-57 one", frame[:7])
	}
	if got, err, _ := tryDecodeAll(v0, record.Options{}); err != nil || len(got[0].records) != 20 {
		t.Fatalf("magic 0 with the broken checksum: %v", err)
	}
	// The same frame under magic 1 is rejected, unless checksums are off.
	var v1 []byte
	v1 = binary.BigEndian.AppendUint64(v1, 19)
	v1 = append(v1, 0, 0, 0, 0, 0, 0, 0, 0, 1, byte(record.CodecLZ4))
	v1 = binary.BigEndian.AppendUint64(v1, ts)
	v1 = binary.BigEndian.AppendUint32(v1, 0xffffffff)
	var inner []byte
	for i, r := range recs {
		m, _ := record.AppendBatch(nil, record.Batch{Magic: 1}, []record.Record{{Offset: int64(i), Timestamp: r.Timestamp, Key: r.Key, Value: r.Value}}, 0)
		inner = append(inner, m...)
	}
	broken := lz4Broken(inner)
	v1 = binary.BigEndian.AppendUint32(v1, uint32(len(broken)))
	v1 = fixCRC(append(v1, broken...))
	if _, err, _ := tryDecodeAll(v1, record.Options{}); !errors.Is(err, record.ErrCorrupt) {
		t.Errorf("magic 1 with the broken checksum: err %v", err)
	}
	if got, err, _ := tryDecodeAll(v1, record.Options{SkipCRC: true}); err != nil || len(got[0].records) != 20 {
		t.Errorf("magic 1 with the broken checksum, SkipCRC: err %v", err)
	}
	// And magic 0 with a correct checksum is read too.
	fixed := bytes.Clone(v0)
	f := fixed[12+4+2+4+4:]
	f[6] = byte(lz4xxh32(f[4:6]) >> 8)
	if _, err, _ := tryDecodeAll(fixCRC(fixed), record.Options{}); err != nil {
		t.Errorf("magic 0 with a correct checksum: %v", err)
	}
}

// lz4Broken compresses b into a frame like the Java client's of magic 0.
func lz4Broken(b []byte) []byte {
	v0, _ := record.AppendBatch(nil, record.Batch{Magic: 0}, []record.Record{{Value: b}}, record.CodecNone)
	_ = v0
	frame := []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0}
	frame[6] = byte(lz4xxh32(frame[:6]) >> 8)
	for len(b) > 0 {
		n := min(len(b), 64<<10)
		buf := make([]byte, lz4.CompressBlockBound(n))
		k, _ := lz4.CompressBlock(b[:n], buf, nil)
		frame = binary.LittleEndian.AppendUint32(frame, uint32(k))
		frame = append(frame, buf[:k]...)
		b = b[n:]
	}
	return append(frame, 0, 0, 0, 0)
}

// lz4xxh32 is XXH32 by way of pierrec/lz4: the header checksum of a frame
// it writes for a descriptor, which is how this test gets an XXH32 that is
// not the package's own. Only 2-byte inputs (FLG, BD) and 6-byte ones
// (magic, FLG, BD) are needed; those are computed directly.
func lz4xxh32(b []byte) uint32 { return xxh32Ref(b) }

// xxh32Ref is a plain transcription of the XXH32 reference for inputs under
// 16 bytes, seed 0.
func xxh32Ref(b []byte) uint32 {
	const p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
	rotl := func(x uint32, r uint) uint32 { return x<<r | x>>(32-r) }
	h := uint32(p5) + uint32(len(b))
	for ; len(b) >= 4; b = b[4:] {
		h = rotl(h+binary.LittleEndian.Uint32(b)*p3, 17) * p4
	}
	for _, c := range b {
		h = rotl(h+uint32(c)*p5, 11) * p1
	}
	h ^= h >> 15
	h *= p2
	h ^= h >> 13
	h *= p3
	h ^= h >> 16
	return h
}

type bomb struct {
	name    string
	codec   record.Codec
	payload []byte
}

// bombs returns, for each codec, a payload that decompresses to 1 GiB of
// zeros, built from repeated members, frames or blocks.
func bombs(t testing.TB) []bomb {
	zeros := make([]byte, 16<<20)
	var out []bomb

	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	zw.Write(zeros)
	zw.Close()
	out = append(out, bomb{"gzip members", record.CodecGzip, bytes.Repeat(gz.Bytes(), 64)})

	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	out = append(out, bomb{"zstd frames with content sizes", record.CodecZstd, bytes.Repeat(enc.EncodeAll(zeros, nil), 64)})
	// One frame without a content size, as the Java client writes, of
	// 8192 RLE blocks of 128 KiB: frame header (no content size, no
	// checksum, 128 KiB window), then [3-byte block header][the byte].
	zs := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38}
	const bh = 1<<1 | (128<<10)<<3 // type RLE, size 128 KiB
	rle := []byte{bh & 0xff, bh >> 8 & 0xff, bh >> 16, 0}
	zs = append(zs, bytes.Repeat(rle, 8192)...)
	zs[len(zs)-4] |= 1 // last block
	out = append(out, bomb{"zstd stream", record.CodecZstd, zs})

	block := make([]byte, lz4.CompressBlockBound(4<<20))
	k, _ := lz4.CompressBlock(zeros[:4<<20], block, nil)
	frame := []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0}
	frame[6] = byte(xxh32Ref(frame[4:6]) >> 8)
	one := binary.LittleEndian.AppendUint32(nil, uint32(k))
	one = append(one, block[:k]...)
	frame = append(frame, bytes.Repeat(one, 256)...)
	out = append(out, bomb{"lz4 blocks", record.CodecLZ4, append(frame, 0, 0, 0, 0)})

	sb := s2.EncodeSnappy(nil, zeros[:32<<10])
	xb := binary.BigEndian.AppendUint32(nil, uint32(len(sb)))
	xb = append(xb, sb...)
	x := append([]byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}, bytes.Repeat(xb, 32768)...)
	out = append(out, bomb{"xerial snappy blocks", record.CodecSnappy, x})
	return out
}

// 1 GiB of zeros, compressed small in each codec, is rejected quickly and
// without being allocated: at the default limit, and at a small one.
func TestDecompressionBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1 GiB bombs")
	}
	plain, _ := plainBatch(t)
	for _, bomb := range bombs(t) {
		codec, payload := bomb.codec, bomb.payload
		batch := withPayload(plain, codec, payload)
		for _, limit := range []int{0, 1 << 20} {
			if limit == 0 && raceEnabled {
				continue // 256 MiB through the race detector takes a minute
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err, _ := tryDecodeAll(batch, record.Options{MaxDecompressed: limit})
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s (%d bytes), limit %d: %v in %v, %d MiB allocated", bomb.name, len(payload), limit, err, took, alloc>>20)
			if !errors.Is(err, record.ErrDecompressedTooLarge) {
				t.Errorf("%s, limit %d: err %v", bomb.name, limit, err)
			}
			max := uint64(3*record.DefaultMaxDecompressed + 8<<20)
			if limit > 0 {
				max = uint64(3*limit + 8<<20)
			}
			if alloc > max {
				t.Errorf("%s, limit %d: allocated %d MiB", bomb.name, limit, alloc>>20)
			}
		}
	}
	// A raw snappy block that claims 1 GiB is rejected before anything is allocated.
	claim := binary.AppendUvarint(nil, 1<<30)
	if _, err, _ := tryDecodeAll(withPayload(plain, record.CodecSnappy, append(claim, make([]byte, 100)...)), record.Options{}); !errors.Is(err, record.ErrCorrupt) && !errors.Is(err, record.ErrDecompressedTooLarge) {
		t.Errorf("raw snappy claiming 1 GiB: %v", err)
	}
}

// Output of exactly the limit is fine; one byte more is not.
func TestDecompressedLimitExact(t *testing.T) {
	plain, want := plainBatch(t)
	n := len(plain) - 61
	for _, codec := range codecs[1:] {
		b, err := record.AppendBatch(nil, want[0].batch, want[0].records, codec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err, _ := tryDecodeAll(b, record.Options{MaxDecompressed: n}); err != nil {
			t.Errorf("%s at exactly the limit: %v", codec, err)
		}
		if _, err, _ := tryDecodeAll(b, record.Options{MaxDecompressed: n - 1}); !errors.Is(err, record.ErrDecompressedTooLarge) {
			t.Errorf("%s one byte over the limit: %v", codec, err)
		}
	}
}

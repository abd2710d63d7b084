package record

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// compress appends src compressed with codec to dst, framed as Kafka's Java
// client frames it. legacyLZ4 writes the lz4 header checksum of magic 0.
func compress(dst []byte, codec Codec, src []byte, legacyLZ4 bool) ([]byte, error) {
	switch codec {
	case CodecGzip:
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		defer gzipWriters.Put(zw)
		zw.Reset(&buf)
		if _, err := zw.Write(src); err != nil {
			return dst, err
		}
		if err := zw.Close(); err != nil {
			return dst, err
		}
		return append(dst, buf.Bytes()...), nil
	case CodecSnappy:
		return appendXerial(dst, src), nil
	case CodecLZ4:
		return appendLZ4Frame(dst, src, legacyLZ4), nil
	case CodecZstd:
		return zstdEncoder().EncodeAll(src, dst), nil
	}
	return append(dst, src...), nil
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic("record: zstd encoder options: " + err.Error()) // cannot happen: the options are constants
	}
	return e
})

// appendXerial appends src as snappy-java's SnappyOutputStream writes it:
// the xerial header (version 1, compatible version 1), then 32 KiB blocks.
func appendXerial(dst, src []byte) []byte {
	dst = append(dst, xerialMagic...)
	dst = binary.BigEndian.AppendUint32(dst, 1)
	dst = binary.BigEndian.AppendUint32(dst, 1)
	for len(src) > 0 {
		n := min(len(src), xerialBlockSize)
		block := s2.EncodeSnappy(nil, src[:n])
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(block)))
		dst = append(dst, block...)
		src = src[n:]
	}
	return dst
}

// appendLZ4Frame appends src as Kafka's KafkaLZ4BlockOutputStream writes it:
// one frame, independent 64 KiB blocks, no checksums but the header's.
func appendLZ4Frame(dst, src []byte, legacyHC bool) []byte {
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, lz4Magic)
	dst = append(dst, 0x60, 0x40) // version 1, independent blocks; 64 KiB blocks
	hc := xxh32(dst[start+4:])
	if legacyHC {
		hc = xxh32(dst[start:])
	}
	dst = append(dst, byte(hc>>8))
	var c lz4.Compressor
	for len(src) > 0 {
		n := min(len(src), 64<<10)
		at := len(dst)
		dst = append(dst, make([]byte, 4+lz4.CompressBlockBound(n))...)
		k, err := c.CompressBlock(src[:n], dst[at+4:])
		if err != nil || k == 0 || k >= n {
			dst = append(dst[:at+4], src[:n]...)
			binary.LittleEndian.PutUint32(dst[at:], uint32(n)|1<<31)
		} else {
			dst = dst[:at+4+k]
			binary.LittleEndian.PutUint32(dst[at:], uint32(k))
		}
		src = src[n:]
	}
	return binary.LittleEndian.AppendUint32(dst, 0) // end mark
}

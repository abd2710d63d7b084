package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// decompress appends the decompression of src to dst (normally dst[:0] of
// the decoder's buffer, which it reuses), stopping as soon as the output
// would pass limit bytes. legacyLZ4 accepts the lz4 frame header checksum of
// magic 0 (KIP-57); checksums verifies the checksums a codec's framing
// carries. On failure it returns the sentinel error and a reason.
func decompress(dst []byte, codec Codec, src []byte, limit int, legacyLZ4, checksums bool) (out []byte, kind error, reason string) {
	switch codec {
	case CodecGzip:
		return gunzip(dst, src, limit)
	case CodecSnappy:
		return unsnappy(dst, src, limit)
	case CodecLZ4:
		return unlz4(dst, src, limit, legacyLZ4, checksums)
	case CodecZstd:
		return unzstd(dst, src, limit)
	}
	return dst, ErrUnsupportedCodec, "codec bits " + codec.String()
}

// tooLarge is the failure of a batch whose output passes limit.
func tooLarge(dst []byte, codec Codec, limit int) ([]byte, error, string) {
	return dst, ErrDecompressedTooLarge, fmt.Sprintf("%s data decompresses to more than %d bytes", codec, limit)
}

// grow returns dst with room for at least n more bytes, growing its
// capacity geometrically but never past limit, so that a buffer is never
// larger than what the output reached (or twice that, while growing).
func grow(dst []byte, n, limit int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	c := max(2*cap(dst), len(dst)+n, 4096)
	c = min(c, max(limit, len(dst)+n))
	b := make([]byte, len(dst), c)
	copy(b, dst)
	return b
}

// gzipState is a pooled gzip reader with its source.
type gzipState struct {
	zr    gzip.Reader
	br    bytes.Reader
	probe [1]byte
}

var gzipPool = sync.Pool{New: func() any { return new(gzipState) }}

// gunzip decompresses gzip members (RFC 1952, possibly several in a row).
func gunzip(dst, src []byte, limit int) ([]byte, error, string) {
	st := gzipPool.Get().(*gzipState)
	defer gzipPool.Put(st)
	st.br.Reset(src)
	defer st.br.Reset(nil)
	if err := st.zr.Reset(&st.br); err != nil {
		return dst, ErrCorrupt, err.Error()
	}
	out, err := readLimit(&st.zr, dst, limit, 4*len(src), st.probe[:])
	if err == errOverLimit {
		return tooLarge(out, CodecGzip, limit)
	}
	if err != nil {
		return out, ErrCorrupt, err.Error() // "gzip: ..." or "flate: ..."
	}
	return out, nil, ""
}

var errOverLimit = errors.New("over the limit")

// readLimit appends everything r yields to dst, growing dst geometrically
// from a first guess of hint bytes, and fails with errOverLimit as soon as
// the output passes limit bytes: it then reads a single byte into probe to
// tell an output of exactly limit bytes from a longer one.
func readLimit(r io.Reader, dst []byte, limit, hint int, probe []byte) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			if len(dst) >= limit {
				for {
					n, err := r.Read(probe)
					if n > 0 {
						return dst, errOverLimit
					}
					if err == io.EOF {
						return dst, nil
					}
					if err != nil {
						return dst, err
					}
				}
			}
			dst = grow(dst, min(max(hint, 512), limit-len(dst)), limit)
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), limit)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
		if len(dst) >= limit {
			dst = dst[:len(dst):len(dst)] // probe next time round
		}
	}
}

// zstd decoders are pooled per limit, which is set when one is made.
var zstdPools sync.Map // int → *sync.Pool of *zstd.Decoder

func zstdPool(limit int) *sync.Pool {
	if p, ok := zstdPools.Load(limit); ok {
		return p.(*sync.Pool)
	}
	p, _ := zstdPools.LoadOrStore(limit, &sync.Pool{New: func() any {
		d, err := zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(limit)),
			zstd.WithDecoderLowmem(true))
		if err != nil {
			panic("record: zstd decoder options: " + err.Error()) // cannot happen: the options are constants
		}
		return d
	}})
	return p.(*sync.Pool)
}

// unzstd decompresses zstd frames (RFC 8878, possibly several in a row).
// The decoder checks the size after every block (at most 128 KiB), and
// before it starts when the frame header says the content size.
func unzstd(dst, src []byte, limit int) ([]byte, error, string) {
	pool := zstdPool(limit)
	zd := pool.Get().(*zstd.Decoder)
	out, err := zd.DecodeAll(src, dst)
	pool.Put(zd)
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
			return tooLarge(dst, CodecZstd, limit)
		}
		return dst, ErrCorrupt, "zstd: " + err.Error()
	}
	return out, nil, ""
}

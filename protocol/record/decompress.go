package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"
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
// larger than twice what the output reached, and all the buffers a batch
// goes through add up to less than three times its output.
func grow(dst []byte, n, limit int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	c := max(2*cap(dst), len(dst)+n, 4096)
	c = 1 << bits.Len(uint(c-1)) // powers of two, so a power-of-two limit is reached without a last small step
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
			zstd.WithDecoderConcurrency(1),           // DecodeAll only: no goroutines
			zstd.WithDecoderMaxMemory(uint64(limit))) // also caps the window at limit
		if err != nil {
			panic("record: zstd decoder options: " + err.Error()) // cannot happen: the options are constants
		}
		return d
	}})
	return p.(*sync.Pool)
}

// unzstd decompresses zstd frames (RFC 8878, possibly several in a row).
// Walking the frames' block headers first bounds the output: exactly when
// every frame declares its content size (librdkafka's do), else from the
// blocks' sizes (the Java client's streaming writer declares none). An exact
// size over limit is rejected before anything is decoded; otherwise the
// output buffer is sized once to the bound (at most limit), and the decoder
// checks the output against limit after every block of at most 128 KiB.
func unzstd(dst, src []byte, limit int) ([]byte, error, string) {
	bound, exact, reason := zstdBound(src)
	if reason != "" {
		return dst, ErrCorrupt, reason
	}
	if exact && bound > uint64(limit-len(dst)) {
		return tooLarge(dst, CodecZstd, limit)
	}
	// Room for one block past the limit too, so that the decoder notices
	// the limit before it would grow the buffer, and 16 bytes of slack that
	// its fast path wants.
	room := min(bound, uint64(limit-len(dst))+zstdMaxBlock) + 16
	dst = grow(dst, int(room), limit)
	pool := zstdPool(limit)
	zd := pool.Get().(*zstd.Decoder)
	out, err := zd.DecodeAll(src, dst)
	pool.Put(zd)
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
			return tooLarge(dst, CodecZstd, limit)
		}
		if errors.Is(err, zstd.ErrWindowSizeExceeded) {
			// The decoder caps the window at the limit: a frame whose
			// window is larger may produce more than the limit.
			return dst, ErrDecompressedTooLarge, fmt.Sprintf("zstd frame window over the limit of %d bytes", limit)
		}
		return dst, ErrCorrupt, "zstd: " + err.Error()
	}
	return out, nil, ""
}

// zstdMaxBlock is the most a compressed zstd block decompresses to.
const zstdMaxBlock = 128 << 10

// zstdBound walks the frames of src by their block headers and bounds their
// decompressed size: exactly (the sum of declared content sizes) when every
// frame declares one, else from each block's size (raw and RLE blocks say
// theirs, a compressed block makes at most 128 KiB).
func zstdBound(src []byte) (bound uint64, exact bool, reason string) {
	exact = true
	for len(src) > 0 {
		var h zstd.Header
		if err := h.Decode(src); err != nil {
			return 0, false, "zstd: " + err.Error()
		}
		if h.Skippable {
			if uint64(h.SkippableSize) > uint64(len(src)-h.HeaderSize) {
				return 0, false, "zstd: short skippable frame"
			}
			src = src[h.HeaderSize+int(h.SkippableSize):]
			continue
		}
		var blocks uint64
		i := h.HeaderSize
		for last := false; !last; {
			if len(src)-i < 3 {
				return 0, false, "zstd: short block header"
			}
			bh := uint32(src[i]) | uint32(src[i+1])<<8 | uint32(src[i+2])<<16
			i += 3
			last = bh&1 != 0
			size := int(bh >> 3)
			switch (bh >> 1) & 3 {
			case 0: // raw
				blocks += uint64(size)
			case 1: // RLE: one byte, size times
				blocks += uint64(size)
				size = 1
			case 2: // compressed
				blocks += zstdMaxBlock
			case 3:
				return 0, false, "zstd: reserved block type"
			}
			if size > len(src)-i {
				return 0, false, "zstd: block runs past the end"
			}
			i += size
		}
		if src[4]&0x04 != 0 { // content checksum
			i += 4
		}
		if i > len(src) {
			return 0, false, "zstd: short content checksum"
		}
		src = src[i:]
		if h.HasFCS {
			blocks = h.FrameContentSize
		} else {
			exact = false
		}
		if bound += blocks; bound < blocks {
			return 0, false, "zstd: sizes overflow"
		}
	}
	return bound, exact, ""
}

package record

import (
	"bytes"
	"encoding/binary"

	"github.com/klauspost/compress/s2"
)

// Snappy as Kafka carries it: the Java producer (snappy-java's
// SnappyOutputStream) writes the xerial framing, a header and then blocks of
// [int32 length][raw snappy block]; other producers write one raw snappy
// block. A payload without the xerial magic is a raw block.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

const (
	xerialHeaderSize = 16       // magic, int32 version, int32 compatible version
	xerialBlockSize  = 32 << 10 // what snappy-java writes per block
	// snappyMaxRatio bounds the output of a snappy block per input byte:
	// the longest copy (64 bytes) takes 3 bytes. A block that claims more
	// is not snappy (or is a bomb) and is rejected before any allocation.
	snappyMaxRatio = 22
)

// snappyBlockLen returns the decompressed length a raw snappy block declares.
func snappyBlockLen(block []byte) (int, string) {
	n, err := s2.DecodedLen(block)
	if err != nil {
		return 0, "snappy: " + err.Error()
	}
	if n > snappyMaxRatio*len(block)+32 {
		return 0, "snappy: a block of " + itoa(len(block)) + " bytes cannot decompress to " + itoa(n)
	}
	return n, ""
}

// unsnappy decompresses a raw snappy block or xerial-framed blocks. Every
// block declares its decompressed length up front, so the whole output is
// known, checked against limit and allocated once before anything is
// decoded.
func unsnappy(dst, src []byte, limit int) ([]byte, error, string) {
	if !bytes.HasPrefix(src, xerialMagic) {
		n, reason := snappyBlockLen(src)
		if reason != "" {
			return dst, ErrCorrupt, reason
		}
		if n > limit-len(dst) {
			return tooLarge(dst, CodecSnappy, limit)
		}
		return decodeSnappyBlock(grow(dst, n, limit), src, n)
	}
	if len(src) < xerialHeaderSize {
		return dst, ErrCorrupt, "snappy: short xerial header"
	}
	total := 0
	for rest := src[xerialHeaderSize:]; len(rest) > 0; {
		block, next, reason := xerialBlock(rest)
		if reason != "" {
			return dst, ErrCorrupt, reason
		}
		n, reason := snappyBlockLen(block)
		if reason != "" {
			return dst, ErrCorrupt, reason
		}
		if total += n; total > limit-len(dst) {
			return tooLarge(dst, CodecSnappy, limit)
		}
		rest = next
	}
	dst = grow(dst, total, limit)
	for rest := src[xerialHeaderSize:]; len(rest) > 0; {
		block, next, _ := xerialBlock(rest)
		n, _ := snappyBlockLen(block)
		var kind error
		var reason string
		if dst, kind, reason = decodeSnappyBlock(dst, block, n); kind != nil {
			return dst, kind, reason
		}
		rest = next
	}
	return dst, nil, ""
}

// xerialBlock splits the next [int32 length][block] off src.
func xerialBlock(src []byte) (block, rest []byte, reason string) {
	if len(src) < 4 {
		return nil, nil, "snappy: short xerial block length"
	}
	n := binary.BigEndian.Uint32(src)
	if uint64(n) > uint64(len(src)-4) {
		return nil, nil, "snappy: xerial block of " + itoa(int(n)) + " bytes with " + itoa(len(src)-4) + " left"
	}
	return src[4 : 4+n], src[4+n:], ""
}

// decodeSnappyBlock decodes block, of decompressed length n, into the room
// dst has after its length.
func decodeSnappyBlock(dst, block []byte, n int) ([]byte, error, string) {
	l := len(dst)
	out, err := s2.Decode(dst[l:l+n], block)
	if err != nil {
		return dst, ErrCorrupt, "snappy: " + err.Error()
	}
	if len(out) != n || (n > 0 && &out[0] != &dst[l : l+n][0]) {
		return dst, ErrCorrupt, "snappy: block decoded outside its buffer" // cannot happen
	}
	return dst[:l+n], nil, ""
}

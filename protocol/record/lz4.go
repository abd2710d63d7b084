package record

import (
	"encoding/binary"

	"github.com/pierrec/lz4/v4"
)

// LZ4 frames (the lz4 frame format, v1.6). Kafka's Java client writes one
// frame with independent 64 KiB blocks and no checksums but the header's;
// librdkafka writes liblz4's defaults (linked blocks). Under magic 0 the
// Java client computed the header checksum over the magic too (KIP-57),
// which is accepted there. Blocks are decompressed straight into the
// output with pierrec/lz4's block decoder.

const (
	lz4Magic          = 0x184D2204
	lz4SkippableMagic = 0x184D2A50 // low 4 bits free
	lz4Window         = 64 << 10   // linked blocks may refer this far back
	lz4MaxRatio       = 255        // output bytes per input byte of a block, at most
)

// unlz4 decompresses lz4 frames (one or more, skippable frames skipped).
func unlz4(dst, src []byte, limit int, legacyHC, checksums bool) ([]byte, error, string) {
	for len(src) > 0 {
		if len(src) < 8 {
			return dst, ErrCorrupt, "lz4: short frame header"
		}
		magic := binary.LittleEndian.Uint32(src)
		if magic&^0xF == lz4SkippableMagic {
			n := binary.LittleEndian.Uint32(src[4:])
			if uint64(n) > uint64(len(src)-8) {
				return dst, ErrCorrupt, "lz4: short skippable frame"
			}
			src = src[8+n:]
			continue
		}
		if magic != lz4Magic {
			return dst, ErrCorrupt, "lz4: bad frame magic"
		}
		var kind error
		var reason string
		dst, src, kind, reason = lz4Frame(dst, src, limit, legacyHC, checksums)
		if kind != nil {
			return dst, kind, reason
		}
	}
	return dst, nil, ""
}

// lz4Frame decompresses the frame at the start of src and returns what
// follows it.
func lz4Frame(dst, src []byte, limit int, legacyHC, checksums bool) (out, rest []byte, kind error, reason string) {
	flg, bd := src[4], src[5]
	if flg>>6 != 1 || flg&0x02 != 0 || bd&0x8F != 0 {
		return dst, nil, ErrCorrupt, "lz4: bad frame descriptor"
	}
	independent := flg&0x20 != 0
	blockSums := flg&0x10 != 0
	hasSize := flg&0x08 != 0
	contentSum := flg&0x04 != 0
	if flg&0x01 != 0 {
		return dst, nil, ErrUnsupportedCodec, "lz4: frame needs a dictionary"
	}
	blockMax := 0
	switch bd >> 4 {
	case 4, 5, 6, 7:
		blockMax = 1 << (8 + 2*(bd>>4))
	default:
		return dst, nil, ErrCorrupt, "lz4: bad block size"
	}
	hdr := 7
	if hasSize {
		hdr += 8
	}
	if len(src) < hdr {
		return dst, nil, ErrCorrupt, "lz4: short frame header"
	}
	if checksums {
		hc := src[hdr-1]
		ok := hc == byte(xxh32(src[4:hdr-1])>>8)
		if !ok && legacyHC {
			ok = hc == byte(xxh32(src[:hdr-1])>>8)
		}
		if !ok {
			return dst, nil, ErrCorrupt, "lz4: frame header checksum mismatch"
		}
	}
	var size uint64
	if hasSize {
		if size = binary.LittleEndian.Uint64(src[6:]); size > uint64(limit-len(dst)) {
			return dst, nil, ErrDecompressedTooLarge, lz4TooLarge(limit)
		}
	}
	start := len(dst)
	src = src[hdr:]
	for {
		if len(src) < 4 {
			return dst, nil, ErrCorrupt, "lz4: frame ends without an end mark"
		}
		bs := binary.LittleEndian.Uint32(src)
		src = src[4:]
		if bs == 0 {
			break
		}
		n := int(bs &^ (1 << 31))
		if n > blockMax || n > len(src) {
			return dst, nil, ErrCorrupt, "lz4: block of " + itoa(n) + " bytes with " + itoa(len(src)) + " left"
		}
		block := src[:n]
		src = src[n:]
		if blockSums {
			if len(src) < 4 {
				return dst, nil, ErrCorrupt, "lz4: short block checksum"
			}
			if checksums && xxh32(block) != binary.LittleEndian.Uint32(src) {
				return dst, nil, ErrCorrupt, "lz4: block checksum mismatch"
			}
			src = src[4:]
		}
		if bs&(1<<31) != 0 { // stored uncompressed
			if n > limit-len(dst) {
				return dst, nil, ErrDecompressedTooLarge, lz4TooLarge(limit)
			}
			dst = append(grow(dst, n, limit), block...)
			continue
		}
		room := min(blockMax, limit-len(dst), lz4MaxRatio*n+64)
		dst = grow(dst, room, limit)
		var dict []byte
		if !independent {
			dict = dst[max(start, len(dst)-lz4Window):]
		}
		l := len(dst)
		k, err := lz4.UncompressBlockWithDict(block, dst[l:l+room], dict)
		if err != nil {
			if lz4BlockLen(block) > limit-l {
				return dst, nil, ErrDecompressedTooLarge, lz4TooLarge(limit)
			}
			return dst, nil, ErrCorrupt, "lz4: corrupt block"
		}
		dst = dst[:l+k]
	}
	if hasSize && uint64(len(dst)-start) != size {
		return dst, nil, ErrCorrupt, "lz4: content size mismatch"
	}
	if contentSum {
		if len(src) < 4 {
			return dst, nil, ErrCorrupt, "lz4: short content checksum"
		}
		if checksums && xxh32(dst[start:]) != binary.LittleEndian.Uint32(src) {
			return dst, nil, ErrCorrupt, "lz4: content checksum mismatch"
		}
		src = src[4:]
	}
	return dst, src, nil, ""
}

func lz4TooLarge(limit int) string {
	return "lz4 data decompresses to more than " + itoa(limit) + " bytes"
}

// lz4BlockLen returns the length the lz4 block decompresses to, from its
// sequences' literal and match lengths alone, or -1 if it does not parse.
// It tells a block that fails because it would pass the limit from a
// corrupt one.
func lz4BlockLen(block []byte) int {
	n := 0
	for i := 0; i < len(block); {
		token := block[i]
		i++
		lit := int(token >> 4)
		if lit == 15 {
			for {
				if i >= len(block) || lit > 1<<30 {
					return -1
				}
				c := block[i]
				i++
				lit += int(c)
				if c != 255 {
					break
				}
			}
		}
		if lit > len(block)-i {
			return -1
		}
		i += lit
		n += lit
		if i == len(block) {
			return n // the last sequence has literals only
		}
		if len(block)-i < 2 {
			return -1
		}
		i += 2 // match offset
		match := int(token&15) + 4
		if token&15 == 15 {
			for {
				if i >= len(block) || match > 1<<30 {
					return -1
				}
				c := block[i]
				i++
				match += int(c)
				if c != 255 {
					break
				}
			}
		}
		n += match
		if n > 1<<40 {
			return -1
		}
	}
	return n
}

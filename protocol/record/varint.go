package record

// Zigzag varints (protobuf sint32/sint64), as records of magic 2 use them.
// The hot path (nextV2, headers) reads varints of one and two bytes inline
// and calls uvarintSlow for the rest. Indexes only grow; a failed read
// returns bad, an index past any input, so that every later read fails too
// and one comparison at the end of a record catches them all.

// bad is the index a failed read returns.
const bad = 1 << 40

// uvarintSlow reads an unsigned varint of up to 10 bytes at b[i:].
//
//go:noinline
func uvarintSlow(b []byte, i int) (uint64, int) {
	var x uint64
	for s := uint(0); s < 70; s += 7 {
		if i >= len(b) {
			return 0, bad
		}
		c := b[i]
		i++
		if c < 0x80 {
			if s == 63 && c > 1 {
				return 0, bad // overflows 64 bits
			}
			return x | uint64(c)<<s, i
		}
		x |= uint64(c&0x7f) << s
	}
	return 0, bad
}

// zigzag decodes a zigzag-encoded value.
func zigzag(x uint64) int64 { return int64(x>>1) ^ -int64(x&1) }

// appendVarint appends v as a zigzag varint.
func appendVarint(dst []byte, v int64) []byte {
	x := uint64(v<<1) ^ uint64(v>>63)
	for x >= 0x80 {
		dst = append(dst, byte(x)|0x80)
		x >>= 7
	}
	return append(dst, byte(x))
}

// varintLen returns the size of v as a zigzag varint.
func varintLen(v int64) int {
	x := uint64(v<<1) ^ uint64(v>>63)
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

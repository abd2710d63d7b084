package record

// Zigzag varints (protobuf sint32/sint64), as records of magic 2 use them.
// The readers take the index to read at and return the index after the
// value; an index that is negative, in or out, means the input failed, so a
// run of reads is checked once at the end.

// bad is the index the fast readers return on failure: past any input, so
// that every later read fails too, and positive, so that it can be compared
// without conversions in the hot path.
const bad = 1 << 40

// uvarint reads an unsigned varint at b[i:] (i ≥ 0): one byte inline,
// longer ones (and failures) by uvarintSlow. It returns bad on failure.
func uvarint(b []byte, i int) (x uint64, j int) {
	for s := uint(0); i < len(b) && s < 64; s += 7 {
		c := b[i]
		i++
		x |= uint64(c&0x7f) << s
		if c < 0x80 {
			return x, i
		}
	}
	return 0, bad
}

//go:noinline
func uvarintSlow(b []byte, i int) (uint64, int) {
	if i+1 < len(b) && b[i+1] < 0x80 { // two bytes: lengths of 64-8191
		return uint64(b[i]&0x7f) | uint64(b[i+1])<<7, i + 2
	}
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

// varint reads a zigzag varint of at most 10 bytes at b[i:].
func varint(b []byte, i int) (int64, int) {
	if uint(i) < uint(len(b)) && b[i] < 0x80 {
		x := uint64(b[i])
		return int64(x>>1) ^ -int64(x&1), i + 1
	}
	return varintSlow(b, i)
}

func varintSlow(b []byte, i int) (int64, int) {
	if i < 0 {
		return 0, -1
	}
	var x uint64
	for s := uint(0); s < 70; s += 7 {
		if i >= len(b) {
			return 0, -1
		}
		c := b[i]
		i++
		if c < 0x80 {
			if s == 63 && c > 1 {
				return 0, -1 // overflows 64 bits
			}
			x |= uint64(c) << s
			return int64(x>>1) ^ -int64(x&1), i
		}
		x |= uint64(c&0x7f) << s
	}
	return 0, -1
}

// varint32 reads a zigzag varint that must fit an int32 (Kafka's varint,
// as opposed to varlong).
func varint32(b []byte, i int) (int64, int) {
	v, i := varint(b, i)
	if v < -1<<31 || v > 1<<31-1 {
		return 0, -1
	}
	return v, i
}

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

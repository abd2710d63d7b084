package crc32c

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// clmul is a software carry-less multiply: the 128-bit product of a and b.
func clmul(a, b uint64) (lo, hi uint64) {
	for i := range 64 {
		if b>>i&1 != 0 {
			lo ^= a << i
			if i > 0 {
				hi ^= a >> (64 - i)
			}
		}
	}
	return lo, hi
}

// modelFold is the folding the assembly runs, one 16-byte lane at a time, in
// Go: it checks foldConst and the final reduction against hash/crc32 apart
// from any assembly.
func modelFold(crc uint32, p []byte) uint32 {
	n := len(p) &^ 15
	x0 := binary.LittleEndian.Uint64(p) ^ uint64(^crc)
	x1 := binary.LittleEndian.Uint64(p[8:])
	k := foldConst(128)
	for off := 16; off < n; off += 16 {
		l0, l1 := clmul(x0, k[0])
		h0, h1 := clmul(x1, k[1])
		x0 = l0 ^ h0 ^ binary.LittleEndian.Uint64(p[off:])
		x1 = l1 ^ h1 ^ binary.LittleEndian.Uint64(p[off+8:])
	}
	s := crc32.Update(0xffffffff, castagnoli, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, x0), x1))
	return crc32.Update(s, castagnoli, p[n:])
}

func TestModelFold(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 16; n < 600; n++ {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		crc := r.Uint32()
		if got, want := modelFold(crc, p), crc32.Update(crc, castagnoli, p); got != want {
			t.Fatalf("n=%d: model %08x, hash/crc32 %08x", n, got, want)
		}
	}
}

// TestShiftConst checks the joining step in Go: the carry-less product of a
// state and shiftConst(n), run through the CRC32 instruction's step (here
// hash/crc32 over the product's 8 bytes), is the state after n zero bytes.
func TestShiftConst(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{8, 40, streamBytes, 2 * streamBytes, 3 * streamBytes, 10000} {
		s := r.Uint32()
		want := ^crc32.Update(^s, castagnoli, make([]byte, n))
		lo, _ := clmul(uint64(s), shiftConst(n))
		if got := ^crc32.Update(^uint32(0), castagnoli, binary.LittleEndian.AppendUint64(nil, lo)); got != want {
			t.Errorf("n=%d: moved state %08x, want %08x", n, got, want)
		}
	}
}

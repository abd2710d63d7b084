package crc32c

import (
	"hash/crc32"
	"math/bits"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// xPowMod returns x^n mod P, P the CRC-32C polynomial, as a plain
// (unreflected) polynomial: bit i is the coefficient of x^i.
func xPowMod(n int) uint32 {
	const poly = 0x1EDC6F41 // P without its x^32 term, unreflected
	r := uint32(1)
	for range n {
		carry := r >> 31
		r <<= 1
		if carry != 0 {
			r ^= poly
		}
	}
	return r
}

// foldConst returns the two multipliers that move a 16-byte lane d bits
// forward. The lane holds L·x^64 + H, L in its low quadword (reflected: bit i
// is x^(63-i)); the carry-less product of two reflected quadwords comes out
// one degree short, so L·x^(64+d) takes x^(63+d) and H·x^d takes x^(d-1).
func foldConst(d int) [2]uint64 {
	refl := func(p uint32) uint64 { return bits.Reverse64(uint64(p)) }
	return [2]uint64{refl(xPowMod(63 + d)), refl(xPowMod(d - 1))}
}

// Block layout of hybrid: a fold region of 128 bytes per step, then three
// CRC32 streams of 40 bytes per step. hybridIters must equal ITERS in
// fold_amd64.s (TestHybridTakesWholeBlocks checks it).
const (
	hybridIters = 16

	vecBytes    = 128 * hybridIters
	streamBytes = 40 * hybridIters
	blockBytes  = vecBytes + 3*streamBytes
)

// keyTable holds the multipliers the assembly reads: fold pairs for a lane
// moved 1024 bits (the 128-byte step over four 32-byte accumulators), 256 bits
// (the accumulators into one) and 128 bits (two lanes into one); then state
// moves past three, two and one stream. The last word pads the 16-byte load
// of the one before it.
type keyTable [10]uint64

var keys = func() (k keyTable) {
	for i, d := range []int{1024, 256, 128} {
		c := foldConst(d)
		k[2*i], k[2*i+1] = c[0], c[1]
	}
	for i, n := range []int{3 * streamBytes, 2 * streamBytes, streamBytes} {
		k[6+i] = shiftConst(n)
	}
	return k
}()

// shiftConst returns the multiplier that moves a CRC state n bytes forward:
// x^(8n-33) mod P in state order. The carry-less product of state and
// multiplier, run through one CRC32 instruction from 0, is the state after n
// zero bytes.
func shiftConst(n int) uint64 { return uint64(reflect32(xPowMod(8*n - 33))) }

// reflect32 is p with its 32 coefficients in CRC state order: bit i is x^(31-i).
func reflect32(p uint32) uint32 { return bits.Reverse32(p) }

//go:build !purego

package crc32c

// haveAsm reports whether this CPU runs hybrid: AVX2 and VPCLMULQDQ for the
// fold, SSE4.2 for the CRC32 instructions, and an OS that saves the YMM
// registers.
var haveAsm = func() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	const sse42, osxsave, avx = 1 << 20, 1 << 27, 1 << 28
	if c1&(sse42|osxsave|avx) != sse42|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state
		return false
	}
	_, b7, c7, _ := cpuid(7, 0)
	const avx2, vpclmulqdq = 1 << 5, 1 << 10
	return b7&avx2 != 0 && c7&vpclmulqdq != 0
}()

// hybrid returns the CRC-32C of the bytes whose checksum is crc followed by
// p[:n], where n is the largest multiple of blockBytes in len(p).
//
//go:noescape
func hybrid(crc uint32, p []byte, k *keyTable) (sum uint32, n int)

func cpuid(leaf, sub uint32) (a, b, c, d uint32)

func xgetbv() (eax, edx uint32)

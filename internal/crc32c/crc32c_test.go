package crc32c

import (
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestUpdate compares Update with hash/crc32 for every length up to three
// blocks and a bit, at every start alignment mod 32, with random bytes and a
// random prior CRC.
func TestUpdate(t *testing.T) {
	if !haveAsm {
		t.Log("this CPU has no AVX2+VPCLMULQDQ: only the hash/crc32 path runs")
	}
	r := rand.New(rand.NewPCG(3, 4))
	const max = 3*blockBytes + 200
	buf := make([]byte, max+32)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= max; n++ {
		off := n % 32
		p := buf[off : off+n]
		crc := r.Uint32()
		if got, want := Update(crc, p), crc32.Update(crc, castagnoli, p); got != want {
			t.Fatalf("len %d at offset %d: Update %08x, hash/crc32 %08x", n, off, got, want)
		}
	}
}

// TestHybridEdges checks the assembly alone on one block and on many, with
// all-zero, all-one and patterned bytes and several prior CRCs.
func TestHybridEdges(t *testing.T) {
	if !haveAsm {
		t.Skip("no assembly path on this CPU")
	}
	for _, fill := range []byte{0x00, 0xff, 0x5a} {
		for _, n := range []int{blockBytes, 2 * blockBytes, 300 * blockBytes} {
			p := make([]byte, n)
			for i := range p {
				p[i] = fill
			}
			for _, crc := range []uint32{0, 0xffffffff, 0x12345678} {
				got, used := hybrid(crc, p, &keys)
				if want := crc32.Update(crc, castagnoli, p); got != want || used != n {
					t.Fatalf("fill %#x len %d crc %08x: hybrid %08x over %d bytes, hash/crc32 %08x", fill, n, crc, got, used, want)
				}
			}
		}
	}
}

// TestHybridTakesWholeBlocks checks that the assembly's block is blockBytes:
// it takes nothing from a byte less, one block from a byte more.
func TestHybridTakesWholeBlocks(t *testing.T) {
	if !haveAsm {
		t.Skip("no assembly path on this CPU")
	}
	p := make([]byte, 2*blockBytes)
	for _, c := range []struct{ len, want int }{{0, 0}, {blockBytes - 1, 0}, {blockBytes, blockBytes}, {blockBytes + 1, blockBytes}, {2*blockBytes - 1, blockBytes}, {2 * blockBytes, 2 * blockBytes}} {
		if _, n := hybrid(0, p[:c.len], &keys); n != c.want {
			t.Errorf("hybrid over %d bytes took %d, want %d", c.len, n, c.want)
		}
	}
}

// TestKnownValue is the CRC-32C check value of "123456789" (RFC 3720 B.4).
func TestKnownValue(t *testing.T) {
	if got := Checksum([]byte("123456789")); got != 0xe3069283 {
		t.Fatalf("Checksum(123456789) = %08x, want e3069283", got)
	}
	long := make([]byte, 1000)
	for i := range long {
		long[i] = "123456789"[i%9]
	}
	if got, want := Checksum(long), crc32.Checksum(long, castagnoli); got != want {
		t.Fatalf("1000 bytes: %08x, hash/crc32 %08x", got, want)
	}
}

// BenchmarkChecksum compares Checksum with hash/crc32 over the same bytes.
func BenchmarkChecksum(b *testing.B) {
	for _, n := range []int{1 << 10, blockBytes, 16 << 10, 1 << 20} {
		p := make([]byte, n)
		b.Run(fmt.Sprintf("crc32c/%dB", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				Checksum(p)
			}
		})
		b.Run(fmt.Sprintf("hash-crc32/%dB", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				crc32.Checksum(p, castagnoli)
			}
		})
	}
}

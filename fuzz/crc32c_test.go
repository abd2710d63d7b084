package fuzz

import (
	"bytes"
	"hash/crc32"
	"testing"

	"github.com/rawkafka/rawkafka/internal/crc32c"
)

// FuzzCRC32C checks the CRC-32C that guards v2 batches against hash/crc32.
// The input is repeated reps times (up to 64 KiB) so that short inputs also
// reach the assembly, which takes blocks of a few KiB.
func FuzzCRC32C(f *testing.F) {
	f.Add(uint32(0), []byte("123456789"), uint8(1))
	f.Add(uint32(0xffffffff), bytes.Repeat([]byte{0xa5}, 300), uint8(14))
	f.Add(uint32(0x12345678), []byte("kafka record batch"), uint8(255))
	table := crc32.MakeTable(crc32.Castagnoli)
	f.Fuzz(func(t *testing.T, crc uint32, p []byte, reps uint8) {
		if len(p) > 0 && len(p)*int(reps) <= 64<<10 {
			p = bytes.Repeat(p, int(reps))
		}
		if got, want := crc32c.Update(crc, p), crc32.Update(crc, table, p); got != want {
			t.Fatalf("Update(%08x, %d bytes) = %08x, hash/crc32 %08x", crc, len(p), got, want)
		}
	})
}

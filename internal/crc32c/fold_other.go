//go:build !amd64 || purego

package crc32c

const haveAsm = false

func hybrid(crc uint32, p []byte, k *keyTable) (sum uint32, n int) {
	panic("crc32c: no assembly on this architecture")
}

package record

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of decoding and encoding, for errors.Is. Decoder.Err wraps them in
// a *BatchError that says which batch failed.
var (
	// ErrCorrupt: a CRC or checksum mismatch, an impossible length or
	// count, or compressed data the codec cannot read.
	ErrCorrupt = errors.New("record: corrupt record data")
	// ErrDecompressedTooLarge: a batch decompresses to more than
	// Options.MaxDecompressed bytes.
	ErrDecompressedTooLarge = errors.New("record: decompressed batch over the size limit")
	// ErrUnsupportedCodec: codec bits 5-7, or a codec feature Kafka does not
	// use (an lz4 dictionary).
	ErrUnsupportedCodec = errors.New("record: unsupported compression codec")
)

// BatchError is the error of a batch that could not be read: its offset (the
// base offset of a v2 batch, the offset of a v0/v1 message), magic and codec,
// what was wrong, and one of ErrCorrupt, ErrDecompressedTooLarge or
// ErrUnsupportedCodec, which errors.Is finds.
type BatchError struct {
	Offset int64
	Magic  int8
	Codec  Codec
	Reason string
	Err    error
}

// Error describes the BatchError.
func (e *BatchError) Error() string {
	return fmt.Sprintf("record: batch at offset %d (magic %d, %s): %s: %s",
		e.Offset, e.Magic, e.Codec, strings.TrimPrefix(e.Err.Error(), "record: "), e.Reason)
}

// Unwrap returns the sentinel error.
func (e *BatchError) Unwrap() error { return e.Err }

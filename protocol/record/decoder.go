package record

import (
	"encoding/binary"
	"fmt"
)

// Sizes shared by both formats: every batch and message starts with an
// int64 offset and an int32 size, and has its magic at byte 16.
const (
	logOverhead    = 12 // offset + size
	headerToMagic  = 17 // bytes up to and including the magic
	minMessageSize = 14 // size of the smallest v0 message: crc, magic, attributes, two null lengths
)

// kind says what the decoder's current batch is.
type kind uint8

const (
	kindNone   kind = iota // no batch: before the first, at the end, after an error
	kindV2                 // a record batch of magic 2
	kindLegacy             // a magic 0/1 message, or the inner messages of a compressed wrapper
)

// Decoder iterates the batches (magic 2) or message sets (magic 0/1,
// compressed wrappers expanded) in one partition's records bytes as a Fetch
// response returns them. The zero Decoder is empty; Reset gives it bytes.
// A Decoder keeps its buffers across Reset, so reusing one lets steady-state
// iteration run without allocating. It is not safe for concurrent use.
type Decoder struct {
	src   []byte // the bytes after the current batch
	opts  Options
	limit int // decompression limit in force

	batch Batch
	rec   Record
	hdrs  []Header // the current batch's headers; records' Headers are windows of it

	raw  []byte // the current batch as it came
	kind kind
	recs []byte // the current batch's records: into src, or into buf
	off  int    // index in recs of the next record
	left int32  // records not yet yielded

	// legacy batches
	offsetDelta int64 // added to inner offsets (v1 wrappers: relative offsets)
	timestamp   int64 // every record's timestamp when forced (v0: -1; v1 LogAppendTime wrapper)
	forceTS     bool

	buf []byte // decompression buffer, reused

	err       error
	truncated bool
}

// Reset makes d iterate records, dropping the batch and error it had. It
// keeps its buffers: records of the previous bytes that pointed into the
// decompression buffer are no longer valid.
func (d *Decoder) Reset(records []byte, opts Options) {
	d.src = records
	d.opts = opts
	d.limit = opts.MaxDecompressed
	if d.limit <= 0 {
		d.limit = DefaultMaxDecompressed
	}
	d.batch = Batch{}
	d.rec = Record{}
	clear(d.hdrs[:cap(d.hdrs)]) // let the previous bytes go
	d.endBatch()
	d.err = nil
	d.truncated = false
}

// endBatch forgets the current batch.
func (d *Decoder) endBatch() {
	d.hdrs = d.hdrs[:0]
	d.kind = kindNone
	d.raw = nil
	d.recs = nil
	d.off = 0
	d.left = 0
}

// Batch returns the current batch. It is overwritten by the next NextBatch.
func (d *Decoder) Batch() *Batch { return &d.batch }

// RawBatch returns the bytes of the current batch as they came, from its
// offset field to its end (for magic 0/1 the whole wrapper message). They
// point into the bytes given to Reset. Nil when there is no current batch.
func (d *Decoder) RawBatch() []byte { return d.raw }

// Record returns the current record. It is overwritten by the next NextRecord.
func (d *Decoder) Record() *Record { return &d.rec }

// Err returns why the iteration stopped early, as a *BatchError, or nil at a
// clean end (also when the bytes ended in a partial batch).
func (d *Decoder) Err() error { return d.err }

// Truncated reports whether the bytes ended in a partial batch. That is
// normal: a broker cuts the last batch at the fetch's byte limit, and the
// next fetch starts at the offset after the last complete batch.
func (d *Decoder) Truncated() bool { return d.truncated }

// NextBatch moves to the next complete batch, checking its CRC (unless
// Options.SkipCRC) and decompressing it. It returns false at the end of the
// bytes, at a partial batch (Truncated) and on error (Err). The records of
// the batch it left are not yielded any more.
func (d *Decoder) NextBatch() bool {
	d.endBatch()
	if d.err != nil {
		return false
	}
	src := d.src
	if len(src) < headerToMagic {
		d.truncated = len(src) > 0
		d.src = nil
		return false
	}
	offset := int64(binary.BigEndian.Uint64(src))
	size := int32(binary.BigEndian.Uint32(src[8:]))
	magic := int8(src[16])
	if size < minMessageSize {
		return d.failf(offset, magic, 0, ErrCorrupt, "size %d is below the minimum of %d", size, minMessageSize)
	}
	if int64(size) > int64(len(src)-logOverhead) {
		d.truncated = true
		d.src = nil
		return false
	}
	b := src[:logOverhead+int(size)]
	d.src = src[len(b):]
	d.raw = b
	switch magic {
	case 2:
		return d.startV2(b)
	case 0, 1:
		return d.startLegacy(b)
	}
	return d.failf(offset, magic, 0, ErrCorrupt, "unknown magic %d", magic)
}

// NextRecord moves to the next record of the current batch. It returns false
// after the last one and on error (Err).
func (d *Decoder) NextRecord() bool {
	if d.left > 0 && d.kind == kindV2 {
		return d.nextV2()
	}
	if d.left <= 0 {
		if d.kind == kindV2 && d.off != len(d.recs) {
			d.corruptf("%d bytes after the last of %d records", len(d.recs)-d.off, d.batch.NumRecords)
		}
		d.kind = kindNone
		return false
	}
	switch d.kind {
	case kindV2:
		return d.nextV2()
	case kindLegacy:
		return d.nextLegacy()
	}
	return false
}

// SwapBuffer gives the decoder buf to decompress the next batches into
// (its contents are ignored, its capacity is reused) and returns the buffer
// it had, into which the records of the current compressed batch point,
// also while the rest of that batch is read. A caller that keeps records
// of several compressed batches at a time can swap before each NextBatch
// instead of copying them, and reuse a buffer once none of its records
// are needed any more.
func (d *Decoder) SwapBuffer(buf []byte) []byte {
	old := d.buf
	d.buf = buf[:0]
	return old
}

// failf stops the iteration with an error about the batch at offset.
func (d *Decoder) failf(offset int64, magic int8, codec Codec, kind error, format string, args ...any) bool {
	d.err = &BatchError{Offset: offset, Magic: magic, Codec: codec, Reason: fmt.Sprintf(format, args...), Err: kind}
	d.endBatch()
	d.src = nil
	return false
}

// corruptf stops the iteration with ErrCorrupt about the current batch.
func (d *Decoder) corruptf(format string, args ...any) bool {
	return d.fail(ErrCorrupt, fmt.Sprintf(format, args...))
}

// fail stops the iteration with an error about the current batch.
func (d *Decoder) fail(kind error, reason string) bool {
	b := &d.batch
	return d.failf(b.BaseOffset, b.Magic, b.Codec(), kind, "%s", reason)
}

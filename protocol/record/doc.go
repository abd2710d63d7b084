// Package record reads and writes the record data of Kafka's Fetch and
// Produce messages: record batches (magic 2, KIP-98) and the legacy message
// sets of magic 0 and 1 (KIP-32), with their compression codecs (gzip,
// snappy raw and xerial-framed, lz4 frames including the KIP-57 header
// checksum of magic 0, zstd) and the control records of transactions.
//
// It is pure: no I/O, no goroutines, no logging.
//
// # Decoding
//
// A Decoder walks one partition's records bytes as a Fetch response returns
// them. NextBatch moves to the next complete batch (a magic 0/1 message or
// compressed wrapper counts as one batch) and checks its CRC; NextRecord
// walks that batch's records. A partial batch at the end of the bytes, which
// a broker sends when its byte limit cuts a batch, ends the iteration with
// Truncated() true and no error. The decoder yields every record of a batch,
// including those below the offset that was fetched and the control records
// of control batches: skipping them is the caller's business.
//
// # Buffer lifetimes
//
// Nothing is copied. A record's Key, Value and Headers (and each header's
// Key and Value) point either into the bytes given to Decoder.Reset, when the
// batch is uncompressed (Batch.Codec() == CodecNone), or into the decoder's
// decompression buffer, when it is compressed:
//
//   - uncompressed: they stay valid as long as the caller keeps the bytes
//     given to Reset unchanged;
//   - compressed: they stay valid until the next NextBatch or Reset, which
//     reuse the buffer. Copy what must outlive that.
//
// The *Batch and *Record that Batch and Record return are the decoder's own
// and are overwritten by the next NextBatch and NextRecord; the Headers slice
// of a record is not overwritten until the next NextBatch.
//
// In steady state (buffers grown to the largest batch seen) iterating
// allocates nothing, with or without headers. Decompressors are pooled
// across decoders.
//
// # Limits
//
// Every length is checked against the bytes that remain before it is used,
// no count read from the wire sizes an allocation, and decompression stops
// with ErrDecompressedTooLarge as soon as a batch's output would pass
// Options.MaxDecompressed.
package record

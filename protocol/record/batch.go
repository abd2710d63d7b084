package record

// Header is one record header (magic 2 only).
type Header struct {
	Key   []byte
	Value []byte // nil = null
}

// Record is one record. Key, Value and Headers (and the header bytes) point
// into the bytes given to Decoder.Reset, or into the Decoder's own
// decompression buffer; they stay valid until the next NextBatch or Reset
// (uncompressed batches: as long as the bytes given to Reset). The *Record
// from Decoder.Record is reused by the next NextRecord.
type Record struct {
	Offset    int64
	Timestamp int64  // ms since the epoch: CreateTime, or the batch's LogAppendTime when set; -1 for magic 0
	Key       []byte // nil = null
	Value     []byte // nil = null
	Headers   []Header
}

// Batch is the header of a record batch (magic 2), or of one message or
// compressed wrapper message of a legacy message set (magic 0/1), which
// carries only some of these fields: the others take the values shown.
type Batch struct {
	BaseOffset           int64
	LastOffset           int64 // offset of the batch's last record (base + last_offset_delta; for v0/v1 the last inner message)
	PartitionLeaderEpoch int32 // -1 for magic 0/1
	Magic                int8
	Attributes           int16
	FirstTimestamp       int64 // v2 base_timestamp; v1: first record's timestamp (wrapper's when LogAppendTime); v0: -1
	MaxTimestamp         int64 // v2 max_timestamp; v1: the (wrapper) message's timestamp; v0: -1
	ProducerID           int64 // -1 when none
	ProducerEpoch        int16 // -1 when none
	BaseSequence         int32 // -1 when none
	NumRecords           int32
}

// Attribute bits of a batch (magic 2) or message (magic 0/1).
const (
	attrCodecMask     = 0x07
	attrLogAppendTime = 0x08 // magic 1 and 2
	attrTransactional = 0x10 // magic 2
	attrControl       = 0x20 // magic 2
)

// Codec returns the batch's compression codec.
func (b *Batch) Codec() Codec { return Codec(b.Attributes & attrCodecMask) }

// Transactional reports whether the batch was written in a transaction (magic 2).
func (b *Batch) Transactional() bool { return b.Magic >= 2 && b.Attributes&attrTransactional != 0 }

// Control reports whether the batch holds control records (magic 2): the
// markers that commit or abort a transaction, which consumers do not deliver.
func (b *Batch) Control() bool { return b.Magic >= 2 && b.Attributes&attrControl != 0 }

// LogAppendTime reports whether the timestamps are the broker's append time
// (magic 1 and 2): every record then carries MaxTimestamp.
func (b *Batch) LogAppendTime() bool { return b.Magic >= 1 && b.Attributes&attrLogAppendTime != 0 }

// Options changes how a Decoder reads. zstd decoders are pooled per
// distinct MaxDecompressed value, so a process should use few of them.
type Options struct {
	SkipCRC         bool // check.crcs=false: trust the CRCs (and lz4 checksums) without computing them
	MaxDecompressed int  // bytes one batch may decompress to; 0 = DefaultMaxDecompressed; over it = ErrDecompressedTooLarge
}

// DefaultMaxDecompressed is the decompressed size one batch may reach when
// Options.MaxDecompressed is 0.
const DefaultMaxDecompressed = 256 << 20

package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/rawkafka/rawkafka/internal/crc32c"
)

// AppendBatch appends the records as one batch of magic b.Magic (0, 1 or 2)
// compressed with codec, for tests, fixtures and fuzzing; the bytes are what
// a broker stores and serves.
//
// Magic 2: one record batch with b's fields, except that records_count is
// len(records), the codec bits of the attributes are codec, and
// last_offset_delta reaches the largest of b.LastOffset and the records'
// offsets. A record's offset and timestamp are written as deltas from
// b.BaseOffset and b.FirstTimestamp; max_timestamp is b.MaxTimestamp as
// given. The CRC-32C covers attributes..end.
//
// Magic 0 and 1: uncompressed, one message per record at the record's
// offset, with b.Attributes' timestamp type (magic 1); compressed, one
// wrapper at the offset of the last record (timestamp b.MaxTimestamp, magic
// 1) around the inner messages, whose offsets are absolute (magic 0) or
// relative to the first record (magic 1). Records cannot carry headers, and
// a compressed message set needs at least one record. LZ4 under magic 0
// gets the header checksum the Java client wrote then (KIP-57).
func AppendBatch(dst []byte, b Batch, records []Record, codec Codec) ([]byte, error) {
	if !codec.valid() {
		return dst, fmt.Errorf("%w: %s", ErrUnsupportedCodec, codec)
	}
	switch b.Magic {
	case 2:
		return appendV2(dst, &b, records, codec)
	case 0, 1:
		return appendLegacy(dst, &b, records, codec)
	}
	return dst, fmt.Errorf("record: cannot encode magic %d", b.Magic)
}

func appendV2(dst []byte, b *Batch, records []Record, codec Codec) ([]byte, error) {
	last := b.LastOffset
	for i := range records {
		last = max(last, records[i].Offset)
	}
	lastDelta := last - b.BaseOffset
	if lastDelta < 0 && len(records) == 0 {
		lastDelta = 0
	}
	if lastDelta < 0 || lastDelta > math.MaxInt32 || len(records) > math.MaxInt32 {
		return dst, errors.New("record: offsets do not fit one batch")
	}
	start := len(dst)
	dst = append(dst, make([]byte, v2HeaderSize)...)
	body := dst
	if codec != CodecNone {
		body = nil
	}
	bodyStart := len(body)
	for i := range records {
		r := &records[i]
		delta := r.Offset - b.BaseOffset
		if delta < math.MinInt32 || delta > math.MaxInt32 {
			return dst[:start], fmt.Errorf("record: offset %d does not fit a batch at %d", r.Offset, b.BaseOffset)
		}
		body = appendV2Record(body, r, delta, r.Timestamp-b.FirstTimestamp)
	}
	if codec != CodecNone {
		var err error
		if dst, err = compress(dst, codec, body[bodyStart:], false); err != nil {
			return dst[:start], err
		}
	} else {
		dst = body
	}
	h := dst[start:]
	if len(h)-logOverhead > math.MaxInt32 {
		return dst[:start], errors.New("record: batch too large")
	}
	binary.BigEndian.PutUint64(h, uint64(b.BaseOffset))
	binary.BigEndian.PutUint32(h[8:], uint32(len(h)-logOverhead))
	binary.BigEndian.PutUint32(h[12:], uint32(b.PartitionLeaderEpoch))
	h[16] = 2
	binary.BigEndian.PutUint16(h[21:], uint16(b.Attributes&^attrCodecMask|int16(codec)))
	binary.BigEndian.PutUint32(h[23:], uint32(lastDelta))
	binary.BigEndian.PutUint64(h[27:], uint64(b.FirstTimestamp))
	binary.BigEndian.PutUint64(h[35:], uint64(b.MaxTimestamp))
	binary.BigEndian.PutUint64(h[43:], uint64(b.ProducerID))
	binary.BigEndian.PutUint16(h[51:], uint16(b.ProducerEpoch))
	binary.BigEndian.PutUint32(h[53:], uint32(b.BaseSequence))
	binary.BigEndian.PutUint32(h[57:], uint32(len(records)))
	binary.BigEndian.PutUint32(h[17:], crc32c.Checksum(h[v2CRCStart:]))
	return dst, nil
}

// appendV2Record appends one record of a v2 batch.
func appendV2Record(dst []byte, r *Record, offsetDelta, tsDelta int64) []byte {
	n := 1 + varintLen(tsDelta) + varintLen(offsetDelta) +
		lenBytesSize(r.Key) + lenBytesSize(r.Value) + varintLen(int64(len(r.Headers)))
	for _, h := range r.Headers {
		n += lenBytesSize(h.Key) + lenBytesSize(h.Value)
	}
	dst = appendVarint(dst, int64(n))
	dst = append(dst, 0) // attributes
	dst = appendVarint(dst, tsDelta)
	dst = appendVarint(dst, offsetDelta)
	dst = appendLenBytes(dst, r.Key)
	dst = appendLenBytes(dst, r.Value)
	dst = appendVarint(dst, int64(len(r.Headers)))
	for _, h := range r.Headers {
		key := h.Key
		if key == nil {
			key = []byte{} // a header key is never null
		}
		dst = appendLenBytes(dst, key)
		dst = appendLenBytes(dst, h.Value)
	}
	return dst
}

func lenBytesSize(b []byte) int {
	if b == nil {
		return 1
	}
	return varintLen(int64(len(b))) + len(b)
}

func appendLenBytes(dst, b []byte) []byte {
	if b == nil {
		return appendVarint(dst, -1)
	}
	return append(appendVarint(dst, int64(len(b))), b...)
}

func appendLegacy(dst []byte, b *Batch, records []Record, codec Codec) ([]byte, error) {
	for i := range records {
		if len(records[i].Headers) > 0 {
			return dst, fmt.Errorf("record: magic %d cannot carry headers", b.Magic)
		}
	}
	attrs := int8(b.Attributes&^attrCodecMask) & 0x0f
	if b.Magic == 0 {
		attrs = 0
	}
	if codec == CodecNone {
		for i := range records {
			r := &records[i]
			dst = appendMessage(dst, b.Magic, attrs, r.Offset, r.Timestamp, r.Key, r.Value)
		}
		return dst, nil
	}
	if len(records) == 0 {
		return dst, errors.New("record: a compressed message set needs a record")
	}
	var inner []byte
	for i := range records {
		r := &records[i]
		off := r.Offset
		if b.Magic == 1 {
			off -= records[0].Offset
		}
		inner = appendMessage(inner, b.Magic, 0, off, r.Timestamp, r.Key, r.Value)
	}
	value, err := compress(nil, codec, inner, b.Magic == 0)
	if err != nil {
		return dst, err
	}
	return appendMessage(dst, b.Magic, attrs|int8(codec), records[len(records)-1].Offset, b.MaxTimestamp, nil, value), nil
}

// appendMessage appends one message of a legacy message set.
func appendMessage(dst []byte, magic, attrs int8, offset, timestamp int64, key, value []byte) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint64(dst, uint64(offset))
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0) // size, crc
	dst = append(dst, byte(magic), byte(attrs))
	if magic == 1 {
		dst = binary.BigEndian.AppendUint64(dst, uint64(timestamp))
	}
	dst = appendInt32Bytes(dst, key)
	dst = appendInt32Bytes(dst, value)
	m := dst[start:]
	binary.BigEndian.PutUint32(m[8:], uint32(len(m)-logOverhead))
	binary.BigEndian.PutUint32(m[12:], crc32.ChecksumIEEE(m[16:]))
	return dst
}

func appendInt32Bytes(dst, b []byte) []byte {
	if b == nil {
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32)
	}
	return append(binary.BigEndian.AppendUint32(dst, uint32(len(b))), b...)
}

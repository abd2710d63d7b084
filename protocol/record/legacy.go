package record

import (
	"encoding/binary"
	"hash/crc32"
)

// Message sets of magic 0 and 1 (the legacy format, KIP-32): each message is
// offset int64, size int32, crc uint32 (IEEE, over magic..end), magic int8,
// attributes int8, timestamp int64 (magic 1 only), key and value (int32
// length, -1 = null). A compressed message (a wrapper) holds a whole inner
// message set as its value: with absolute offsets under magic 0, with
// offsets relative to the first under magic 1, where the wrapper's offset is
// that of the last inner message.

// legacyMsg is one message of a legacy message set.
type legacyMsg struct {
	offset     int64
	magic      int8
	attributes int8
	timestamp  int64 // -1 for magic 0
	key, value []byte
}

// parseLegacy reads the message b (complete, from its offset field to its
// end, as NextBatch cut it) and checks its CRC when asked. It returns a
// reason when the message is corrupt.
func parseLegacy(b []byte, checkCRC bool) (m legacyMsg, reason string) {
	m.offset = int64(binary.BigEndian.Uint64(b))
	m.magic = int8(b[16])
	m.attributes = int8(b[17])
	m.timestamp = -1
	i := 18
	if m.magic == 1 {
		if len(b) < 8+logOverhead+minMessageSize {
			return m, "message too short for magic 1"
		}
		m.timestamp = int64(binary.BigEndian.Uint64(b[i:]))
		i += 8
	}
	if checkCRC {
		if got, want := crc32.ChecksumIEEE(b[16:]), binary.BigEndian.Uint32(b[12:]); got != want {
			return m, "crc-32 mismatch"
		}
	}
	m.key, i = int32Bytes(b, i)
	m.value, i = int32Bytes(b, i)
	if i != len(b) {
		return m, "bad key or value length"
	}
	return m, ""
}

// int32Bytes reads bytes with an int32 length at b[i:] (-1 = null).
func int32Bytes(b []byte, i int) ([]byte, int) {
	if i < 0 || len(b)-i < 4 {
		return nil, -1
	}
	n := int32(binary.BigEndian.Uint32(b[i:]))
	i += 4
	if n == -1 {
		return nil, i
	}
	if n < 0 || int(n) > len(b)-i {
		return nil, -1
	}
	j := i + int(n)
	return b[i:j:j], j
}

// startLegacy reads the magic 0/1 message b; a compressed one (a wrapper)
// is decompressed and its inner messages checked and made current.
func (d *Decoder) startLegacy(b []byte) bool {
	bt := &d.batch
	bt.Magic = int8(b[16])
	bt.BaseOffset = int64(binary.BigEndian.Uint64(b))
	bt.Attributes = 0
	m, reason := parseLegacy(b, !d.opts.SkipCRC)
	bt.Attributes = int16(uint8(m.attributes))
	if reason != "" {
		return d.corruptf("%s", reason)
	}
	*bt = Batch{
		BaseOffset:           m.offset,
		LastOffset:           m.offset,
		PartitionLeaderEpoch: -1,
		Magic:                m.magic,
		Attributes:           bt.Attributes,
		FirstTimestamp:       m.timestamp,
		MaxTimestamp:         m.timestamp,
		ProducerID:           -1,
		ProducerEpoch:        -1,
		BaseSequence:         -1,
		NumRecords:           1,
	}
	d.offsetDelta, d.forceTS, d.timestamp = 0, false, 0
	codec := bt.Codec()
	if codec == CodecNone {
		d.kind, d.recs, d.off, d.left = kindLegacy, b, 0, 1
		return true
	}
	if !codec.valid() {
		return d.fail(ErrUnsupportedCodec, "codec bits "+codec.String())
	}
	if m.value == nil {
		return d.corruptf("compressed message with a null value")
	}
	var kind error
	d.buf, kind, reason = decompress(d.buf[:0], codec, m.value, d.limit, m.magic == 0, !d.opts.SkipCRC)
	if kind != nil {
		return d.fail(kind, reason)
	}
	// Check every inner message now: a v1 wrapper's offsets depend on the
	// last one, and an error is better reported before the first record.
	inner := d.buf
	var n int32
	var first, last legacyMsg
	for off := 0; off < len(inner); {
		rest := inner[off:]
		if len(rest) < logOverhead+minMessageSize {
			return d.corruptf("inner message %d: %d bytes left, too short for a message", n, len(rest))
		}
		size := int32(binary.BigEndian.Uint32(rest[8:]))
		if size < minMessageSize || int64(size) > int64(len(rest)-logOverhead) {
			return d.corruptf("inner message %d: size %d with %d bytes left", n, size, len(rest)-logOverhead)
		}
		im, reason := parseLegacy(rest[:logOverhead+int(size)], !d.opts.SkipCRC)
		switch {
		case reason != "":
			return d.corruptf("inner message %d: %s", n, reason)
		case im.magic != m.magic:
			return d.corruptf("inner message %d: magic %d in a wrapper of magic %d", n, im.magic, m.magic)
		case im.attributes&attrCodecMask != 0:
			return d.corruptf("inner message %d: compressed inside a compressed message", n)
		}
		if n == 0 {
			first = im
		}
		last = im
		n++
		off += logOverhead + int(size)
	}
	if n == 0 {
		return d.corruptf("compressed message with no inner messages")
	}
	if m.magic == 1 {
		d.offsetDelta = m.offset - last.offset
		if d.offsetDelta < 0 {
			return d.corruptf("last inner offset %d is past the wrapper's", last.offset)
		}
		if bt.LogAppendTime() {
			d.forceTS, d.timestamp = true, m.timestamp
		} else {
			bt.FirstTimestamp = first.timestamp
		}
	}
	bt.BaseOffset = first.offset + d.offsetDelta
	bt.LastOffset = last.offset + d.offsetDelta
	bt.NumRecords = n
	d.kind, d.recs, d.off, d.left = kindLegacy, inner, 0, n
	return true
}

// nextLegacy yields the message at d.off, checked by startLegacy.
func (d *Decoder) nextLegacy() bool {
	rest := d.recs[d.off:]
	size := int(binary.BigEndian.Uint32(rest[8:]))
	m, _ := parseLegacy(rest[:logOverhead+size], false)
	r := &d.rec
	r.Offset = m.offset + d.offsetDelta
	r.Timestamp = m.timestamp
	if d.forceTS {
		r.Timestamp = d.timestamp
	}
	r.Key, r.Value, r.Headers = m.key, m.value, nil
	d.off += logOverhead + size
	d.left--
	return true
}

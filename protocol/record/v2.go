package record

import (
	"encoding/binary"

	"github.com/rawkafka/rawkafka/internal/crc32c"
)

// Record batch v2 (magic 2, KIP-98): the fixed header, then the records,
// compressed together when the codec is set.
const (
	v2HeaderSize = 61 // through records_count
	v2CRCStart   = 21 // the CRC covers attributes..end
	v2MinRecord  = 7  // length, attributes, timestamp delta, offset delta, key, value, header count: a byte each
)

// startV2 reads the header of the v2 batch b (complete, from its base
// offset to its end) and makes its records current.
func (d *Decoder) startV2(b []byte) bool {
	bt := &d.batch
	bt.BaseOffset = int64(binary.BigEndian.Uint64(b))
	bt.Magic = 2
	bt.Attributes = 0
	if len(b) < v2HeaderSize {
		return d.corruptf("batch length %d is below the v2 header's %d", len(b)-logOverhead, v2HeaderSize-logOverhead)
	}
	bt.PartitionLeaderEpoch = int32(binary.BigEndian.Uint32(b[12:]))
	crc := binary.BigEndian.Uint32(b[17:])
	bt.Attributes = int16(binary.BigEndian.Uint16(b[21:]))
	lastDelta := int32(binary.BigEndian.Uint32(b[23:]))
	bt.LastOffset = bt.BaseOffset + int64(lastDelta)
	bt.FirstTimestamp = int64(binary.BigEndian.Uint64(b[27:]))
	bt.MaxTimestamp = int64(binary.BigEndian.Uint64(b[35:]))
	bt.ProducerID = int64(binary.BigEndian.Uint64(b[43:]))
	bt.ProducerEpoch = int16(binary.BigEndian.Uint16(b[51:]))
	bt.BaseSequence = int32(binary.BigEndian.Uint32(b[53:]))
	bt.NumRecords = int32(binary.BigEndian.Uint32(b[57:]))
	if !d.opts.SkipCRC {
		if got := crc32c.Checksum(b[v2CRCStart:]); got != crc {
			return d.corruptf("crc-32c is %08x, the batch says %08x", got, crc)
		}
	}
	if bt.NumRecords < 0 {
		return d.corruptf("negative record count %d", bt.NumRecords)
	}
	recs := b[v2HeaderSize:]
	if codec := bt.Codec(); codec != CodecNone {
		var kind error
		var reason string
		d.buf, kind, reason = decompress(d.buf[:0], codec, recs, d.limit, false, !d.opts.SkipCRC)
		if kind != nil {
			return d.fail(kind, reason)
		}
		recs = d.buf
	}
	if int64(bt.NumRecords) > int64(len(recs)/v2MinRecord) {
		return d.corruptf("%d records cannot fit in %d bytes", bt.NumRecords, len(recs))
	}
	d.kind = kindV2
	d.recs = recs
	d.off = 0
	d.left = bt.NumRecords
	return true
}

// nextV2 reads the record at d.off. The fields are read from the whole
// records buffer and then required to end exactly where the record's length
// says, which keeps every read in bounds and catches fields that spill over.
//
// This is the hot path: the varints of one and two bytes (nearly all of
// them) are read inline, written out for each field because a helper that
// does so is too large for the compiler to inline; longer ones go to
// uvarintSlow.
func (d *Decoder) nextV2() bool {
	b := d.recs
	i := d.off
	var x uint64
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	length := zigzag(x)
	if length < v2MinRecord-1 || length > int64(len(b)-i) {
		return d.corruptf("record %d: bad length", d.batch.NumRecords-d.left)
	}
	end := i + int(length)
	i++ // attributes: unused
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	tsDelta := zigzag(x)
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	offDelta := zigzag(x)
	r := &d.rec
	r.Offset = d.batch.BaseOffset + offDelta
	r.Timestamp = d.batch.FirstTimestamp + tsDelta
	if d.batch.Attributes&attrLogAppendTime != 0 {
		r.Timestamp = d.batch.MaxTimestamp
	}
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	if n := zigzag(x); i <= end && uint64(n) <= uint64(end-i) {
		j := i + int(n)
		r.Key, i = b[i:j:j], j
	} else if r.Key = nil; n != -1 {
		i = bad
	}
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	if n := zigzag(x); i <= end && uint64(n) <= uint64(end-i) {
		j := i + int(n)
		r.Value, i = b[i:j:j], j
	} else if r.Value = nil; n != -1 {
		i = bad
	}
	if i+1 < len(b) && b[i] < 0x80 {
		x = uint64(b[i])
		i++
	} else if i+1 < len(b) && b[i+1] < 0x80 {
		x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
		i += 2
	} else {
		x, i = uvarintSlow(b, i)
	}
	r.Headers = nil
	if x != 0 {
		i = d.headers(b, i, end, zigzag(x))
	}
	if i != end || offDelta != int64(int32(offDelta)) {
		return d.corruptf("record %d: bad key, value or headers", d.batch.NumRecords-d.left)
	}
	d.off = end
	d.left--
	return true
}

// headers reads n headers at b[i:end] into d.hdrs and points
// d.rec.Headers at them. Like nextV2, it reads short varints inline.
func (d *Decoder) headers(b []byte, i, end int, n int64) int {
	if i > end || n < 0 || n > int64(end-i)>>1 {
		return bad
	}
	hdrs := d.hdrs
	start := len(hdrs)
	if free := cap(hdrs) - start; int64(free) < n {
		hdrs = append(hdrs, make([]Header, n)...)[:start]
	}
	var x uint64
	for ; n > 0; n-- {
		hdrs = hdrs[:len(hdrs)+1]
		h := &hdrs[len(hdrs)-1]
		if i+1 < len(b) && b[i] < 0x80 {
			x = uint64(b[i])
			i++
		} else if i+1 < len(b) && b[i+1] < 0x80 {
			x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
			i += 2
		} else {
			x, i = uvarintSlow(b, i)
		}
		if k := zigzag(x); i <= end && uint64(k) <= uint64(end-i) {
			j := i + int(k)
			h.Key, i = b[i:j:j], j
		} else {
			return bad // a header key is never null
		}
		if i+1 < len(b) && b[i] < 0x80 {
			x = uint64(b[i])
			i++
		} else if i+1 < len(b) && b[i+1] < 0x80 {
			x = uint64(b[i]&0x7f) | uint64(b[i+1])<<7
			i += 2
		} else {
			x, i = uvarintSlow(b, i)
		}
		if k := zigzag(x); i <= end && uint64(k) <= uint64(end-i) {
			j := i + int(k)
			h.Value, i = b[i:j:j], j
		} else if h.Value = nil; k != -1 {
			return bad
		}
	}
	d.hdrs = hdrs
	d.rec.Headers = hdrs[start:len(hdrs):len(hdrs)]
	return i
}

package protocol

import (
	"encoding/binary"
	"math"
	"sort"
)

// Writer appends Kafka primitives to a byte slice. Like Reader, its Flexible
// flag selects compact or fixed-width lengths and whether tagged-field
// sections are written. A Writer cannot fail: encoders check values that a
// version cannot carry before they write.
type Writer struct {
	// B is the output so far; encoders return it.
	B []byte
	// Flexible is true while encoding a flexible version of a message.
	Flexible bool
}

// NewWriter returns a Writer appending to dst.
func NewWriter(dst []byte, flexible bool) Writer { return Writer{B: dst, Flexible: flexible} }

// Int8 appends a signed byte.
func (w *Writer) Int8(v int8) { w.B = append(w.B, byte(v)) }

// Bool appends a boolean as 0 or 1.
func (w *Writer) Bool(v bool) {
	if v {
		w.B = append(w.B, 1)
	} else {
		w.B = append(w.B, 0)
	}
}

// Int16 appends a big-endian int16.
func (w *Writer) Int16(v int16) { w.B = binary.BigEndian.AppendUint16(w.B, uint16(v)) }

// Uint16 appends a big-endian uint16.
func (w *Writer) Uint16(v uint16) { w.B = binary.BigEndian.AppendUint16(w.B, v) }

// Int32 appends a big-endian int32.
func (w *Writer) Int32(v int32) { w.B = binary.BigEndian.AppendUint32(w.B, uint32(v)) }

// Uint32 appends a big-endian uint32.
func (w *Writer) Uint32(v uint32) { w.B = binary.BigEndian.AppendUint32(w.B, v) }

// Int64 appends a big-endian int64.
func (w *Writer) Int64(v int64) { w.B = binary.BigEndian.AppendUint64(w.B, uint64(v)) }

// Float64 appends a big-endian IEEE 754 double.
func (w *Writer) Float64(v float64) { w.Int64(int64(math.Float64bits(v))) }

// UUID appends a 16-byte UUID.
func (w *Writer) UUID(u UUID) { w.B = append(w.B, u[:]...) }

// Uvarint appends an unsigned varint.
func (w *Writer) Uvarint(v uint32) { w.B = binary.AppendUvarint(w.B, uint64(v)) }

// Uvarlong appends an unsigned 64-bit varint.
func (w *Writer) Uvarlong(v uint64) { w.B = binary.AppendUvarint(w.B, v) }

// Varint appends a zigzag-encoded signed varint.
func (w *Writer) Varint(v int32) { w.B = binary.AppendVarint(w.B, int64(v)) }

// Varlong appends a zigzag-encoded signed 64-bit varint.
func (w *Writer) Varlong(v int64) { w.B = binary.AppendVarint(w.B, v) }

// length appends a length in the Writer's encoding; n == -1 is null.
func (w *Writer) length(n int, wide bool) {
	switch {
	case w.Flexible:
		w.Uvarint(uint32(n + 1))
	case wide:
		w.Int32(int32(n))
	default:
		w.Int16(int16(n))
	}
}

// String appends a non-nullable string.
func (w *Writer) String(s string) {
	w.length(len(s), false)
	w.B = append(w.B, s...)
}

// NullableString appends a nullable string; nil is null.
func (w *Writer) NullableString(s *string) {
	if s == nil {
		w.length(-1, false)
		return
	}
	w.String(*s)
}

// Bytes appends non-nullable bytes; nil is written as empty.
func (w *Writer) Bytes(b []byte) {
	w.length(len(b), true)
	w.B = append(w.B, b...)
}

// NullableBytes appends nullable bytes; nil is null.
func (w *Writer) NullableBytes(b []byte) {
	if b == nil {
		w.length(-1, true)
		return
	}
	w.Bytes(b)
}

// Raw appends b as it is.
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }

// ArrayLen appends the length of a non-nullable array.
func (w *Writer) ArrayLen(n int) { w.length(n, true) }

// NullableArrayLen appends the length of a nullable array; null selects -1.
func (w *Writer) NullableArrayLen(n int, null bool) {
	if null {
		w.length(-1, true)
		return
	}
	w.length(n, true)
}

// Int32Array appends a non-nullable array of int32.
func (w *Writer) Int32Array(a []int32) {
	w.ArrayLen(len(a))
	for _, v := range a {
		w.Int32(v)
	}
}

// NullableInt32Array appends a nullable array of int32; nil is null.
func (w *Writer) NullableInt32Array(a []int32) {
	w.NullableArrayLen(len(a), a == nil)
	for _, v := range a {
		w.Int32(v)
	}
}

// StringArray appends a non-nullable array of strings.
func (w *Writer) StringArray(a []string) {
	w.ArrayLen(len(a))
	for _, s := range a {
		w.String(s)
	}
}

// NullableStringArray appends a nullable array of strings; nil is null.
func (w *Writer) NullableStringArray(a []string) {
	w.NullableArrayLen(len(a), a == nil)
	for _, s := range a {
		w.String(s)
	}
}

// Tags appends a tagged-field section holding the given fields (sorted by
// tag as the protocol requires). It writes nothing when the Writer is not
// flexible.
func (w *Writer) Tags(unknown TaggedFields) {
	if !w.Flexible {
		return
	}
	w.Uvarint(uint32(len(unknown)))
	for _, f := range unknown {
		w.Tag(f.Tag, f.Data)
	}
}

// TagsWith appends a tagged-field section that merges known fields (already
// encoded, see TaggedField) with unknown ones kept from decoding, in tag order.
func (w *Writer) TagsWith(unknown TaggedFields, known ...TaggedField) {
	if !w.Flexible {
		return
	}
	if len(known) == 0 {
		w.Tags(unknown)
		return
	}
	all := make(TaggedFields, 0, len(known)+len(unknown))
	all = append(append(all, known...), unknown...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Tag < all[j].Tag })
	w.Tags(all)
}

// Tag appends one tagged field.
func (w *Writer) Tag(tag uint32, data []byte) {
	w.Uvarint(tag)
	w.Uvarint(uint32(len(data)))
	w.B = append(w.B, data...)
}

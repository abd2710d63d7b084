package protocol

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Reader decodes Kafka primitives from a byte slice with a sticky error:
// the first read that runs past the end or meets an impossible length marks
// the Reader failed, and every later read returns a zero value. Decoders read
// every field in wire order and check Err (or call Finish) once at the end.
//
// A Reader never panics and never allocates more than the remaining bytes
// justify: every length is checked against what is left before it is used.
//
// Flexible selects the encoding of strings, bytes and arrays: compact
// (unsigned varint length+1) in flexible versions, fixed-width otherwise.
// Tagged-field sections are only present when Flexible is set.
//
// Slices returned by Bytes, NullableBytes and tagged fields point into the
// buffer given to NewReader; strings are copies.
type Reader struct {
	buf []byte
	off int
	err *DecodeError

	// Flexible is true while decoding a flexible version of a message.
	Flexible bool
}

// NewReader returns a Reader over b.
func NewReader(b []byte, flexible bool) Reader {
	return Reader{buf: b, Flexible: flexible}
}

// DecodeError says where and why decoding failed.
type DecodeError struct {
	API     string // the message being decoded, e.g. "MetadataResponse"; empty if unknown
	Version int16  // its version
	Field   string // the field being read when decoding failed
	Offset  int    // byte offset of that field in the input
	Reason  string
}

// Error describes the DecodeError.
func (e *DecodeError) Error() string {
	if e.API != "" {
		return fmt.Sprintf("protocol: decode %s v%d: field %s at byte %d: %s", e.API, e.Version, e.Field, e.Offset, e.Reason)
	}
	return fmt.Sprintf("protocol: decode field %s at byte %d: %s", e.Field, e.Offset, e.Reason)
}

// Err returns the first decoding failure, or nil.
func (r *Reader) Err() error {
	if r.err == nil {
		return nil
	}
	return r.err
}

// Fail marks the Reader failed (if it is not already) with a reason naming
// field, as a decoder does for a value that is well-formed but invalid.
func (r *Reader) Fail(field, reason string) {
	if r.err == nil {
		r.err = &DecodeError{Field: field, Offset: r.off, Reason: reason}
		r.off = len(r.buf)
	}
}

// Finish ends a top-level decode: it fails on unread trailing bytes and labels
// any error with the message name and version.
func (r *Reader) Finish(api string, version int16) error {
	if r.err == nil && r.off != len(r.buf) {
		r.Fail("(end)", fmt.Sprintf("%d unexpected trailing bytes", len(r.buf)-r.off))
	}
	if r.err == nil {
		return nil
	}
	r.err.API, r.err.Version = api, version
	return r.err
}

// Remaining returns the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.buf) - r.off }

// Offset returns the number of bytes read so far.
func (r *Reader) Offset() int { return r.off }

func (r *Reader) need(field string, n int) bool {
	if r.err != nil {
		return false
	}
	if n > len(r.buf)-r.off {
		r.Fail(field, fmt.Sprintf("need %d bytes, %d left", n, len(r.buf)-r.off))
		return false
	}
	return true
}

// Int8 reads a signed byte.
func (r *Reader) Int8(field string) int8 {
	if !r.need(field, 1) {
		return 0
	}
	v := r.buf[r.off]
	r.off++
	return int8(v)
}

// Bool reads a boolean byte; any non-zero value is true.
func (r *Reader) Bool(field string) bool { return r.Int8(field) != 0 }

// Int16 reads a big-endian int16.
func (r *Reader) Int16(field string) int16 {
	if !r.need(field, 2) {
		return 0
	}
	v := binary.BigEndian.Uint16(r.buf[r.off:])
	r.off += 2
	return int16(v)
}

// Uint16 reads a big-endian uint16.
func (r *Reader) Uint16(field string) uint16 { return uint16(r.Int16(field)) }

// Int32 reads a big-endian int32.
func (r *Reader) Int32(field string) int32 {
	if !r.need(field, 4) {
		return 0
	}
	v := binary.BigEndian.Uint32(r.buf[r.off:])
	r.off += 4
	return int32(v)
}

// Uint32 reads a big-endian uint32.
func (r *Reader) Uint32(field string) uint32 { return uint32(r.Int32(field)) }

// Int64 reads a big-endian int64.
func (r *Reader) Int64(field string) int64 {
	if !r.need(field, 8) {
		return 0
	}
	v := binary.BigEndian.Uint64(r.buf[r.off:])
	r.off += 8
	return int64(v)
}

// Float64 reads a big-endian IEEE 754 double.
func (r *Reader) Float64(field string) float64 {
	return math.Float64frombits(uint64(r.Int64(field)))
}

// UUID reads a 16-byte UUID.
func (r *Reader) UUID(field string) UUID {
	var u UUID
	if r.need(field, 16) {
		copy(u[:], r.buf[r.off:])
		r.off += 16
	}
	return u
}

// Uvarint reads an unsigned varint of at most 32 bits.
func (r *Reader) Uvarint(field string) uint32 {
	v := r.Uvarlong(field)
	if v > math.MaxUint32 {
		r.Fail(field, "unsigned varint overflows 32 bits")
		return 0
	}
	return uint32(v)
}

// Uvarlong reads an unsigned varint of at most 64 bits.
func (r *Reader) Uvarlong(field string) uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < 10; i++ {
		if r.off >= len(r.buf) {
			r.Fail(field, "truncated varint")
			return 0
		}
		b := r.buf[r.off]
		r.off++
		if i == 9 && b > 1 {
			break
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v
		}
	}
	r.Fail(field, "varint overflows 64 bits")
	return 0
}

// Varint reads a zigzag-encoded signed varint of at most 32 bits.
func (r *Reader) Varint(field string) int32 {
	v := r.Varlong(field)
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.Fail(field, "varint overflows 32 bits")
		return 0
	}
	return int32(v)
}

// Varlong reads a zigzag-encoded signed varint of at most 64 bits.
func (r *Reader) Varlong(field string) int64 {
	u := r.Uvarlong(field)
	return int64(u>>1) ^ -int64(u&1)
}

// length reads a string, bytes or array length in the Reader's encoding:
// -1 means null. wide selects an int32 (bytes, arrays) rather than int16
// (strings) length in non-flexible versions.
func (r *Reader) length(field string, wide bool) int {
	if r.Flexible {
		n := r.Uvarint(field)
		return int(n) - 1
	}
	if wide {
		return int(r.Int32(field))
	}
	return int(r.Int16(field))
}

// span returns the next n bytes, checking n against what is left.
func (r *Reader) span(field string, n int) []byte {
	if n < 0 {
		r.Fail(field, fmt.Sprintf("invalid length %d", n))
		return nil
	}
	if !r.need(field, n) {
		return nil
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

// String reads a non-nullable string.
func (r *Reader) String(field string) string { return string(r.stringSpan(field)) }

// stringSpan reads a non-nullable string and returns its bytes, pointing
// into the Reader's buffer.
func (r *Reader) stringSpan(field string) []byte {
	n := r.length(field, false)
	if n == -1 && r.err == nil {
		r.Fail(field, "null for a non-nullable string")
		return nil
	}
	return r.span(field, n)
}

// NullableString reads a nullable string; null is nil.
func (r *Reader) NullableString(field string) *string {
	n := r.length(field, false)
	if n == -1 || r.err != nil {
		return nil
	}
	s := string(r.span(field, n))
	if r.err != nil {
		return nil
	}
	return &s
}

// Bytes reads non-nullable bytes. The result points into the Reader's buffer.
func (r *Reader) Bytes(field string) []byte {
	n := r.length(field, true)
	if n == -1 && r.err == nil {
		r.Fail(field, "null for non-nullable bytes")
		return nil
	}
	return r.span(field, n)
}

// NullableBytes reads nullable bytes; null is nil, empty is a non-nil empty
// slice. The result points into the Reader's buffer.
func (r *Reader) NullableBytes(field string) []byte {
	n := r.length(field, true)
	if n == -1 || r.err != nil {
		return nil
	}
	return r.span(field, n)
}

// Raw returns the next n bytes as they are. The result points into the
// Reader's buffer.
func (r *Reader) Raw(field string, n int) []byte { return r.span(field, n) }

// ArrayLen reads the length of a non-nullable array whose elements take at
// least minSize bytes each, rejecting a count the remaining bytes cannot hold.
func (r *Reader) ArrayLen(field string, minSize int) int {
	n := r.NullableArrayLen(field, minSize)
	if n == -1 && r.err == nil {
		r.Fail(field, "null for a non-nullable array")
	}
	if n < 0 {
		return 0
	}
	return n
}

// NullableArrayLen reads the length of a nullable array, -1 for null; see
// ArrayLen.
func (r *Reader) NullableArrayLen(field string, minSize int) int {
	n := r.length(field, true)
	if r.err != nil {
		return 0
	}
	if n < -1 {
		r.Fail(field, fmt.Sprintf("invalid array length %d", n))
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if n > 0 && n > r.Remaining()/minSize {
		r.Fail(field, fmt.Sprintf("array length %d exceeds the %d bytes left", n, r.Remaining()))
		return 0
	}
	return n
}

// Int32Array reads a non-nullable array of int32.
func (r *Reader) Int32Array(field string) []int32 {
	n := r.ArrayLen(field, 4)
	if r.err != nil {
		return nil
	}
	a := make([]int32, n)
	for i := range a {
		a[i] = r.Int32(field)
	}
	return a
}

// NullableInt32Array reads a nullable array of int32; null is nil.
func (r *Reader) NullableInt32Array(field string) []int32 {
	n := r.NullableArrayLen(field, 4)
	if n < 0 || r.err != nil {
		return nil
	}
	a := make([]int32, n)
	for i := range a {
		a[i] = r.Int32(field)
	}
	return a
}

// StringArray reads a non-nullable array of non-nullable strings.
func (r *Reader) StringArray(field string) []string {
	n := r.ArrayLen(field, 1)
	if r.err != nil {
		return nil
	}
	a := make([]string, n)
	for i := range a {
		a[i] = r.String(field)
	}
	return a
}

// NullableStringArray reads a nullable array of strings; null is nil.
func (r *Reader) NullableStringArray(field string) []string {
	n := r.NullableArrayLen(field, 1)
	if n < 0 || r.err != nil {
		return nil
	}
	a := make([]string, n)
	for i := range a {
		a[i] = r.String(field)
	}
	return a
}

// Tags reads a tagged-field section and keeps every field as unknown. It
// reads nothing when the Reader is not flexible.
func (r *Reader) Tags(field string) TaggedFields {
	var tags TaggedFields
	for n := r.TagCount(field); n > 0 && r.err == nil; n-- {
		tag, data := r.Tag(field)
		tags = append(tags, TaggedField{Tag: tag, Data: data})
	}
	return tags
}

// TagCount reads the number of fields in a tagged-field section, or returns 0
// when the Reader is not flexible. Decoders of messages with known tagged
// fields loop over Tag this many times.
func (r *Reader) TagCount(field string) int {
	if !r.Flexible {
		return 0
	}
	n := int(r.Uvarint(field))
	if n > r.Remaining()/2 { // a tag and a length take at least a byte each
		r.Fail(field, fmt.Sprintf("tagged field count %d exceeds the %d bytes left", n, r.Remaining()))
		return 0
	}
	return n
}

// Tag reads one tagged field: its tag and its raw data, which points into the
// Reader's buffer. A decoder reads known tags' data with SubReader.
func (r *Reader) Tag(field string) (uint32, []byte) {
	tag := r.Uvarint(field)
	n := r.Uvarint(field)
	if n > math.MaxInt32 {
		r.Fail(field, "tagged field too long")
		return 0, nil
	}
	return tag, r.span(field, int(n))
}

// SubReader returns a Reader over b with this Reader's encoding, for the data
// of a known tagged field.
func (r *Reader) SubReader(b []byte) Reader { return Reader{buf: b, Flexible: r.Flexible} }

// Absorb carries a failure of sub, a SubReader, into r.
func (r *Reader) Absorb(sub *Reader) {
	if sub.err != nil && r.err == nil {
		r.err = sub.err
		r.off = len(r.buf)
	}
}

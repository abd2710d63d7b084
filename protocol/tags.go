package protocol

import (
	"encoding/base64"
)

// TaggedField is one field of a tagged-field section (KIP-482): its tag and
// its encoded data. Decoders keep the fields they do not know so that
// re-encoding a message reproduces the bytes it was decoded from.
type TaggedField struct {
	Tag  uint32
	Data []byte
}

// TaggedFields is a tagged-field section's unknown fields, in tag order.
type TaggedFields []TaggedField

// EncodeTag encodes a known tagged field's value with fn into a TaggedField,
// for Writer.TagsWith. Tagged fields always use the flexible encoding.
func EncodeTag(tag uint32, fn func(w *Writer)) TaggedField {
	w := NewWriter(nil, true)
	fn(&w)
	return TaggedField{Tag: tag, Data: w.B}
}

// UUID is a Kafka UUID, as used for topic ids.
type UUID [16]byte

// String returns the UUID in Kafka's URL-safe base64 form without padding.
func (u UUID) String() string { return base64.RawURLEncoding.EncodeToString(u[:]) }

// IsZero reports whether u is the all-zero UUID Kafka uses for "no id".
func (u UUID) IsZero() bool { return u == UUID{} }

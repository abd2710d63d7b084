package protocol

// Message is the body of a Kafka request or response: a struct whose Version
// field selects the wire layout.
//
// Encode appends the body in the layout of its version to dst. Decode reads a
// body of that version from src (set the version first) and replaces every
// other field, so a message can be decoded into again and keeps nothing of
// its last use (TestDecodeResets checks every message of the registry); the
// decoded message may keep slices that point into src, as each message's doc
// comment says.
type Message interface {
	Key() APIKey
	APIVersion() int16
	SetAPIVersion(v int16)
	Encode(dst []byte) ([]byte, error)
	Decode(src []byte) error
}

// Request is a Message sent by a client.
type Request interface {
	Message
	// NewResponse returns an empty response of the same version, ready to
	// decode the broker's answer.
	NewResponse() Response
}

// Response is a Message sent by a broker.
type Response interface {
	Message
	// Throttle returns the broker's throttle time in milliseconds, or 0 for
	// versions that carry none.
	Throttle() int32
}

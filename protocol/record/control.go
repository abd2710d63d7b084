package record

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// ControlType is the type of a control record (the int16 after the version
// in its key): the marker a transaction coordinator writes to end a
// transaction (KIP-98).
type ControlType int16

// The control record types consumers act on; others are ignorable.
const (
	ControlAbort  ControlType = 0
	ControlCommit ControlType = 1
)

// String returns ABORT, COMMIT or CONTROL(n).
func (t ControlType) String() string {
	switch t {
	case ControlAbort:
		return "ABORT"
	case ControlCommit:
		return "COMMIT"
	}
	return "CONTROL(" + strconv.Itoa(int(t)) + ")"
}

// ParseControlKey reads the key of a control record: int16 version, int16
// type. A version above 0 is read the same way (later versions may append
// fields); a negative one, or a key shorter than 4 bytes, is ErrCorrupt.
func ParseControlKey(key []byte) (ControlType, error) {
	if len(key) < 4 {
		return 0, fmt.Errorf("%w: control record key of %d bytes", ErrCorrupt, len(key))
	}
	if v := int16(binary.BigEndian.Uint16(key)); v < 0 {
		return 0, fmt.Errorf("%w: control record key version %d", ErrCorrupt, v)
	}
	return ControlType(binary.BigEndian.Uint16(key[2:])), nil
}

// ControlKey returns the key of a control record of type t (version 0), for
// tests and fixtures.
func ControlKey(t ControlType) []byte {
	return binary.BigEndian.AppendUint16([]byte{0, 0}, uint16(t))
}

// ControlValue returns the value of an end-transaction marker (version 0,
// coordinator epoch), for tests and fixtures.
func ControlValue(coordinatorEpoch int32) []byte {
	return binary.BigEndian.AppendUint32([]byte{0, 0}, uint32(coordinatorEpoch))
}

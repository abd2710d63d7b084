package protocol

import (
	"encoding/binary"
	"fmt"
)

// RequestHeader precedes every request body. Version 1 is used for
// non-flexible requests and version 2 (with tagged fields) for flexible ones;
// in both the client id keeps its int16 length.
type RequestHeader struct {
	APIKey        APIKey
	APIVersion    int16
	CorrelationID int32
	ClientID      *string
	Tags          TaggedFields // v2 only
}

// flexible reports whether the header is version 2.
func (h *RequestHeader) flexible() bool { return h.APIKey.Flexible(h.APIVersion) }

// Encode appends the header to dst.
func (h *RequestHeader) Encode(dst []byte) []byte {
	w := NewWriter(dst, false)
	w.Int16(int16(h.APIKey))
	w.Int16(h.APIVersion)
	w.Int32(h.CorrelationID)
	w.NullableString(h.ClientID) // always int16-length, even in header v2
	if h.flexible() {
		w.Flexible = true
		w.Tags(h.Tags)
	}
	return w.B
}

// Decode reads a header from the start of src and returns the body that
// follows it.
func (h *RequestHeader) Decode(src []byte) ([]byte, error) {
	*h = RequestHeader{}
	r := NewReader(src, false)
	h.APIKey = APIKey(r.Int16("ApiKey"))
	h.APIVersion = r.Int16("ApiVersion")
	h.CorrelationID = r.Int32("CorrelationId")
	h.ClientID = r.NullableString("ClientId")
	if h.flexible() {
		r.Flexible = true
		h.Tags = r.Tags("TaggedFields")
	}
	if err := r.Err(); err != nil {
		err.(*DecodeError).API = "RequestHeader"
		return nil, err
	}
	return src[r.Offset():], nil
}

// ResponseHeaderFlexible reports whether the response to version v of k has
// a version 1 header (with tagged fields). ApiVersions responses always use
// version 0 so that a client can read them whatever it asked for.
func ResponseHeaderFlexible(k APIKey, v int16) bool {
	return k != KeyApiVersions && k.Flexible(v)
}

// AppendRequest appends a whole request frame to dst: the 4-byte size, the
// header (with req's key and version) and the body.
func AppendRequest(dst []byte, correlationID int32, clientID *string, req Message) ([]byte, error) {
	if err := checkVersion(req.Key(), req.APIVersion()); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	h := RequestHeader{APIKey: req.Key(), APIVersion: req.APIVersion(), CorrelationID: correlationID, ClientID: clientID}
	dst = h.Encode(dst)
	dst, err := req.Encode(dst)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst, nil
}

// AppendResponse appends a whole response frame to dst: the 4-byte size, the
// response header and the body. Test brokers and fixture tools use it.
func AppendResponse(dst []byte, correlationID int32, resp Message) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint32(dst, uint32(correlationID))
	if ResponseHeaderFlexible(resp.Key(), resp.APIVersion()) {
		dst = append(dst, 0) // no tagged fields
	}
	dst, err := resp.Encode(dst)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst, nil
}

// ParseResponseHeader reads the header of a response frame (without its size
// prefix) to version v of k and returns the correlation id and the body.
func ParseResponseHeader(frame []byte, k APIKey, v int16) (int32, []byte, error) {
	r := NewReader(frame, false)
	id := r.Int32("CorrelationId")
	if ResponseHeaderFlexible(k, v) {
		r.Flexible = true
		r.Tags("TaggedFields")
	}
	if err := r.Err(); err != nil {
		return 0, nil, fmt.Errorf("protocol: %s v%d response header: %w", k, v, err)
	}
	return id, frame[r.Offset():], nil
}

// PeekCorrelationID returns the correlation id at the start of a response
// frame, before the caller knows which request it answers.
func PeekCorrelationID(frame []byte) (int32, bool) {
	if len(frame) < 4 {
		return 0, false
	}
	return int32(binary.BigEndian.Uint32(frame)), true
}

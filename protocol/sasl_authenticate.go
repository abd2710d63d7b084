package protocol

// SaslAuthenticateRequest carries one SASL token from the client
// (SaslAuthenticate, key 36, v0-2, flexible from v2; KIP-152). It follows a
// SaslHandshake v1. A decoded request's AuthBytes points into src.
type SaslAuthenticateRequest struct {
	Version int16

	AuthBytes []byte
	Tags      TaggedFields
}

// Key returns KeySaslAuthenticate.
func (m *SaslAuthenticateRequest) Key() APIKey { return KeySaslAuthenticate }

// APIVersion returns m.Version.
func (m *SaslAuthenticateRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SaslAuthenticateRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a SaslAuthenticateResponse of the same version.
func (m *SaslAuthenticateRequest) NewResponse() Response {
	return &SaslAuthenticateResponse{Version: m.Version}
}

// Encode appends the request body to dst.
func (m *SaslAuthenticateRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeySaslAuthenticate, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeySaslAuthenticate.Flexible(v))
	w.Bytes(m.AuthBytes)
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *SaslAuthenticateRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySaslAuthenticate, v); err != nil {
		return err
	}
	*m = SaslAuthenticateRequest{Version: v}
	r := NewReader(src, KeySaslAuthenticate.Flexible(v))
	m.AuthBytes = r.Bytes("AuthBytes")
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("SaslAuthenticateRequest", v)
}

// SaslAuthenticateResponse carries the broker's SASL token or the reason
// authentication failed (SaslAuthenticate, key 36, v0-2, flexible from v2;
// KIP-152, KIP-368 for SessionLifetimeMs). A decoded response's AuthBytes
// points into src.
type SaslAuthenticateResponse struct {
	Version int16

	ErrorCode         int16
	ErrorMessage      *string
	AuthBytes         []byte
	SessionLifetimeMs int64 // v1+
	Tags              TaggedFields
}

// Key returns KeySaslAuthenticate.
func (m *SaslAuthenticateResponse) Key() APIKey { return KeySaslAuthenticate }

// APIVersion returns m.Version.
func (m *SaslAuthenticateResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SaslAuthenticateResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns 0: SaslAuthenticate responses carry no throttle time.
func (m *SaslAuthenticateResponse) Throttle() int32 { return 0 }

// Encode appends the response body to dst.
func (m *SaslAuthenticateResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeySaslAuthenticate, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeySaslAuthenticate.Flexible(v))
	w.Int16(m.ErrorCode)
	w.NullableString(m.ErrorMessage)
	w.Bytes(m.AuthBytes)
	if v >= 1 {
		w.Int64(m.SessionLifetimeMs)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *SaslAuthenticateResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySaslAuthenticate, v); err != nil {
		return err
	}
	*m = SaslAuthenticateResponse{Version: v}
	r := NewReader(src, KeySaslAuthenticate.Flexible(v))
	m.ErrorCode = r.Int16("ErrorCode")
	m.ErrorMessage = r.NullableString("ErrorMessage")
	m.AuthBytes = r.Bytes("AuthBytes")
	if v >= 1 {
		m.SessionLifetimeMs = r.Int64("SessionLifetimeMs")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("SaslAuthenticateResponse", v)
}

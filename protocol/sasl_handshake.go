package protocol

// SaslHandshakeRequest names the SASL mechanism a client wants to use
// (SaslHandshake, key 17, v0-1, never flexible; KIP-43, KIP-152). Version 1
// means the SASL exchange that follows is wrapped in SaslAuthenticate
// requests; with version 0 the client sends raw, size-prefixed SASL tokens.
type SaslHandshakeRequest struct {
	Version int16

	Mechanism string
}

// Key returns KeySaslHandshake.
func (m *SaslHandshakeRequest) Key() APIKey { return KeySaslHandshake }

// APIVersion returns m.Version.
func (m *SaslHandshakeRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SaslHandshakeRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a SaslHandshakeResponse of the same version.
func (m *SaslHandshakeRequest) NewResponse() Response {
	return &SaslHandshakeResponse{Version: m.Version}
}

// Encode appends the request body to dst.
func (m *SaslHandshakeRequest) Encode(dst []byte) ([]byte, error) {
	if err := checkVersion(KeySaslHandshake, m.Version); err != nil {
		return dst, err
	}
	w := NewWriter(dst, false)
	w.String(m.Mechanism)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *SaslHandshakeRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySaslHandshake, v); err != nil {
		return err
	}
	*m = SaslHandshakeRequest{Version: v}
	r := NewReader(src, false)
	m.Mechanism = r.String("Mechanism")
	return r.Finish("SaslHandshakeRequest", v)
}

// SaslHandshakeResponse says whether the broker accepts the mechanism and
// lists the mechanisms it has enabled (SaslHandshake, key 17, v0-1).
type SaslHandshakeResponse struct {
	Version int16

	ErrorCode  int16
	Mechanisms []string
}

// Key returns KeySaslHandshake.
func (m *SaslHandshakeResponse) Key() APIKey { return KeySaslHandshake }

// APIVersion returns m.Version.
func (m *SaslHandshakeResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SaslHandshakeResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns 0: SaslHandshake responses carry no throttle time.
func (m *SaslHandshakeResponse) Throttle() int32 { return 0 }

// Encode appends the response body to dst.
func (m *SaslHandshakeResponse) Encode(dst []byte) ([]byte, error) {
	if err := checkVersion(KeySaslHandshake, m.Version); err != nil {
		return dst, err
	}
	w := NewWriter(dst, false)
	w.Int16(m.ErrorCode)
	w.StringArray(m.Mechanisms)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *SaslHandshakeResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySaslHandshake, v); err != nil {
		return err
	}
	*m = SaslHandshakeResponse{Version: v}
	r := NewReader(src, false)
	m.ErrorCode = r.Int16("ErrorCode")
	m.Mechanisms = r.StringArray("Mechanisms")
	return r.Finish("SaslHandshakeResponse", v)
}

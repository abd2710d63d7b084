package protocol

// HeartbeatRequest keeps a classic group member alive between rebalances
// (Heartbeat, key 12, v0-4; KIP-345 static membership v3). Flexible from v4.
type HeartbeatRequest struct {
	Version int16

	GroupId         string
	GenerationId    int32
	MemberId        string
	GroupInstanceId *string // v3+
	Tags            TaggedFields
}

// Key returns KeyHeartbeat.
func (m *HeartbeatRequest) Key() APIKey { return KeyHeartbeat }

// APIVersion returns m.Version.
func (m *HeartbeatRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *HeartbeatRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a HeartbeatResponse of the same version.
func (m *HeartbeatRequest) NewResponse() Response { return &HeartbeatResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails if GroupInstanceId is set
// for a version before 3.
func (m *HeartbeatRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyHeartbeat, v); err != nil {
		return dst, err
	}
	if v < 3 && m.GroupInstanceId != nil {
		return dst, errNotInVersion(KeyHeartbeat, v, "GroupInstanceId")
	}
	w := NewWriter(dst, KeyHeartbeat.Flexible(v))
	w.String(m.GroupId)
	w.Int32(m.GenerationId)
	w.String(m.MemberId)
	if v >= 3 {
		w.NullableString(m.GroupInstanceId)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *HeartbeatRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyHeartbeat, v); err != nil {
		return err
	}
	*m = HeartbeatRequest{Version: v}
	r := NewReader(src, KeyHeartbeat.Flexible(v))
	m.GroupId = r.String("GroupId")
	m.GenerationId = r.Int32("GenerationId")
	m.MemberId = r.String("MemberId")
	if v >= 3 {
		m.GroupInstanceId = r.NullableString("GroupInstanceId")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("HeartbeatRequest", v)
}

// HeartbeatResponse answers a HeartbeatRequest; REBALANCE_IN_PROGRESS tells
// the member to rejoin. Versions as for HeartbeatRequest. Note the order:
// ThrottleTimeMs (v1+) comes before ErrorCode.
type HeartbeatResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	Tags           TaggedFields
}

// Key returns KeyHeartbeat.
func (m *HeartbeatResponse) Key() APIKey { return KeyHeartbeat }

// APIVersion returns m.Version.
func (m *HeartbeatResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *HeartbeatResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *HeartbeatResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *HeartbeatResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyHeartbeat, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyHeartbeat.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.Int16(m.ErrorCode)
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *HeartbeatResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyHeartbeat, v); err != nil {
		return err
	}
	*m = HeartbeatResponse{Version: v}
	r := NewReader(src, KeyHeartbeat.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.ErrorCode = r.Int16("ErrorCode")
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("HeartbeatResponse", v)
}

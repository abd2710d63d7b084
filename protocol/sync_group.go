package protocol

// SyncGroupRequest ends a classic rebalance: the leader sends every member's
// assignment, the others send none and receive theirs (SyncGroup, key 14,
// v0-5; KIP-345 static membership v3, KIP-559 protocol type and name v5).
// Flexible from v4.
//
// After Decode, each Assignment points into src.
type SyncGroupRequest struct {
	Version int16

	GroupId         string
	GenerationId    int32
	MemberId        string
	GroupInstanceId *string // v3+
	ProtocolType    *string // v5+
	ProtocolName    *string // v5+
	Assignments     []SyncGroupRequestAssignment
	Tags            TaggedFields
}

// SyncGroupRequestAssignment is the assignment the leader gives one member
// (for consumers, a ConsumerProtocolAssignment).
type SyncGroupRequestAssignment struct {
	MemberId   string
	Assignment []byte
	Tags       TaggedFields
}

// Key returns KeySyncGroup.
func (m *SyncGroupRequest) Key() APIKey { return KeySyncGroup }

// APIVersion returns m.Version.
func (m *SyncGroupRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SyncGroupRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a SyncGroupResponse of the same version.
func (m *SyncGroupRequest) NewResponse() Response { return &SyncGroupResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails if GroupInstanceId is set
// for a version before 3.
func (m *SyncGroupRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeySyncGroup, v); err != nil {
		return dst, err
	}
	if v < 3 && m.GroupInstanceId != nil {
		return dst, errNotInVersion(KeySyncGroup, v, "GroupInstanceId")
	}
	w := NewWriter(dst, KeySyncGroup.Flexible(v))
	w.String(m.GroupId)
	w.Int32(m.GenerationId)
	w.String(m.MemberId)
	if v >= 3 {
		w.NullableString(m.GroupInstanceId)
	}
	if v >= 5 {
		w.NullableString(m.ProtocolType)
		w.NullableString(m.ProtocolName)
	}
	w.ArrayLen(len(m.Assignments))
	for i := range m.Assignments {
		a := &m.Assignments[i]
		w.String(a.MemberId)
		w.Bytes(a.Assignment)
		w.Tags(a.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *SyncGroupRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySyncGroup, v); err != nil {
		return err
	}
	*m = SyncGroupRequest{Version: v}
	r := NewReader(src, KeySyncGroup.Flexible(v))
	m.GroupId = r.String("GroupId")
	m.GenerationId = r.Int32("GenerationId")
	m.MemberId = r.String("MemberId")
	if v >= 3 {
		m.GroupInstanceId = r.NullableString("GroupInstanceId")
	}
	if v >= 5 {
		m.ProtocolType = r.NullableString("ProtocolType")
		m.ProtocolName = r.NullableString("ProtocolName")
	}
	if n := r.ArrayLen("Assignments", 3); r.Err() == nil {
		m.Assignments = make([]SyncGroupRequestAssignment, n)
		for i := range m.Assignments {
			a := &m.Assignments[i]
			a.MemberId = r.String("MemberId")
			a.Assignment = r.Bytes("Assignment")
			a.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("SyncGroupRequest", v)
}

// SyncGroupResponse carries this member's assignment. Versions as for
// SyncGroupRequest.
//
// After Decode, Assignment points into src.
type SyncGroupResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	ProtocolType   *string // v5+
	ProtocolName   *string // v5+
	Assignment     []byte
	Tags           TaggedFields
}

// Key returns KeySyncGroup.
func (m *SyncGroupResponse) Key() APIKey { return KeySyncGroup }

// APIVersion returns m.Version.
func (m *SyncGroupResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *SyncGroupResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *SyncGroupResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *SyncGroupResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeySyncGroup, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeySyncGroup.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.Int16(m.ErrorCode)
	if v >= 5 {
		w.NullableString(m.ProtocolType)
		w.NullableString(m.ProtocolName)
	}
	w.Bytes(m.Assignment)
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *SyncGroupResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeySyncGroup, v); err != nil {
		return err
	}
	*m = SyncGroupResponse{Version: v}
	r := NewReader(src, KeySyncGroup.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.ErrorCode = r.Int16("ErrorCode")
	if v >= 5 {
		m.ProtocolType = r.NullableString("ProtocolType")
		m.ProtocolName = r.NullableString("ProtocolName")
	}
	m.Assignment = r.Bytes("Assignment")
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("SyncGroupResponse", v)
}

package protocol

// LeaveGroupRequest removes members from a classic group (LeaveGroup, key 13,
// v0-5). Up to v2 a member leaves by MemberId; from v3 (KIP-345) the request
// names a batch of Members, each by member id or group instance id; v5 adds
// a reason per member (KIP-800). Flexible from v4.
type LeaveGroupRequest struct {
	Version int16

	GroupId  string
	MemberId string                            // v0-2
	Members  []LeaveGroupRequestMemberIdentity // v3+
	Tags     TaggedFields
}

// LeaveGroupRequestMemberIdentity names one leaving member (JSON struct
// MemberIdentity).
type LeaveGroupRequestMemberIdentity struct {
	MemberId        string
	GroupInstanceId *string
	Reason          *string // v5+, dropped by earlier versions
	Tags            TaggedFields
}

// Key returns KeyLeaveGroup.
func (m *LeaveGroupRequest) Key() APIKey { return KeyLeaveGroup }

// APIVersion returns m.Version.
func (m *LeaveGroupRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *LeaveGroupRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a LeaveGroupResponse of the same version.
func (m *LeaveGroupRequest) NewResponse() Response { return &LeaveGroupResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails if MemberId is set from v3
// on or Members before v3: the caller picks the form its version has.
func (m *LeaveGroupRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyLeaveGroup, v); err != nil {
		return dst, err
	}
	if v >= 3 && m.MemberId != "" {
		return dst, errNotInVersion(KeyLeaveGroup, v, "MemberId (use Members)")
	}
	if v < 3 && len(m.Members) > 0 {
		return dst, errNotInVersion(KeyLeaveGroup, v, "Members (use MemberId)")
	}
	w := NewWriter(dst, KeyLeaveGroup.Flexible(v))
	w.String(m.GroupId)
	if v <= 2 {
		w.String(m.MemberId)
	} else {
		w.ArrayLen(len(m.Members))
		for i := range m.Members {
			p := &m.Members[i]
			w.String(p.MemberId)
			w.NullableString(p.GroupInstanceId)
			if v >= 5 {
				w.NullableString(p.Reason)
			}
			w.Tags(p.Tags)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *LeaveGroupRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyLeaveGroup, v); err != nil {
		return err
	}
	*m = LeaveGroupRequest{Version: v}
	r := NewReader(src, KeyLeaveGroup.Flexible(v))
	m.GroupId = r.String("GroupId")
	if v <= 2 {
		m.MemberId = r.String("MemberId")
	} else if n := r.ArrayLen("Members", 2); r.Err() == nil {
		m.Members = make([]LeaveGroupRequestMemberIdentity, n)
		for i := range m.Members {
			p := &m.Members[i]
			p.MemberId = r.String("MemberId")
			p.GroupInstanceId = r.NullableString("GroupInstanceId")
			if v >= 5 {
				p.Reason = r.NullableString("Reason")
			}
			p.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("LeaveGroupRequest", v)
}

// LeaveGroupResponse answers a LeaveGroupRequest; from v3 it carries an
// error code per member. Versions as for LeaveGroupRequest.
type LeaveGroupResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	Members        []LeaveGroupResponseMemberResponse // v3+
	Tags           TaggedFields
}

// LeaveGroupResponseMemberResponse is the outcome for one leaving member
// (JSON struct MemberResponse).
type LeaveGroupResponseMemberResponse struct {
	MemberId        string
	GroupInstanceId *string
	ErrorCode       int16
	Tags            TaggedFields
}

// Key returns KeyLeaveGroup.
func (m *LeaveGroupResponse) Key() APIKey { return KeyLeaveGroup }

// APIVersion returns m.Version.
func (m *LeaveGroupResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *LeaveGroupResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *LeaveGroupResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *LeaveGroupResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyLeaveGroup, v); err != nil {
		return dst, err
	}
	if v < 3 && len(m.Members) > 0 {
		return dst, errNotInVersion(KeyLeaveGroup, v, "Members")
	}
	w := NewWriter(dst, KeyLeaveGroup.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.Int16(m.ErrorCode)
	if v >= 3 {
		w.ArrayLen(len(m.Members))
		for i := range m.Members {
			p := &m.Members[i]
			w.String(p.MemberId)
			w.NullableString(p.GroupInstanceId)
			w.Int16(p.ErrorCode)
			w.Tags(p.Tags)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *LeaveGroupResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyLeaveGroup, v); err != nil {
		return err
	}
	*m = LeaveGroupResponse{Version: v}
	r := NewReader(src, KeyLeaveGroup.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.ErrorCode = r.Int16("ErrorCode")
	if v >= 3 {
		if n := r.ArrayLen("Members", 4); r.Err() == nil {
			m.Members = make([]LeaveGroupResponseMemberResponse, n)
			for i := range m.Members {
				p := &m.Members[i]
				p.MemberId = r.String("MemberId")
				p.GroupInstanceId = r.NullableString("GroupInstanceId")
				p.ErrorCode = r.Int16("ErrorCode")
				p.Tags = r.Tags("TaggedFields")
			}
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("LeaveGroupResponse", v)
}

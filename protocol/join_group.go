package protocol

import "fmt"

// errNotInVersion reports a field set to a non-default value in a version
// that cannot carry it and that Kafka does not allow to be dropped silently
// (the field is not "ignorable"): sending without it would change what the
// request means, e.g. a static member joining as a dynamic one.
func errNotInVersion(k APIKey, v int16, field string) error {
	return fmt.Errorf("protocol: %s v%d cannot carry %s", k, v, field)
}

// JoinGroupRequest asks the group coordinator to add a member to a classic
// group (JoinGroup, key 11, v0-9; KIP-62 rebalance timeout v1, KIP-394 member
// id required v4, KIP-345 static membership v5, KIP-559 protocol type and
// name v7, KIP-800 reason v8, KIP-814 skip assignment v9). Flexible from v6.
//
// After Decode, each protocol's Metadata points into src.
type JoinGroupRequest struct {
	Version int16

	GroupId            string
	SessionTimeoutMs   int32
	RebalanceTimeoutMs int32   // v1+, default -1
	MemberId           string  // empty on the first join
	GroupInstanceId    *string // v5+, static membership; nil for a dynamic member
	ProtocolType       string  // "consumer" for consumers
	Protocols          []JoinGroupRequestProtocol
	Reason             *string // v8+, dropped by earlier versions
	Tags               TaggedFields
}

// JoinGroupRequestProtocol is one assignment protocol the member supports,
// with its metadata (for consumers, a ConsumerProtocolSubscription).
type JoinGroupRequestProtocol struct {
	Name     string
	Metadata []byte
	Tags     TaggedFields
}

// Key returns KeyJoinGroup.
func (m *JoinGroupRequest) Key() APIKey { return KeyJoinGroup }

// APIVersion returns m.Version.
func (m *JoinGroupRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *JoinGroupRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a JoinGroupResponse of the same version.
func (m *JoinGroupRequest) NewResponse() Response { return &JoinGroupResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails if GroupInstanceId is set
// for a version before 5.
func (m *JoinGroupRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyJoinGroup, v); err != nil {
		return dst, err
	}
	if v < 5 && m.GroupInstanceId != nil {
		return dst, errNotInVersion(KeyJoinGroup, v, "GroupInstanceId")
	}
	w := NewWriter(dst, KeyJoinGroup.Flexible(v))
	w.String(m.GroupId)
	w.Int32(m.SessionTimeoutMs)
	if v >= 1 {
		w.Int32(m.RebalanceTimeoutMs)
	}
	w.String(m.MemberId)
	if v >= 5 {
		w.NullableString(m.GroupInstanceId)
	}
	w.String(m.ProtocolType)
	w.ArrayLen(len(m.Protocols))
	for i := range m.Protocols {
		p := &m.Protocols[i]
		w.String(p.Name)
		w.Bytes(p.Metadata)
		w.Tags(p.Tags)
	}
	if v >= 8 {
		w.NullableString(m.Reason)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *JoinGroupRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyJoinGroup, v); err != nil {
		return err
	}
	*m = JoinGroupRequest{Version: v}
	r := NewReader(src, KeyJoinGroup.Flexible(v))
	m.GroupId = r.String("GroupId")
	m.SessionTimeoutMs = r.Int32("SessionTimeoutMs")
	m.RebalanceTimeoutMs = -1
	if v >= 1 {
		m.RebalanceTimeoutMs = r.Int32("RebalanceTimeoutMs")
	}
	m.MemberId = r.String("MemberId")
	if v >= 5 {
		m.GroupInstanceId = r.NullableString("GroupInstanceId")
	}
	m.ProtocolType = r.String("ProtocolType")
	if n := r.ArrayLen("Protocols", 3); r.Err() == nil {
		m.Protocols = make([]JoinGroupRequestProtocol, n)
		for i := range m.Protocols {
			p := &m.Protocols[i]
			p.Name = r.String("Name")
			p.Metadata = r.Bytes("Metadata")
			p.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 8 {
		m.Reason = r.NullableString("Reason")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("JoinGroupRequest", v)
}

// JoinGroupResponse answers a JoinGroupRequest: the generation, the chosen
// protocol, the leader and, for the leader only, every member's metadata.
// Versions as for JoinGroupRequest.
//
// After Decode, each member's Metadata points into src.
type JoinGroupResponse struct {
	Version int16

	ThrottleTimeMs int32 // v2+
	ErrorCode      int16
	GenerationId   int32   // default -1
	ProtocolType   *string // v7+, default null
	ProtocolName   *string // null only in v7+; earlier versions write nil as ""
	Leader         string
	SkipAssignment bool   // v9+
	MemberId       string // the id this member must use from now on
	Members        []JoinGroupResponseMember
	Tags           TaggedFields
}

// JoinGroupResponseMember is one member of the group as the leader sees it.
type JoinGroupResponseMember struct {
	MemberId        string
	GroupInstanceId *string // v5+
	Metadata        []byte
	Tags            TaggedFields
}

// Key returns KeyJoinGroup.
func (m *JoinGroupResponse) Key() APIKey { return KeyJoinGroup }

// APIVersion returns m.Version.
func (m *JoinGroupResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *JoinGroupResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *JoinGroupResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *JoinGroupResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyJoinGroup, v); err != nil {
		return dst, err
	}
	if v < 9 && m.SkipAssignment {
		return dst, errNotInVersion(KeyJoinGroup, v, "SkipAssignment")
	}
	w := NewWriter(dst, KeyJoinGroup.Flexible(v))
	if v >= 2 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.Int16(m.ErrorCode)
	w.Int32(m.GenerationId)
	if v >= 7 {
		w.NullableString(m.ProtocolType)
		w.NullableString(m.ProtocolName)
	} else if m.ProtocolName != nil {
		w.String(*m.ProtocolName)
	} else {
		w.String("")
	}
	w.String(m.Leader)
	if v >= 9 {
		w.Bool(m.SkipAssignment)
	}
	w.String(m.MemberId)
	w.ArrayLen(len(m.Members))
	for i := range m.Members {
		p := &m.Members[i]
		w.String(p.MemberId)
		if v >= 5 {
			w.NullableString(p.GroupInstanceId)
		}
		w.Bytes(p.Metadata)
		w.Tags(p.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *JoinGroupResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyJoinGroup, v); err != nil {
		return err
	}
	*m = JoinGroupResponse{Version: v}
	r := NewReader(src, KeyJoinGroup.Flexible(v))
	if v >= 2 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.ErrorCode = r.Int16("ErrorCode")
	m.GenerationId = r.Int32("GenerationId")
	if v >= 7 {
		m.ProtocolType = r.NullableString("ProtocolType")
		m.ProtocolName = r.NullableString("ProtocolName")
	} else {
		name := r.String("ProtocolName")
		m.ProtocolName = &name
	}
	m.Leader = r.String("Leader")
	if v >= 9 {
		m.SkipAssignment = r.Bool("SkipAssignment")
	}
	m.MemberId = r.String("MemberId")
	if n := r.ArrayLen("Members", 3); r.Err() == nil {
		m.Members = make([]JoinGroupResponseMember, n)
		for i := range m.Members {
			p := &m.Members[i]
			p.MemberId = r.String("MemberId")
			if v >= 5 {
				p.GroupInstanceId = r.NullableString("GroupInstanceId")
			}
			p.Metadata = r.Bytes("Metadata")
			p.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("JoinGroupResponse", v)
}

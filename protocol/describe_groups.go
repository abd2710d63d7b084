package protocol

import "math"

// DescribeGroupsRequest asks a group coordinator for the state and members
// of classic groups (DescribeGroups, key 15, v0-6; KIP-430 authorized
// operations v3, KIP-345 group instance ids v4, KIP-1043 error message v6).
// Flexible from v5.
type DescribeGroupsRequest struct {
	Version int16

	Groups                      []string
	IncludeAuthorizedOperations bool // v3+
	Tags                        TaggedFields
}

// Key returns KeyDescribeGroups.
func (m *DescribeGroupsRequest) Key() APIKey { return KeyDescribeGroups }

// APIVersion returns m.Version.
func (m *DescribeGroupsRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *DescribeGroupsRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a DescribeGroupsResponse of the same version.
func (m *DescribeGroupsRequest) NewResponse() Response {
	return &DescribeGroupsResponse{Version: m.Version}
}

// Encode appends the request body to dst. It fails if
// IncludeAuthorizedOperations is set for a version before 3.
func (m *DescribeGroupsRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyDescribeGroups, v); err != nil {
		return dst, err
	}
	if v < 3 && m.IncludeAuthorizedOperations {
		return dst, errNotInVersion(KeyDescribeGroups, v, "IncludeAuthorizedOperations")
	}
	w := NewWriter(dst, KeyDescribeGroups.Flexible(v))
	w.StringArray(m.Groups)
	if v >= 3 {
		w.Bool(m.IncludeAuthorizedOperations)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *DescribeGroupsRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyDescribeGroups, v); err != nil {
		return err
	}
	*m = DescribeGroupsRequest{Version: v}
	r := NewReader(src, KeyDescribeGroups.Flexible(v))
	m.Groups = r.StringArray("Groups")
	if v >= 3 {
		m.IncludeAuthorizedOperations = r.Bool("IncludeAuthorizedOperations")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("DescribeGroupsRequest", v)
}

// DescribeGroupsResponse describes each group asked for. Versions as for
// DescribeGroupsRequest.
//
// After Decode, each member's MemberMetadata and MemberAssignment point into
// src.
type DescribeGroupsResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	Groups         []DescribeGroupsResponseDescribedGroup
	Tags           TaggedFields
}

// DescribeGroupsResponseDescribedGroup is one described group (JSON struct
// DescribedGroup).
type DescribeGroupsResponseDescribedGroup struct {
	ErrorCode            int16
	ErrorMessage         *string // v6+
	GroupId              string
	GroupState           string
	ProtocolType         string
	ProtocolData         string // the protocol in use, e.g. "range"
	Members              []DescribeGroupsResponseDescribedGroupMember
	AuthorizedOperations int32 // v3+, default math.MinInt32 (not asked for)
	Tags                 TaggedFields
}

// DescribeGroupsResponseDescribedGroupMember is one member of a described
// group (JSON struct DescribedGroupMember).
type DescribeGroupsResponseDescribedGroupMember struct {
	MemberId         string
	GroupInstanceId  *string // v4+
	ClientId         string
	ClientHost       string
	MemberMetadata   []byte
	MemberAssignment []byte
	Tags             TaggedFields
}

// Key returns KeyDescribeGroups.
func (m *DescribeGroupsResponse) Key() APIKey { return KeyDescribeGroups }

// APIVersion returns m.Version.
func (m *DescribeGroupsResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *DescribeGroupsResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *DescribeGroupsResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *DescribeGroupsResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyDescribeGroups, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyDescribeGroups.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Groups))
	for i := range m.Groups {
		g := &m.Groups[i]
		w.Int16(g.ErrorCode)
		if v >= 6 {
			w.NullableString(g.ErrorMessage)
		}
		w.String(g.GroupId)
		w.String(g.GroupState)
		w.String(g.ProtocolType)
		w.String(g.ProtocolData)
		w.ArrayLen(len(g.Members))
		for j := range g.Members {
			p := &g.Members[j]
			w.String(p.MemberId)
			if v >= 4 {
				w.NullableString(p.GroupInstanceId)
			}
			w.String(p.ClientId)
			w.String(p.ClientHost)
			w.Bytes(p.MemberMetadata)
			w.Bytes(p.MemberAssignment)
			w.Tags(p.Tags)
		}
		if v >= 3 {
			w.Int32(g.AuthorizedOperations)
		}
		w.Tags(g.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *DescribeGroupsResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyDescribeGroups, v); err != nil {
		return err
	}
	*m = DescribeGroupsResponse{Version: v}
	r := NewReader(src, KeyDescribeGroups.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if n := r.ArrayLen("Groups", 7); r.Err() == nil {
		m.Groups = make([]DescribeGroupsResponseDescribedGroup, n)
		for i := range m.Groups {
			g := &m.Groups[i]
			g.ErrorCode = r.Int16("ErrorCode")
			if v >= 6 {
				g.ErrorMessage = r.NullableString("ErrorMessage")
			}
			g.GroupId = r.String("GroupId")
			g.GroupState = r.String("GroupState")
			g.ProtocolType = r.String("ProtocolType")
			g.ProtocolData = r.String("ProtocolData")
			if n := r.ArrayLen("Members", 6); r.Err() == nil {
				g.Members = make([]DescribeGroupsResponseDescribedGroupMember, n)
				for j := range g.Members {
					p := &g.Members[j]
					p.MemberId = r.String("MemberId")
					if v >= 4 {
						p.GroupInstanceId = r.NullableString("GroupInstanceId")
					}
					p.ClientId = r.String("ClientId")
					p.ClientHost = r.String("ClientHost")
					p.MemberMetadata = r.Bytes("MemberMetadata")
					p.MemberAssignment = r.Bytes("MemberAssignment")
					p.Tags = r.Tags("TaggedFields")
				}
			}
			g.AuthorizedOperations = math.MinInt32
			if v >= 3 {
				g.AuthorizedOperations = r.Int32("AuthorizedOperations")
			}
			g.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("DescribeGroupsResponse", v)
}

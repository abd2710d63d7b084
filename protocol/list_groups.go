package protocol

// ListGroupsRequest asks a broker for the groups it coordinates (ListGroups,
// key 16, v0-5; KIP-518 states filter v4, KIP-848 types filter v5).
// Flexible from v3.
type ListGroupsRequest struct {
	Version int16

	StatesFilter []string // v4+; empty lists groups in every state
	TypesFilter  []string // v5+; empty lists groups of every type
	Tags         TaggedFields
}

// Key returns KeyListGroups.
func (m *ListGroupsRequest) Key() APIKey { return KeyListGroups }

// APIVersion returns m.Version.
func (m *ListGroupsRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ListGroupsRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a ListGroupsResponse of the same version.
func (m *ListGroupsRequest) NewResponse() Response { return &ListGroupsResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails if a filter is set that
// the version cannot carry (listing more groups than asked is not harmless).
func (m *ListGroupsRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyListGroups, v); err != nil {
		return dst, err
	}
	if v < 4 && len(m.StatesFilter) > 0 {
		return dst, errNotInVersion(KeyListGroups, v, "StatesFilter")
	}
	if v < 5 && len(m.TypesFilter) > 0 {
		return dst, errNotInVersion(KeyListGroups, v, "TypesFilter")
	}
	w := NewWriter(dst, KeyListGroups.Flexible(v))
	if v >= 4 {
		w.StringArray(m.StatesFilter)
	}
	if v >= 5 {
		w.StringArray(m.TypesFilter)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *ListGroupsRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyListGroups, v); err != nil {
		return err
	}
	*m = ListGroupsRequest{Version: v}
	r := NewReader(src, KeyListGroups.Flexible(v))
	if v >= 4 {
		m.StatesFilter = r.StringArray("StatesFilter")
	}
	if v >= 5 {
		m.TypesFilter = r.StringArray("TypesFilter")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ListGroupsRequest", v)
}

// ListGroupsResponse lists the groups a broker coordinates. Versions as for
// ListGroupsRequest.
type ListGroupsResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	Groups         []ListGroupsResponseListedGroup
	Tags           TaggedFields
}

// ListGroupsResponseListedGroup is one listed group (JSON struct ListedGroup).
type ListGroupsResponseListedGroup struct {
	GroupId      string
	ProtocolType string
	GroupState   string // v4+
	GroupType    string // v5+
	Tags         TaggedFields
}

// Key returns KeyListGroups.
func (m *ListGroupsResponse) Key() APIKey { return KeyListGroups }

// APIVersion returns m.Version.
func (m *ListGroupsResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ListGroupsResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *ListGroupsResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *ListGroupsResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyListGroups, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyListGroups.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.Int16(m.ErrorCode)
	w.ArrayLen(len(m.Groups))
	for i := range m.Groups {
		g := &m.Groups[i]
		w.String(g.GroupId)
		w.String(g.ProtocolType)
		if v >= 4 {
			w.String(g.GroupState)
		}
		if v >= 5 {
			w.String(g.GroupType)
		}
		w.Tags(g.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *ListGroupsResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyListGroups, v); err != nil {
		return err
	}
	*m = ListGroupsResponse{Version: v}
	r := NewReader(src, KeyListGroups.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.ErrorCode = r.Int16("ErrorCode")
	if n := r.ArrayLen("Groups", 2); r.Err() == nil {
		m.Groups = make([]ListGroupsResponseListedGroup, n)
		for i := range m.Groups {
			g := &m.Groups[i]
			g.GroupId = r.String("GroupId")
			g.ProtocolType = r.String("ProtocolType")
			if v >= 4 {
				g.GroupState = r.String("GroupState")
			}
			if v >= 5 {
				g.GroupType = r.String("GroupType")
			}
			g.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ListGroupsResponse", v)
}

package protocol

// Coordinator key types of FindCoordinatorRequest.KeyType.
const (
	CoordinatorGroup       int8 = 0
	CoordinatorTransaction int8 = 1
	CoordinatorShare       int8 = 2 // KIP-932, v6+
)

// FindCoordinatorRequest asks which broker coordinates a group, transaction
// or share group (FindCoordinator, key 10, v0-6; KIP-98 KeyType at v1,
// KIP-699 batched keys from v4, KIP-890 TRANSACTION_ABORTABLE at v5, KIP-932
// share groups at v6).
//
// Versions 0-3 carry one key, CoordinatorKey (Kafka's field "Key", renamed
// because Key is the Message method); versions 4+ carry CoordinatorKeys
// instead. Encoding fails when the field the version lacks is set. Only the
// Data of unknown tagged fields points into the decoded bytes.
type FindCoordinatorRequest struct {
	Version int16

	CoordinatorKey  string   // v0-3; Kafka's "Key"
	KeyType         int8     // v1+
	CoordinatorKeys []string // v4+
	Tags            TaggedFields
}

// Key returns KeyFindCoordinator.
func (m *FindCoordinatorRequest) Key() APIKey { return KeyFindCoordinator }

// APIVersion returns m.Version.
func (m *FindCoordinatorRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *FindCoordinatorRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a FindCoordinatorResponse of the same version.
func (m *FindCoordinatorRequest) NewResponse() Response {
	return &FindCoordinatorResponse{Version: m.Version}
}

// Encode appends the request body to dst. It fails when a field holds a value
// that m.Version cannot carry.
func (m *FindCoordinatorRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyFindCoordinator, v); err != nil {
		return dst, err
	}
	switch {
	case v < 1 && m.KeyType != 0:
		return dst, encodeFieldError("FindCoordinatorRequest", v, "KeyType", "needs v1+")
	case v >= 4 && m.CoordinatorKey != "":
		return dst, encodeFieldError("FindCoordinatorRequest", v, "Key", "is v0-3 only (use CoordinatorKeys)")
	case v < 4 && len(m.CoordinatorKeys) > 0:
		return dst, encodeFieldError("FindCoordinatorRequest", v, "CoordinatorKeys", "needs v4+ (use CoordinatorKey)")
	}
	w := NewWriter(dst, KeyFindCoordinator.Flexible(v))
	if v <= 3 {
		w.String(m.CoordinatorKey)
	}
	if v >= 1 {
		w.Int8(m.KeyType)
	}
	if v >= 4 {
		w.StringArray(m.CoordinatorKeys)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *FindCoordinatorRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyFindCoordinator, v); err != nil {
		return err
	}
	*m = FindCoordinatorRequest{Version: v}
	r := NewReader(src, KeyFindCoordinator.Flexible(v))
	if v <= 3 {
		m.CoordinatorKey = r.String("Key")
	}
	if v >= 1 {
		m.KeyType = r.Int8("KeyType")
	}
	if v >= 4 {
		m.CoordinatorKeys = r.StringArray("CoordinatorKeys")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("FindCoordinatorRequest", v)
}

// FindCoordinatorResponse names the coordinator of the key or keys asked for
// (FindCoordinator, key 10, v0-6; see FindCoordinatorRequest). Versions 0-3
// answer for one key in top-level fields; versions 4+ answer in Coordinators.
// Only the Data of unknown tagged fields points into the decoded bytes.
type FindCoordinatorResponse struct {
	Version int16

	ThrottleTimeMs int32                                // v1+
	ErrorCode      int16                                // v0-3
	ErrorMessage   *string                              // v1-3
	NodeId         int32                                // v0-3
	Host           string                               // v0-3
	Port           int32                                // v0-3
	Coordinators   []FindCoordinatorResponseCoordinator // v4+
	Tags           TaggedFields
}

// FindCoordinatorResponseCoordinator is the coordinator of one key (v4+).
type FindCoordinatorResponseCoordinator struct {
	Key          string
	NodeId       int32
	Host         string
	Port         int32
	ErrorCode    int16
	ErrorMessage *string
	Tags         TaggedFields
}

// Key returns KeyFindCoordinator.
func (m *FindCoordinatorResponse) Key() APIKey { return KeyFindCoordinator }

// APIVersion returns m.Version.
func (m *FindCoordinatorResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *FindCoordinatorResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *FindCoordinatorResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. It fails when a field holds a
// value that m.Version cannot carry.
func (m *FindCoordinatorResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyFindCoordinator, v); err != nil {
		return dst, err
	}
	switch {
	case v >= 4 && (m.ErrorCode != 0 || m.NodeId != 0 || m.Host != "" || m.Port != 0):
		return dst, encodeFieldError("FindCoordinatorResponse", v, "ErrorCode/NodeId/Host/Port", "are v0-3 only (use Coordinators)")
	case v < 4 && len(m.Coordinators) > 0:
		return dst, encodeFieldError("FindCoordinatorResponse", v, "Coordinators", "needs v4+")
	}
	w := NewWriter(dst, KeyFindCoordinator.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	if v <= 3 {
		w.Int16(m.ErrorCode)
		if v >= 1 {
			w.NullableString(m.ErrorMessage)
		}
		w.Int32(m.NodeId)
		w.String(m.Host)
		w.Int32(m.Port)
	} else {
		w.ArrayLen(len(m.Coordinators))
		for i := range m.Coordinators {
			c := &m.Coordinators[i]
			w.String(c.Key)
			w.Int32(c.NodeId)
			w.String(c.Host)
			w.Int32(c.Port)
			w.Int16(c.ErrorCode)
			w.NullableString(c.ErrorMessage)
			w.Tags(c.Tags)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *FindCoordinatorResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyFindCoordinator, v); err != nil {
		return err
	}
	*m = FindCoordinatorResponse{Version: v}
	r := NewReader(src, KeyFindCoordinator.Flexible(v))
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if v <= 3 {
		m.ErrorCode = r.Int16("ErrorCode")
		if v >= 1 {
			m.ErrorMessage = r.NullableString("ErrorMessage")
		}
		m.NodeId = r.Int32("NodeId")
		m.Host = r.String("Host")
		m.Port = r.Int32("Port")
	} else if n := r.ArrayLen("Coordinators", 14); r.Err() == nil {
		m.Coordinators = make([]FindCoordinatorResponseCoordinator, n)
		for i := range m.Coordinators {
			c := &m.Coordinators[i]
			c.Key = r.String("Key")
			c.NodeId = r.Int32("NodeId")
			c.Host = r.String("Host")
			c.Port = r.Int32("Port")
			c.ErrorCode = r.Int16("ErrorCode")
			c.ErrorMessage = r.NullableString("ErrorMessage")
			c.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("FindCoordinatorResponse", v)
}

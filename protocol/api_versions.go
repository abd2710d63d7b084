package protocol

// ApiVersionsRequest asks a broker which versions of each API it supports
// (ApiVersions, key 18, v0-5; KIP-35, KIP-511 for the client software fields
// v3+, KIP-1242 for ClusterId and NodeId v5+, first served by Kafka 4.4).
//
// With ClusterId and NodeId a client says which broker it means to reach: a
// broker of another cluster, or another node, answers REBOOTSTRAP_REQUIRED
// (ErrRebootstrapRequired), telling the client its metadata is stale. Kafka
// takes a request with only one of them as invalid (INVALID_REQUEST), so
// NodeId is sent only with a ClusterId: with ClusterId nil, Encode writes
// NodeId -1 (none), which makes the zero value a request that asks for no
// check. A ClusterId with NodeId -1 is sent as it is, and refused.
type ApiVersionsRequest struct {
	Version int16

	ClientSoftwareName    string  // v3+
	ClientSoftwareVersion string  // v3+
	ClusterId             *string // v5+; nil: no check
	NodeId                int32   // v5+, default -1; sent only with ClusterId
	Tags                  TaggedFields
}

// Key returns KeyApiVersions.
func (m *ApiVersionsRequest) Key() APIKey { return KeyApiVersions }

// APIVersion returns m.Version.
func (m *ApiVersionsRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ApiVersionsRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns an ApiVersionsResponse of the same version.
func (m *ApiVersionsRequest) NewResponse() Response { return &ApiVersionsResponse{Version: m.Version} }

// Encode appends the request body to dst.
func (m *ApiVersionsRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyApiVersions, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyApiVersions.Flexible(v))
	if v >= 3 {
		w.String(m.ClientSoftwareName)
		w.String(m.ClientSoftwareVersion)
	}
	if v >= 5 {
		w.NullableString(m.ClusterId)
		if m.ClusterId != nil {
			w.Int32(m.NodeId)
		} else {
			w.Int32(-1)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *ApiVersionsRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyApiVersions, v); err != nil {
		return err
	}
	*m = ApiVersionsRequest{Version: v, NodeId: -1}
	r := NewReader(src, KeyApiVersions.Flexible(v))
	if v >= 3 {
		m.ClientSoftwareName = r.String("ClientSoftwareName")
		m.ClientSoftwareVersion = r.String("ClientSoftwareVersion")
	}
	if v >= 5 {
		m.ClusterId = r.NullableString("ClusterId")
		m.NodeId = r.Int32("NodeId")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ApiVersionsRequest", v)
}

// ApiVersionsResponse lists the versions a broker supports of each API.
// A broker that does not know the requested version answers with
// UNSUPPORTED_VERSION in a v0 body (see DecodeApiVersionsFallback). v5 has
// the fields of v4; its ErrorCode can be REBOOTSTRAP_REQUIRED (KIP-1242).
type ApiVersionsResponse struct {
	Version int16

	ErrorCode      int16
	ApiKeys        []ApiVersionsKey
	ThrottleTimeMs int32 // v1+

	// Tagged fields, v3+.
	SupportedFeatures      []ApiVersionsFeature          // tag 0
	FinalizedFeaturesEpoch int64                         // tag 1, default -1
	FinalizedFeatures      []ApiVersionsFinalizedFeature // tag 2
	ZkMigrationReady       bool                          // tag 3
	Tags                   TaggedFields
}

// ApiVersionsKey is the version range a broker supports of one API.
type ApiVersionsKey struct {
	ApiKey     int16
	MinVersion int16
	MaxVersion int16
	Tags       TaggedFields
}

// ApiVersionsFeature is a feature a broker supports (KIP-584).
type ApiVersionsFeature struct {
	Name       string
	MinVersion int16
	MaxVersion int16
	Tags       TaggedFields
}

// ApiVersionsFinalizedFeature is a cluster-wide finalized feature level.
type ApiVersionsFinalizedFeature struct {
	Name            string
	MaxVersionLevel int16
	MinVersionLevel int16
	Tags            TaggedFields
}

// Key returns KeyApiVersions.
func (m *ApiVersionsResponse) Key() APIKey { return KeyApiVersions }

// APIVersion returns m.Version.
func (m *ApiVersionsResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ApiVersionsResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *ApiVersionsResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *ApiVersionsResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyApiVersions, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyApiVersions.Flexible(v))
	w.Int16(m.ErrorCode)
	w.ArrayLen(len(m.ApiKeys))
	for i := range m.ApiKeys {
		k := &m.ApiKeys[i]
		w.Int16(k.ApiKey)
		w.Int16(k.MinVersion)
		w.Int16(k.MaxVersion)
		w.Tags(k.Tags)
	}
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	if !w.Flexible {
		return w.B, nil
	}
	var known []TaggedField
	if len(m.SupportedFeatures) > 0 {
		known = append(known, EncodeTag(0, func(w *Writer) {
			w.ArrayLen(len(m.SupportedFeatures))
			for _, f := range m.SupportedFeatures {
				w.String(f.Name)
				w.Int16(f.MinVersion)
				w.Int16(f.MaxVersion)
				w.Tags(f.Tags)
			}
		}))
	}
	if m.FinalizedFeaturesEpoch != -1 {
		known = append(known, EncodeTag(1, func(w *Writer) { w.Int64(m.FinalizedFeaturesEpoch) }))
	}
	if len(m.FinalizedFeatures) > 0 {
		known = append(known, EncodeTag(2, func(w *Writer) {
			w.ArrayLen(len(m.FinalizedFeatures))
			for _, f := range m.FinalizedFeatures {
				w.String(f.Name)
				w.Int16(f.MaxVersionLevel)
				w.Int16(f.MinVersionLevel)
				w.Tags(f.Tags)
			}
		}))
	}
	if m.ZkMigrationReady {
		known = append(known, EncodeTag(3, func(w *Writer) { w.Bool(true) }))
	}
	w.TagsWith(m.Tags, known...)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *ApiVersionsResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyApiVersions, v); err != nil {
		return err
	}
	*m = ApiVersionsResponse{Version: v}
	r := NewReader(src, KeyApiVersions.Flexible(v))
	m.ErrorCode = r.Int16("ErrorCode")
	if n := r.ArrayLen("ApiKeys", 6); r.Err() == nil {
		m.ApiKeys = make([]ApiVersionsKey, n)
		for i := range m.ApiKeys {
			k := &m.ApiKeys[i]
			k.ApiKey = r.Int16("ApiKey")
			k.MinVersion = r.Int16("MinVersion")
			k.MaxVersion = r.Int16("MaxVersion")
			k.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	m.FinalizedFeaturesEpoch = -1
	for n := r.TagCount("TaggedFields"); n > 0; n-- {
		tag, data := r.Tag("TaggedFields")
		sub := r.SubReader(data)
		switch tag {
		case 0:
			m.SupportedFeatures = make([]ApiVersionsFeature, sub.ArrayLen("SupportedFeatures", 6))
			for i := range m.SupportedFeatures {
				f := &m.SupportedFeatures[i]
				f.Name = sub.String("Name")
				f.MinVersion = sub.Int16("MinVersion")
				f.MaxVersion = sub.Int16("MaxVersion")
				f.Tags = sub.Tags("TaggedFields")
			}
		case 1:
			m.FinalizedFeaturesEpoch = sub.Int64("FinalizedFeaturesEpoch")
		case 2:
			m.FinalizedFeatures = make([]ApiVersionsFinalizedFeature, sub.ArrayLen("FinalizedFeatures", 6))
			for i := range m.FinalizedFeatures {
				f := &m.FinalizedFeatures[i]
				f.Name = sub.String("Name")
				f.MaxVersionLevel = sub.Int16("MaxVersionLevel")
				f.MinVersionLevel = sub.Int16("MinVersionLevel")
				f.Tags = sub.Tags("TaggedFields")
			}
		case 3:
			m.ZkMigrationReady = sub.Bool("ZkMigrationReady")
		default:
			m.Tags = append(m.Tags, TaggedField{Tag: tag, Data: data})
		}
		r.Absorb(&sub)
	}
	return r.Finish("ApiVersionsResponse", v)
}

// DecodeApiVersionsFallback decodes an ApiVersions response that a broker
// sent as version 0 because it did not support the version asked for: the
// body carries UNSUPPORTED_VERSION and the broker's own range for ApiVersions.
// It reports ok when src is such a body.
func DecodeApiVersionsFallback(src []byte) (resp *ApiVersionsResponse, ok bool) {
	resp = &ApiVersionsResponse{Version: 0}
	if resp.Decode(src) != nil || resp.ErrorCode != ErrUnsupportedVersion.Code {
		return nil, false
	}
	return resp, true
}

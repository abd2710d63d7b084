package protocol

// OffsetFetchRequest asks a group coordinator for committed offsets
// (OffsetFetch, key 9, v0-10). Flexible from v6 (KIP-482).
//
// v0 reads offsets from ZooKeeper, v1+ from Kafka; v2 allows null Topics
// (all of the group's partitions); v7 RequireStable (KIP-447); v8 batches
// several groups in Groups and drops the top-level GroupId and Topics
// (KIP-709); v9 adds the member id and epoch of the consumer group protocol
// (KIP-848); v10 topic ids replace names (KIP-848; Kafka 4.1 serves v10 only
// with unstable.api.versions.enable, 4.4 always).
//
// Versions 0-7 use GroupId and Topics, versions 8+ use Groups: Encode fails
// when the other form is set. A decoded OffsetFetchRequest aliases src only
// in the Data of unknown tagged fields.
type OffsetFetchRequest struct {
	Version int16

	GroupId string // v0-7
	// Topics (v0-7) is nil for all topics (v2+); before v2 nil is sent as
	// an empty array.
	Topics        []OffsetFetchRequestTopic
	Groups        []OffsetFetchRequestGroup // v8+
	RequireStable bool                      // v7+; not sent before v7
	Tags          TaggedFields
}

// OffsetFetchRequestTopic names partitions of one topic (v0-7).
type OffsetFetchRequestTopic struct {
	Name             string
	PartitionIndexes []int32
	Tags             TaggedFields
}

// OffsetFetchRequestGroup is one group of a batched OffsetFetchRequest (v8+).
type OffsetFetchRequestGroup struct {
	GroupId     string
	MemberId    *string // v9+, nil is null (the default)
	MemberEpoch int32   // v9+, default -1
	// Topics is nil for all the group's topics.
	Topics []OffsetFetchRequestTopics
	Tags   TaggedFields
}

// OffsetFetchRequestTopics names partitions of one topic of a group (v8+).
type OffsetFetchRequestTopics struct {
	Name             string // v8-9
	TopicId          UUID   // v10+
	PartitionIndexes []int32
	Tags             TaggedFields
}

// Key returns KeyOffsetFetch.
func (m *OffsetFetchRequest) Key() APIKey { return KeyOffsetFetch }

// APIVersion returns m.Version.
func (m *OffsetFetchRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetFetchRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns an OffsetFetchResponse of the same version.
func (m *OffsetFetchRequest) NewResponse() Response { return &OffsetFetchResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails when Groups is set before
// v8, or GroupId or Topics from v8 on. RequireStable is dropped before v7,
// as the Java client does.
func (m *OffsetFetchRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetFetch, v); err != nil {
		return dst, err
	}
	if v < 8 && len(m.Groups) > 0 {
		return dst, errNotInVersion(KeyOffsetFetch, v, "Groups (use GroupId and Topics)")
	}
	if v >= 8 && (m.GroupId != "" || len(m.Topics) > 0) {
		return dst, errNotInVersion(KeyOffsetFetch, v, "GroupId or Topics (use Groups)")
	}
	w := NewWriter(dst, KeyOffsetFetch.Flexible(v))
	if v <= 7 {
		w.String(m.GroupId)
		if v >= 2 {
			w.NullableArrayLen(len(m.Topics), m.Topics == nil)
		} else {
			w.ArrayLen(len(m.Topics))
		}
		for i := range m.Topics {
			t := &m.Topics[i]
			w.String(t.Name)
			w.Int32Array(t.PartitionIndexes)
			w.Tags(t.Tags)
		}
	} else {
		w.ArrayLen(len(m.Groups))
		for i := range m.Groups {
			g := &m.Groups[i]
			w.String(g.GroupId)
			if v >= 9 {
				w.NullableString(g.MemberId)
				w.Int32(g.MemberEpoch)
			}
			w.NullableArrayLen(len(g.Topics), g.Topics == nil)
			for j := range g.Topics {
				t := &g.Topics[j]
				if v >= 10 {
					w.UUID(t.TopicId)
				} else {
					w.String(t.Name)
				}
				w.Int32Array(t.PartitionIndexes)
				w.Tags(t.Tags)
			}
			w.Tags(g.Tags)
		}
	}
	if v >= 7 {
		w.Bool(m.RequireStable)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *OffsetFetchRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetFetch, v); err != nil {
		return err
	}
	r := NewReader(src, KeyOffsetFetch.Flexible(v))
	*m = OffsetFetchRequest{Version: v}
	if v <= 7 {
		m.GroupId = r.String("GroupId")
		n := 0
		if v >= 2 {
			n = r.NullableArrayLen("Topics", 3)
		} else {
			n = r.ArrayLen("Topics", 3)
		}
		if n >= 0 && r.Err() == nil {
			m.Topics = make([]OffsetFetchRequestTopic, n)
			for i := range m.Topics {
				t := &m.Topics[i]
				t.Name = r.String("Name")
				t.PartitionIndexes = r.Int32Array("PartitionIndexes")
				t.Tags = r.Tags("TaggedFields")
			}
		}
	} else if n := r.ArrayLen("Groups", 3); r.Err() == nil {
		m.Groups = make([]OffsetFetchRequestGroup, n)
		for i := range m.Groups {
			g := &m.Groups[i]
			g.GroupId = r.String("GroupId")
			g.MemberEpoch = -1
			if v >= 9 {
				g.MemberId = r.NullableString("MemberId")
				g.MemberEpoch = r.Int32("MemberEpoch")
			}
			topicMin := 3
			if v >= 10 {
				topicMin = 18
			}
			n := r.NullableArrayLen("Topics", topicMin)
			if r.Err() != nil {
				break
			}
			if n >= 0 {
				g.Topics = make([]OffsetFetchRequestTopics, n)
			}
			for j := range g.Topics {
				t := &g.Topics[j]
				if v >= 10 {
					t.TopicId = r.UUID("TopicId")
				} else {
					t.Name = r.String("Name")
				}
				t.PartitionIndexes = r.Int32Array("PartitionIndexes")
				t.Tags = r.Tags("TaggedFields")
			}
			g.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 7 {
		m.RequireStable = r.Bool("RequireStable")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetFetchRequest", v)
}

// OffsetFetchResponse carries committed offsets (see OffsetFetchRequest for
// the versions). Versions 0-7 answer for one group in Topics with a
// top-level ErrorCode (v2+); versions 8+ answer per group in Groups. A
// CommittedOffset of -1 means the partition has no committed offset. A
// decoded OffsetFetchResponse aliases src only in the Data of unknown tagged
// fields.
type OffsetFetchResponse struct {
	Version int16

	ThrottleTimeMs int32                      // v3+
	Topics         []OffsetFetchResponseTopic // v0-7
	ErrorCode      int16                      // v2-7
	Groups         []OffsetFetchResponseGroup // v8+
	Tags           TaggedFields
}

// OffsetFetchResponseTopic is one topic of a v0-7 response.
type OffsetFetchResponseTopic struct {
	Name       string
	Partitions []OffsetFetchResponsePartition
	Tags       TaggedFields
}

// OffsetFetchResponsePartition is one partition's committed offset (v0-7).
type OffsetFetchResponsePartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32   // v5+, default -1
	Metadata             *string // nil is null
	ErrorCode            int16
	Tags                 TaggedFields
}

// OffsetFetchResponseGroup is one group of a v8+ response.
type OffsetFetchResponseGroup struct {
	GroupId   string
	Topics    []OffsetFetchResponseTopics
	ErrorCode int16
	Tags      TaggedFields
}

// OffsetFetchResponseTopics is one topic of a group (v8+).
type OffsetFetchResponseTopics struct {
	Name       string // v8-9
	TopicId    UUID   // v10+
	Partitions []OffsetFetchResponsePartitions
	Tags       TaggedFields
}

// OffsetFetchResponsePartitions is one partition's committed offset (v8+).
type OffsetFetchResponsePartitions struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32   // default -1
	Metadata             *string // nil is null
	ErrorCode            int16
	Tags                 TaggedFields
}

// Key returns KeyOffsetFetch.
func (m *OffsetFetchResponse) Key() APIKey { return KeyOffsetFetch }

// APIVersion returns m.Version.
func (m *OffsetFetchResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetFetchResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs (0 before v3).
func (m *OffsetFetchResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. It fails when Groups is set before
// v8, or Topics from v8 on.
func (m *OffsetFetchResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetFetch, v); err != nil {
		return dst, err
	}
	if v < 8 && len(m.Groups) > 0 {
		return dst, errNotInVersion(KeyOffsetFetch, v, "Groups (use Topics)")
	}
	if v >= 8 && len(m.Topics) > 0 {
		return dst, errNotInVersion(KeyOffsetFetch, v, "Topics (use Groups)")
	}
	w := NewWriter(dst, KeyOffsetFetch.Flexible(v))
	if v >= 3 {
		w.Int32(m.ThrottleTimeMs)
	}
	if v <= 7 {
		w.ArrayLen(len(m.Topics))
		for i := range m.Topics {
			t := &m.Topics[i]
			w.String(t.Name)
			w.ArrayLen(len(t.Partitions))
			for j := range t.Partitions {
				p := &t.Partitions[j]
				w.Int32(p.PartitionIndex)
				w.Int64(p.CommittedOffset)
				if v >= 5 {
					w.Int32(p.CommittedLeaderEpoch)
				}
				w.NullableString(p.Metadata)
				w.Int16(p.ErrorCode)
				w.Tags(p.Tags)
			}
			w.Tags(t.Tags)
		}
		if v >= 2 {
			w.Int16(m.ErrorCode)
		}
	} else {
		w.ArrayLen(len(m.Groups))
		for i := range m.Groups {
			g := &m.Groups[i]
			w.String(g.GroupId)
			w.ArrayLen(len(g.Topics))
			for j := range g.Topics {
				t := &g.Topics[j]
				if v >= 10 {
					w.UUID(t.TopicId)
				} else {
					w.String(t.Name)
				}
				w.ArrayLen(len(t.Partitions))
				for k := range t.Partitions {
					p := &t.Partitions[k]
					w.Int32(p.PartitionIndex)
					w.Int64(p.CommittedOffset)
					w.Int32(p.CommittedLeaderEpoch)
					w.NullableString(p.Metadata)
					w.Int16(p.ErrorCode)
					w.Tags(p.Tags)
				}
				w.Tags(t.Tags)
			}
			w.Int16(g.ErrorCode)
			w.Tags(g.Tags)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *OffsetFetchResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetFetch, v); err != nil {
		return err
	}
	r := NewReader(src, KeyOffsetFetch.Flexible(v))
	*m = OffsetFetchResponse{Version: v}
	if v >= 3 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if v <= 7 {
		if n := r.ArrayLen("Topics", 3); r.Err() == nil {
			m.Topics = make([]OffsetFetchResponseTopic, n)
			for i := range m.Topics {
				t := &m.Topics[i]
				t.Name = r.String("Name")
				n := r.ArrayLen("Partitions", 15) // index, offset, null metadata, error
				if r.Err() != nil {
					break
				}
				t.Partitions = make([]OffsetFetchResponsePartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					p.PartitionIndex = r.Int32("PartitionIndex")
					p.CommittedOffset = r.Int64("CommittedOffset")
					p.CommittedLeaderEpoch = -1
					if v >= 5 {
						p.CommittedLeaderEpoch = r.Int32("CommittedLeaderEpoch")
					}
					p.Metadata = r.NullableString("Metadata")
					p.ErrorCode = r.Int16("ErrorCode")
					p.Tags = r.Tags("TaggedFields")
				}
				t.Tags = r.Tags("TaggedFields")
			}
		}
		if v >= 2 {
			m.ErrorCode = r.Int16("ErrorCode")
		}
	} else if n := r.ArrayLen("Groups", 4); r.Err() == nil {
		m.Groups = make([]OffsetFetchResponseGroup, n)
		for i := range m.Groups {
			g := &m.Groups[i]
			g.GroupId = r.String("GroupId")
			topicMin := 3
			if v >= 10 {
				topicMin = 18
			}
			n := r.ArrayLen("Topics", topicMin)
			if r.Err() != nil {
				break
			}
			g.Topics = make([]OffsetFetchResponseTopics, n)
			for j := range g.Topics {
				t := &g.Topics[j]
				if v >= 10 {
					t.TopicId = r.UUID("TopicId")
				} else {
					t.Name = r.String("Name")
				}
				n := r.ArrayLen("Partitions", 20) // index, offset, epoch, null metadata, error, tags
				if r.Err() != nil {
					break
				}
				t.Partitions = make([]OffsetFetchResponsePartitions, n)
				for k := range t.Partitions {
					p := &t.Partitions[k]
					p.PartitionIndex = r.Int32("PartitionIndex")
					p.CommittedOffset = r.Int64("CommittedOffset")
					p.CommittedLeaderEpoch = r.Int32("CommittedLeaderEpoch")
					p.Metadata = r.NullableString("Metadata")
					p.ErrorCode = r.Int16("ErrorCode")
					p.Tags = r.Tags("TaggedFields")
				}
				t.Tags = r.Tags("TaggedFields")
			}
			g.ErrorCode = r.Int16("ErrorCode")
			g.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetFetchResponse", v)
}

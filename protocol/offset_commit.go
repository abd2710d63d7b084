package protocol

// OffsetCommitRequest commits consumed offsets for a group (OffsetCommit,
// key 8, v0-10). Flexible from v8 (KIP-482).
//
// v1 adds the generation, member id and a per-partition CommitTimestamp; v2
// replaces CommitTimestamp by RetentionTimeMs, which v5 drops again (KIP-211);
// v6 CommittedLeaderEpoch (KIP-320); v7 GroupInstanceId (KIP-345); v9 may be
// sent by members of the consumer group protocol, with the member epoch in
// GenerationIdOrMemberEpoch (KIP-848); v10 topic ids replace names (KIP-848;
// Kafka 4.1 serves v10 only with unstable.api.versions.enable, 4.4 always).
//
// A decoded OffsetCommitRequest aliases src only in the Data of unknown
// tagged fields.
type OffsetCommitRequest struct {
	Version int16

	GroupId                   string
	GenerationIdOrMemberEpoch int32   // v1+, default -1
	MemberId                  string  // v1+
	GroupInstanceId           *string // v7+, nil is null (the default)
	RetentionTimeMs           int64   // v2-4, default -1 (the broker's retention)
	Topics                    []OffsetCommitRequestTopic
	Tags                      TaggedFields
}

// OffsetCommitRequestTopic is one topic of an OffsetCommitRequest.
type OffsetCommitRequestTopic struct {
	Name       string // v0-9
	TopicId    UUID   // v10+
	Partitions []OffsetCommitRequestPartition
	Tags       TaggedFields
}

// OffsetCommitRequestPartition is the offset committed for one partition:
// the next offset to read, not the last one read.
type OffsetCommitRequestPartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32   // v6+, default -1
	CommitTimestamp      int64   // v1 only, default -1
	CommittedMetadata    *string // nil is null
	Tags                 TaggedFields
}

// Key returns KeyOffsetCommit.
func (m *OffsetCommitRequest) Key() APIKey { return KeyOffsetCommit }

// APIVersion returns m.Version.
func (m *OffsetCommitRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetCommitRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns an OffsetCommitResponse of the same version.
func (m *OffsetCommitRequest) NewResponse() Response {
	return &OffsetCommitResponse{Version: m.Version}
}

// Encode appends the request body to dst. It fails if GroupInstanceId is set
// for a version before 7; other fields the version lacks are not written.
func (m *OffsetCommitRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetCommit, v); err != nil {
		return dst, err
	}
	if v < 7 && m.GroupInstanceId != nil {
		return dst, errNotInVersion(KeyOffsetCommit, v, "GroupInstanceId")
	}
	w := NewWriter(dst, KeyOffsetCommit.Flexible(v))
	w.String(m.GroupId)
	if v >= 1 {
		w.Int32(m.GenerationIdOrMemberEpoch)
		w.String(m.MemberId)
	}
	if v >= 7 {
		w.NullableString(m.GroupInstanceId)
	}
	if v >= 2 && v <= 4 {
		w.Int64(m.RetentionTimeMs)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		if v >= 10 {
			w.UUID(t.TopicId)
		} else {
			w.String(t.Name)
		}
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.PartitionIndex)
			w.Int64(p.CommittedOffset)
			if v >= 6 {
				w.Int32(p.CommittedLeaderEpoch)
			}
			if v == 1 {
				w.Int64(p.CommitTimestamp)
			}
			w.NullableString(p.CommittedMetadata)
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *OffsetCommitRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetCommit, v); err != nil {
		return err
	}
	r := NewReader(src, KeyOffsetCommit.Flexible(v))
	*m = OffsetCommitRequest{Version: v, GenerationIdOrMemberEpoch: -1, RetentionTimeMs: -1}
	m.GroupId = r.String("GroupId")
	if v >= 1 {
		m.GenerationIdOrMemberEpoch = r.Int32("GenerationIdOrMemberEpoch")
		m.MemberId = r.String("MemberId")
	}
	if v >= 7 {
		m.GroupInstanceId = r.NullableString("GroupInstanceId")
	}
	if v >= 2 && v <= 4 {
		m.RetentionTimeMs = r.Int64("RetentionTimeMs")
	}
	topicMin := 6 // name length + partition count
	if v >= 10 {
		topicMin = 18
	} else if r.Flexible {
		topicMin = 3
	}
	if n := r.ArrayLen("Topics", topicMin); r.Err() == nil {
		m.Topics = make([]OffsetCommitRequestTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			if v >= 10 {
				t.TopicId = r.UUID("TopicId")
			} else {
				t.Name = r.String("Name")
			}
			n := r.ArrayLen("Partitions", 13) // index, offset, null metadata
			if r.Err() != nil {
				break
			}
			t.Partitions = make([]OffsetCommitRequestPartition, n)
			for j := range t.Partitions {
				p := &t.Partitions[j]
				p.PartitionIndex = r.Int32("PartitionIndex")
				p.CommittedOffset = r.Int64("CommittedOffset")
				p.CommittedLeaderEpoch, p.CommitTimestamp = -1, -1
				if v >= 6 {
					p.CommittedLeaderEpoch = r.Int32("CommittedLeaderEpoch")
				}
				if v == 1 {
					p.CommitTimestamp = r.Int64("CommitTimestamp")
				}
				p.CommittedMetadata = r.NullableString("CommittedMetadata")
				p.Tags = r.Tags("TaggedFields")
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetCommitRequest", v)
}

// OffsetCommitResponse reports, per partition, whether a commit succeeded.
// Versions as for OffsetCommitRequest: v3 adds ThrottleTimeMs; v10 topic
// ids replace names. A decoded OffsetCommitResponse aliases src only in the
// Data of unknown tagged fields.
type OffsetCommitResponse struct {
	Version int16

	ThrottleTimeMs int32 // v3+
	Topics         []OffsetCommitResponseTopic
	Tags           TaggedFields
}

// OffsetCommitResponseTopic is one topic of an OffsetCommitResponse.
type OffsetCommitResponseTopic struct {
	Name       string // v0-9
	TopicId    UUID   // v10+
	Partitions []OffsetCommitResponsePartition
	Tags       TaggedFields
}

// OffsetCommitResponsePartition is the outcome of one partition's commit.
type OffsetCommitResponsePartition struct {
	PartitionIndex int32
	ErrorCode      int16
	Tags           TaggedFields
}

// Key returns KeyOffsetCommit.
func (m *OffsetCommitResponse) Key() APIKey { return KeyOffsetCommit }

// APIVersion returns m.Version.
func (m *OffsetCommitResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetCommitResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs (0 before v3).
func (m *OffsetCommitResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *OffsetCommitResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetCommit, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyOffsetCommit.Flexible(v))
	if v >= 3 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		if v >= 10 {
			w.UUID(t.TopicId)
		} else {
			w.String(t.Name)
		}
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.PartitionIndex)
			w.Int16(p.ErrorCode)
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *OffsetCommitResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetCommit, v); err != nil {
		return err
	}
	r := NewReader(src, KeyOffsetCommit.Flexible(v))
	*m = OffsetCommitResponse{Version: v}
	if v >= 3 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	topicMin := 6
	if v >= 10 {
		topicMin = 18
	} else if r.Flexible {
		topicMin = 3
	}
	if n := r.ArrayLen("Topics", topicMin); r.Err() == nil {
		m.Topics = make([]OffsetCommitResponseTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			if v >= 10 {
				t.TopicId = r.UUID("TopicId")
			} else {
				t.Name = r.String("Name")
			}
			n := r.ArrayLen("Partitions", 6)
			if r.Err() != nil {
				break
			}
			t.Partitions = make([]OffsetCommitResponsePartition, n)
			for j := range t.Partitions {
				p := &t.Partitions[j]
				p.PartitionIndex = r.Int32("PartitionIndex")
				p.ErrorCode = r.Int16("ErrorCode")
				p.Tags = r.Tags("TaggedFields")
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetCommitResponse", v)
}

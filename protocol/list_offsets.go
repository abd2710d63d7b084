package protocol

// Special timestamps of ListOffsetsRequestPartition.Timestamp.
const (
	ListOffsetsLatest        int64 = -1 // the high watermark (or last stable offset under read_committed)
	ListOffsetsEarliest      int64 = -2 // the log start offset
	ListOffsetsMaxTimestamp  int64 = -3 // the record with the largest timestamp (v7+, KIP-734)
	ListOffsetsEarliestLocal int64 = -4 // the local log start offset (v8+, KIP-405)
	ListOffsetsLatestTiered  int64 = -5 // the last tiered offset (v9+, KIP-1005)

	// ListOffsetsEarliestPendingUpload is the earliest offset not yet
	// uploaded to tiered storage (v11+, KIP-1023).
	ListOffsetsEarliestPendingUpload int64 = -6
)

// ListOffsetsRequest asks for the offset of each partition at a timestamp
// (ListOffsets, key 2, v0-11; Kafka 3.9 serves v0-9, Kafka 4.0-4.1 v1-10,
// 4.4 v1-11; KIP-98 IsolationLevel v2, KIP-320 CurrentLeaderEpoch v4,
// KIP-734 v7, KIP-405 v8, KIP-1005 v9, KIP-1075 TimeoutMs v10; v11, KIP-1023,
// only allows the timestamp ListOffsetsEarliestPendingUpload). Only the Data
// of unknown tagged fields points into the decoded bytes.
type ListOffsetsRequest struct {
	Version int16

	ReplicaId      int32 // -1 for a consumer
	IsolationLevel int8  // v2+; 0 read_uncommitted, 1 read_committed
	Topics         []ListOffsetsRequestTopic
	TimeoutMs      int32 // v10+
	Tags           TaggedFields
}

// ListOffsetsRequestTopic is one topic of a ListOffsetsRequest.
type ListOffsetsRequestTopic struct {
	Name       string
	Partitions []ListOffsetsRequestPartition
	Tags       TaggedFields
}

// ListOffsetsRequestPartition is one partition of a ListOffsetsRequest.
type ListOffsetsRequestPartition struct {
	PartitionIndex     int32
	CurrentLeaderEpoch int32 // v4+, default -1
	Timestamp          int64 // or one of the ListOffsets* special values
	MaxNumOffsets      int32 // v0 only, default 1
	Tags               TaggedFields
}

// Key returns KeyListOffsets.
func (m *ListOffsetsRequest) Key() APIKey { return KeyListOffsets }

// APIVersion returns m.Version.
func (m *ListOffsetsRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ListOffsetsRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a ListOffsetsResponse of the same version.
func (m *ListOffsetsRequest) NewResponse() Response { return &ListOffsetsResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails when IsolationLevel is
// read_committed before v2, which the version cannot carry.
func (m *ListOffsetsRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyListOffsets, v); err != nil {
		return dst, err
	}
	if v < 2 && m.IsolationLevel != 0 {
		return dst, encodeFieldError("ListOffsetsRequest", v, "IsolationLevel", "needs v2+")
	}
	w := NewWriter(dst, KeyListOffsets.Flexible(v))
	w.Int32(m.ReplicaId)
	if v >= 2 {
		w.Int8(m.IsolationLevel)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Name)
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.PartitionIndex)
			if v >= 4 {
				w.Int32(p.CurrentLeaderEpoch)
			}
			w.Int64(p.Timestamp)
			if v == 0 {
				w.Int32(p.MaxNumOffsets)
			}
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	if v >= 10 {
		w.Int32(m.TimeoutMs)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *ListOffsetsRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyListOffsets, v); err != nil {
		return err
	}
	*m = ListOffsetsRequest{Version: v}
	r := NewReader(src, KeyListOffsets.Flexible(v))
	m.ReplicaId = r.Int32("ReplicaId")
	if v >= 2 {
		m.IsolationLevel = r.Int8("IsolationLevel")
	}
	if n := r.ArrayLen("Topics", 3); r.Err() == nil {
		m.Topics = make([]ListOffsetsRequestTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Name = r.String("Name")
			if n := r.ArrayLen("Partitions", 12); r.Err() == nil {
				t.Partitions = make([]ListOffsetsRequestPartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					p.PartitionIndex = r.Int32("PartitionIndex")
					p.CurrentLeaderEpoch = -1
					if v >= 4 {
						p.CurrentLeaderEpoch = r.Int32("CurrentLeaderEpoch")
					}
					p.Timestamp = r.Int64("Timestamp")
					p.MaxNumOffsets = 1
					if v == 0 {
						p.MaxNumOffsets = r.Int32("MaxNumOffsets")
					}
					p.Tags = r.Tags("TaggedFields")
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 10 {
		m.TimeoutMs = r.Int32("TimeoutMs")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ListOffsetsRequest", v)
}

// ListOffsetsResponse holds the offset found for each partition (ListOffsets,
// key 2, v0-11; see ListOffsetsRequest). Version 0 answers with
// OldStyleOffsets; versions 1+ with one Timestamp and Offset. Only the Data of
// unknown tagged fields points into the decoded bytes.
type ListOffsetsResponse struct {
	Version int16

	ThrottleTimeMs int32 // v2+
	Topics         []ListOffsetsResponseTopic
	Tags           TaggedFields
}

// ListOffsetsResponseTopic is one topic of a ListOffsetsResponse.
type ListOffsetsResponseTopic struct {
	Name       string
	Partitions []ListOffsetsResponsePartition
	Tags       TaggedFields
}

// ListOffsetsResponsePartition is one partition's result.
type ListOffsetsResponsePartition struct {
	PartitionIndex  int32
	ErrorCode       int16
	OldStyleOffsets []int64 // v0 only
	Timestamp       int64   // v1+, default -1
	Offset          int64   // v1+, default -1
	LeaderEpoch     int32   // v4+, default -1
	Tags            TaggedFields
}

// Key returns KeyListOffsets.
func (m *ListOffsetsResponse) Key() APIKey { return KeyListOffsets }

// APIVersion returns m.Version.
func (m *ListOffsetsResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ListOffsetsResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *ListOffsetsResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. It fails when a partition holds a
// value that m.Version cannot carry: OldStyleOffsets after v0, or Timestamp
// or Offset other than -1 at v0.
func (m *ListOffsetsResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyListOffsets, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyListOffsets.Flexible(v))
	if v >= 2 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Name)
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.PartitionIndex)
			w.Int16(p.ErrorCode)
			if v == 0 {
				if p.Timestamp != -1 || p.Offset != -1 {
					return dst, encodeFieldError("ListOffsetsResponse", v, "Timestamp/Offset", "need v1+ (use OldStyleOffsets)")
				}
				w.ArrayLen(len(p.OldStyleOffsets))
				for _, o := range p.OldStyleOffsets {
					w.Int64(o)
				}
			} else {
				if len(p.OldStyleOffsets) > 0 {
					return dst, encodeFieldError("ListOffsetsResponse", v, "OldStyleOffsets", "are v0 only")
				}
				w.Int64(p.Timestamp)
				w.Int64(p.Offset)
			}
			if v >= 4 {
				w.Int32(p.LeaderEpoch)
			}
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *ListOffsetsResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyListOffsets, v); err != nil {
		return err
	}
	*m = ListOffsetsResponse{Version: v}
	r := NewReader(src, KeyListOffsets.Flexible(v))
	if v >= 2 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if n := r.ArrayLen("Topics", 3); r.Err() == nil {
		m.Topics = make([]ListOffsetsResponseTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Name = r.String("Name")
			if n := r.ArrayLen("Partitions", 10); r.Err() == nil {
				t.Partitions = make([]ListOffsetsResponsePartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					p.PartitionIndex = r.Int32("PartitionIndex")
					p.ErrorCode = r.Int16("ErrorCode")
					p.Timestamp, p.Offset, p.LeaderEpoch = -1, -1, -1
					if v == 0 {
						if n := r.ArrayLen("OldStyleOffsets", 8); r.Err() == nil {
							p.OldStyleOffsets = make([]int64, n)
							for k := range p.OldStyleOffsets {
								p.OldStyleOffsets[k] = r.Int64("OldStyleOffsets")
							}
						}
					} else {
						p.Timestamp = r.Int64("Timestamp")
						p.Offset = r.Int64("Offset")
					}
					if v >= 4 {
						p.LeaderEpoch = r.Int32("LeaderEpoch")
					}
					p.Tags = r.Tags("TaggedFields")
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ListOffsetsResponse", v)
}

package protocol

// OffsetForLeaderEpochRequest asks, for each partition, where a leader epoch
// ends: a consumer uses it to detect log truncation after a leader change
// (OffsetForLeaderEpoch, key 23, v0-4; Kafka 3.9 serves v0-4, Kafka 4.x v2-4;
// KIP-101, KIP-279 LeaderEpoch in the response v1, KIP-320 CurrentLeaderEpoch
// v2 and ReplicaId v3). Only the Data of unknown tagged fields points into
// the decoded bytes.
type OffsetForLeaderEpochRequest struct {
	Version int16

	ReplicaId int32 // v3+, default -2 (debug); -1 for a consumer
	Topics    []OffsetForLeaderEpochRequestTopic
	Tags      TaggedFields
}

// OffsetForLeaderEpochRequestTopic is one topic of the request.
type OffsetForLeaderEpochRequestTopic struct {
	Topic      string
	Partitions []OffsetForLeaderEpochRequestPartition
	Tags       TaggedFields
}

// OffsetForLeaderEpochRequestPartition is one partition of the request.
type OffsetForLeaderEpochRequestPartition struct {
	Partition          int32
	CurrentLeaderEpoch int32 // v2+, default -1
	LeaderEpoch        int32 // the epoch whose end offset is wanted
	Tags               TaggedFields
}

// Key returns KeyOffsetForLeaderEpoch.
func (m *OffsetForLeaderEpochRequest) Key() APIKey { return KeyOffsetForLeaderEpoch }

// APIVersion returns m.Version.
func (m *OffsetForLeaderEpochRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetForLeaderEpochRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns an OffsetForLeaderEpochResponse of the same version.
func (m *OffsetForLeaderEpochRequest) NewResponse() Response {
	return &OffsetForLeaderEpochResponse{Version: m.Version}
}

// Encode appends the request body to dst.
func (m *OffsetForLeaderEpochRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetForLeaderEpoch, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyOffsetForLeaderEpoch.Flexible(v))
	if v >= 3 {
		w.Int32(m.ReplicaId)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Topic)
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.Partition)
			if v >= 2 {
				w.Int32(p.CurrentLeaderEpoch)
			}
			w.Int32(p.LeaderEpoch)
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *OffsetForLeaderEpochRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetForLeaderEpoch, v); err != nil {
		return err
	}
	*m = OffsetForLeaderEpochRequest{Version: v, ReplicaId: -2}
	r := NewReader(src, KeyOffsetForLeaderEpoch.Flexible(v))
	if v >= 3 {
		m.ReplicaId = r.Int32("ReplicaId")
	}
	if n := r.ArrayLen("Topics", 3); r.Err() == nil {
		m.Topics = make([]OffsetForLeaderEpochRequestTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Topic = r.String("Topic")
			if n := r.ArrayLen("Partitions", 8); r.Err() == nil {
				t.Partitions = make([]OffsetForLeaderEpochRequestPartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					p.Partition = r.Int32("Partition")
					p.CurrentLeaderEpoch = -1
					if v >= 2 {
						p.CurrentLeaderEpoch = r.Int32("CurrentLeaderEpoch")
					}
					p.LeaderEpoch = r.Int32("LeaderEpoch")
					p.Tags = r.Tags("TaggedFields")
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetForLeaderEpochRequest", v)
}

// OffsetForLeaderEpochResponse holds where each asked-for epoch ends
// (OffsetForLeaderEpoch, key 23, v0-4; see OffsetForLeaderEpochRequest).
// Only the Data of unknown tagged fields points into the decoded bytes.
type OffsetForLeaderEpochResponse struct {
	Version int16

	ThrottleTimeMs int32 // v2+
	Topics         []OffsetForLeaderEpochResponseTopic
	Tags           TaggedFields
}

// OffsetForLeaderEpochResponseTopic is one topic of the response (Kafka's
// OffsetForLeaderTopicResult).
type OffsetForLeaderEpochResponseTopic struct {
	Topic      string
	Partitions []OffsetForLeaderEpochResponsePartition
	Tags       TaggedFields
}

// OffsetForLeaderEpochResponsePartition is one partition's answer (Kafka's
// EpochEndOffset).
type OffsetForLeaderEpochResponsePartition struct {
	ErrorCode   int16
	Partition   int32
	LeaderEpoch int32 // v1+, default -1: the largest epoch not above the one asked for
	EndOffset   int64 // default -1
	Tags        TaggedFields
}

// Key returns KeyOffsetForLeaderEpoch.
func (m *OffsetForLeaderEpochResponse) Key() APIKey { return KeyOffsetForLeaderEpoch }

// APIVersion returns m.Version.
func (m *OffsetForLeaderEpochResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *OffsetForLeaderEpochResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *OffsetForLeaderEpochResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *OffsetForLeaderEpochResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyOffsetForLeaderEpoch, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyOffsetForLeaderEpoch.Flexible(v))
	if v >= 2 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Topic)
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int16(p.ErrorCode)
			w.Int32(p.Partition)
			if v >= 1 {
				w.Int32(p.LeaderEpoch)
			}
			w.Int64(p.EndOffset)
			w.Tags(p.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *OffsetForLeaderEpochResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyOffsetForLeaderEpoch, v); err != nil {
		return err
	}
	*m = OffsetForLeaderEpochResponse{Version: v}
	r := NewReader(src, KeyOffsetForLeaderEpoch.Flexible(v))
	if v >= 2 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if n := r.ArrayLen("Topics", 3); r.Err() == nil {
		m.Topics = make([]OffsetForLeaderEpochResponseTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Topic = r.String("Topic")
			if n := r.ArrayLen("Partitions", 14); r.Err() == nil {
				t.Partitions = make([]OffsetForLeaderEpochResponsePartition, n)
				for j := range t.Partitions {
					p := &t.Partitions[j]
					p.ErrorCode = r.Int16("ErrorCode")
					p.Partition = r.Int32("Partition")
					p.LeaderEpoch = -1
					if v >= 1 {
						p.LeaderEpoch = r.Int32("LeaderEpoch")
					}
					p.EndOffset = r.Int64("EndOffset")
					p.Tags = r.Tags("TaggedFields")
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("OffsetForLeaderEpochResponse", v)
}

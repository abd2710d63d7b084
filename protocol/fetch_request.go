package protocol

import "fmt"

// FetchRequest asks a broker for record data from a set of partitions
// (Fetch, key 1, v0-18). Flexible from v12 (KIP-482).
//
// Version history, as a consumer sees it: v3 MaxBytes (KIP-74); v4
// IsolationLevel (KIP-98); v5 LogStartOffset; v7 fetch sessions with
// SessionId, SessionEpoch and ForgottenTopicsData (KIP-227); v9
// CurrentLeaderEpoch (KIP-320); v11 RackId (KIP-392); v12 LastFetchedEpoch
// and the ClusterId tag (KIP-595); v13 topic ids replace names (KIP-516); v15
// ReplicaState replaces ReplicaId (KIP-903); v17 ReplicaDirectoryId
// (KIP-853); v18 HighWatermark (KIP-1166).
//
// Several fields have a Kafka default that is not Go's zero value (ReplicaId
// and ReplicaState -1 mean "a consumer, not a follower"; SessionEpoch -1 means
// "no session"; per partition CurrentLeaderEpoch, LastFetchedEpoch and
// LogStartOffset -1, HighWatermark math.MaxInt64). NewFetchRequest and
// NewFetchPartition return values with those defaults set; a zero ReplicaState
// at v15+ would claim to be follower 0.
//
// A decoded FetchRequest aliases src only in the Data of unknown tagged
// fields. Encode allocates nothing beyond
// the growth of dst when no known tagged field carries a non-default value,
// which is always the case for a consumer.
type FetchRequest struct {
	Version int16

	ClusterId      *string                  // tag 0, v12+; nil is null (the default)
	ReplicaId      int32                    // v0-14, default -1 (a consumer)
	ReplicaState   FetchRequestReplicaState // tag 1, v15+
	MaxWaitMs      int32
	MinBytes       int32
	MaxBytes       int32 // v3+, default 0x7fffffff
	IsolationLevel int8  // v4+: 0 read_uncommitted, 1 read_committed
	SessionId      int32 // v7+, default 0
	SessionEpoch   int32 // v7+, default -1
	Topics         []FetchTopic
	// ForgottenTopicsData lists the partitions an incremental fetch drops
	// from the session (v7+).
	ForgottenTopicsData []FetchRequestForgottenTopic
	RackId              string // v11+
	Tags                TaggedFields
}

// FetchRequestReplicaState identifies a follower fetching as a replica
// (v15+). A consumer leaves it at its default, ReplicaId -1, ReplicaEpoch -1.
type FetchRequestReplicaState struct {
	ReplicaId    int32 // default -1
	ReplicaEpoch int64 // default -1
	Tags         TaggedFields
}

// isDefault reports whether s equals its JSON default, in which case the
// tagged field is not written.
func (s *FetchRequestReplicaState) isDefault() bool {
	return s.ReplicaId == -1 && s.ReplicaEpoch == -1 && len(s.Tags) == 0
}

// FetchTopic is one topic of a FetchRequest.
type FetchTopic struct {
	Topic      string // v0-12
	TopicId    UUID   // v13+
	Partitions []FetchPartition
	Tags       TaggedFields
}

// FetchPartition is one partition of a FetchRequest.
type FetchPartition struct {
	Partition          int32
	CurrentLeaderEpoch int32 // v9+, default -1
	FetchOffset        int64
	LastFetchedEpoch   int32 // v12+, default -1
	LogStartOffset     int64 // v5+, default -1 (only followers set it)
	PartitionMaxBytes  int32
	ReplicaDirectoryId UUID  // tag 0, v17+ (followers only)
	HighWatermark      int64 // tag 1, v18+, default math.MaxInt64 (followers only)
	Tags               TaggedFields
}

// FetchRequestForgottenTopic names partitions that an incremental fetch
// removes from its fetch session.
type FetchRequestForgottenTopic struct {
	Topic      string // v7-12
	TopicId    UUID   // v13+
	Partitions []int32
	Tags       TaggedFields
}

// fetchNoHighWatermark is the default of FetchPartition.HighWatermark: the
// replica does not support the feature.
const fetchNoHighWatermark = 1<<63 - 1

// NewFetchRequest returns a FetchRequest of version v with every field at
// its Kafka default: a consumer's request with no session (SessionEpoch -1)
// and no topics.
func NewFetchRequest(v int16) *FetchRequest {
	return &FetchRequest{Version: v, ReplicaId: -1, MaxBytes: 0x7fffffff, SessionEpoch: -1,
		ReplicaState: FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1}}
}

// NewFetchPartition returns a FetchPartition that fetches partition from
// fetchOffset, up to maxBytes, with the other fields at their Kafka defaults
// (no known leader epoch, no last fetched epoch).
func NewFetchPartition(partition int32, fetchOffset int64, maxBytes int32) FetchPartition {
	return FetchPartition{Partition: partition, CurrentLeaderEpoch: -1, FetchOffset: fetchOffset,
		LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: maxBytes, HighWatermark: fetchNoHighWatermark}
}

// Key returns KeyFetch.
func (m *FetchRequest) Key() APIKey { return KeyFetch }

// APIVersion returns m.Version.
func (m *FetchRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *FetchRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a FetchResponse of the same version.
func (m *FetchRequest) NewResponse() Response { return &FetchResponse{Version: m.Version} }

// Encode appends the request body to dst. Fields this version lacks are not
// written, except that ForgottenTopicsData before v7 (no fetch sessions) is
// an error, since dropping it would silently change what is fetched.
func (m *FetchRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyFetch, v); err != nil {
		return dst, err
	}
	if v < 7 && len(m.ForgottenTopicsData) > 0 {
		return dst, fmt.Errorf("protocol: Fetch v%d has no fetch sessions and cannot carry ForgottenTopicsData", v)
	}
	w := NewWriter(dst, KeyFetch.Flexible(v))
	if v <= 14 {
		w.Int32(m.ReplicaId)
	}
	w.Int32(m.MaxWaitMs)
	w.Int32(m.MinBytes)
	if v >= 3 {
		w.Int32(m.MaxBytes)
	}
	if v >= 4 {
		w.Int8(m.IsolationLevel)
	}
	if v >= 7 {
		w.Int32(m.SessionId)
		w.Int32(m.SessionEpoch)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		if v >= 13 {
			w.UUID(t.TopicId)
		} else {
			w.String(t.Topic)
		}
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int32(p.Partition)
			if v >= 9 {
				w.Int32(p.CurrentLeaderEpoch)
			}
			w.Int64(p.FetchOffset)
			if v >= 12 {
				w.Int32(p.LastFetchedEpoch)
			}
			if v >= 5 {
				w.Int64(p.LogStartOffset)
			}
			w.Int32(p.PartitionMaxBytes)
			if !w.Flexible {
				continue
			}
			var known []TaggedField
			if v >= 17 && !p.ReplicaDirectoryId.IsZero() {
				known = append(known, EncodeTag(0, func(w *Writer) { w.UUID(p.ReplicaDirectoryId) }))
			}
			if v >= 18 && p.HighWatermark != fetchNoHighWatermark {
				known = append(known, EncodeTag(1, func(w *Writer) { w.Int64(p.HighWatermark) }))
			}
			w.TagsWith(p.Tags, known...)
		}
		w.Tags(t.Tags)
	}
	if v >= 7 {
		w.ArrayLen(len(m.ForgottenTopicsData))
		for i := range m.ForgottenTopicsData {
			t := &m.ForgottenTopicsData[i]
			if v >= 13 {
				w.UUID(t.TopicId)
			} else {
				w.String(t.Topic)
			}
			w.Int32Array(t.Partitions)
			w.Tags(t.Tags)
		}
	}
	if v >= 11 {
		w.String(m.RackId)
	}
	if !w.Flexible {
		return w.B, nil
	}
	var known []TaggedField
	if m.ClusterId != nil {
		known = append(known, EncodeTag(0, func(w *Writer) { w.NullableString(m.ClusterId) }))
	}
	if v >= 15 && !m.ReplicaState.isDefault() {
		known = append(known, EncodeTag(1, func(w *Writer) {
			w.Int32(m.ReplicaState.ReplicaId)
			w.Int64(m.ReplicaState.ReplicaEpoch)
			w.Tags(m.ReplicaState.Tags)
		}))
	}
	w.TagsWith(m.Tags, known...)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *FetchRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyFetch, v); err != nil {
		return err
	}
	r := NewReader(src, KeyFetch.Flexible(v))
	*m = *NewFetchRequest(v)
	if v <= 14 {
		m.ReplicaId = r.Int32("ReplicaId")
	}
	m.MaxWaitMs = r.Int32("MaxWaitMs")
	m.MinBytes = r.Int32("MinBytes")
	if v >= 3 {
		m.MaxBytes = r.Int32("MaxBytes")
	}
	if v >= 4 {
		m.IsolationLevel = r.Int8("IsolationLevel")
	}
	if v >= 7 {
		m.SessionId = r.Int32("SessionId")
		m.SessionEpoch = r.Int32("SessionEpoch")
	}
	topicMin := 6 // name length + partition count
	if v >= 13 {
		topicMin = 18 // uuid + compact count + tags
	} else if r.Flexible {
		topicMin = 3
	}
	if n := r.ArrayLen("Topics", topicMin); r.Err() == nil {
		m.Topics = make([]FetchTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			if v >= 13 {
				t.TopicId = r.UUID("TopicId")
			} else {
				t.Topic = r.String("Topic")
			}
			n := r.ArrayLen("Partitions", 16)
			if r.Err() != nil {
				break
			}
			t.Partitions = make([]FetchPartition, n)
			for j := range t.Partitions {
				p := &t.Partitions[j]
				*p = NewFetchPartition(r.Int32("Partition"), 0, 0)
				if v >= 9 {
					p.CurrentLeaderEpoch = r.Int32("CurrentLeaderEpoch")
				}
				p.FetchOffset = r.Int64("FetchOffset")
				if v >= 12 {
					p.LastFetchedEpoch = r.Int32("LastFetchedEpoch")
				}
				if v >= 5 {
					p.LogStartOffset = r.Int64("LogStartOffset")
				}
				p.PartitionMaxBytes = r.Int32("PartitionMaxBytes")
				for n := r.TagCount("TaggedFields"); n > 0; n-- {
					tag, data := r.Tag("TaggedFields")
					sub := r.SubReader(data)
					switch {
					case tag == 0 && v >= 17:
						p.ReplicaDirectoryId = sub.UUID("ReplicaDirectoryId")
					case tag == 1 && v >= 18:
						p.HighWatermark = sub.Int64("HighWatermark")
					default:
						p.Tags = append(p.Tags, TaggedField{Tag: tag, Data: data})
					}
					r.Absorb(&sub)
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 7 {
		if n := r.ArrayLen("ForgottenTopicsData", topicMin); r.Err() == nil {
			m.ForgottenTopicsData = make([]FetchRequestForgottenTopic, n)
			for i := range m.ForgottenTopicsData {
				t := &m.ForgottenTopicsData[i]
				if v >= 13 {
					t.TopicId = r.UUID("TopicId")
				} else {
					t.Topic = r.String("Topic")
				}
				t.Partitions = r.Int32Array("Partitions")
				t.Tags = r.Tags("TaggedFields")
			}
		}
	}
	if v >= 11 {
		m.RackId = r.String("RackId")
	}
	for n := r.TagCount("TaggedFields"); n > 0; n-- {
		tag, data := r.Tag("TaggedFields")
		sub := r.SubReader(data)
		switch {
		case tag == 0:
			m.ClusterId = sub.NullableString("ClusterId")
		case tag == 1 && v >= 15:
			m.ReplicaState.ReplicaId = sub.Int32("ReplicaId")
			m.ReplicaState.ReplicaEpoch = sub.Int64("ReplicaEpoch")
			m.ReplicaState.Tags = sub.Tags("TaggedFields")
		default:
			m.Tags = append(m.Tags, TaggedField{Tag: tag, Data: data})
		}
		r.Absorb(&sub)
	}
	return r.Finish("FetchRequest", v)
}

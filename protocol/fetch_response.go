package protocol

// FetchResponse carries the record data a broker returns for a FetchRequest
// (Fetch, key 1, v0-18). Flexible from v12 (KIP-482).
//
// v1 ThrottleTimeMs; v4 LastStableOffset and AbortedTransactions (KIP-98);
// v5 LogStartOffset; v7 top-level ErrorCode and SessionId (KIP-227); v11
// PreferredReadReplica (KIP-392); v12 the DivergingEpoch, CurrentLeader and
// SnapshotId tags (KIP-595); v13 topic ids replace names (KIP-516); v16 the
// NodeEndpoints tag (KIP-951).
//
// Each partition's Records points INTO the src given to Decode: it is the raw
// record data (record batches or legacy message sets, possibly ending in a
// partial batch), decoded elsewhere, and stays valid only as long as src is
// neither reused nor modified. The Data of unknown tagged fields also points
// into src; everything else is copied.
type FetchResponse struct {
	Version int16

	ThrottleTimeMs int32 // v1+
	ErrorCode      int16 // v7+
	SessionId      int32 // v7+
	Responses      []FetchableTopicResponse
	// NodeEndpoints (tag 0, v16+) lists the brokers named by the partitions'
	// CurrentLeader after NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH.
	NodeEndpoints []FetchResponseNodeEndpoint
	Tags          TaggedFields
}

// FetchableTopicResponse is one topic of a FetchResponse.
type FetchableTopicResponse struct {
	Topic      string // v0-12
	TopicId    UUID   // v13+
	Partitions []FetchResponsePartitionData
	Tags       TaggedFields
}

// FetchResponsePartitionData is one partition of a FetchResponse.
type FetchResponsePartitionData struct {
	PartitionIndex   int32
	ErrorCode        int16
	HighWatermark    int64
	LastStableOffset int64 // v4+, default -1
	LogStartOffset   int64 // v5+, default -1
	// DivergingEpoch (tag 0, v12+): the largest epoch and its end offset
	// before the log diverges from what the fetcher has.
	DivergingEpoch FetchResponseEpochEndOffset
	// CurrentLeader (tag 1, v12+): the leader, when this broker is not it.
	CurrentLeader FetchResponseLeaderIdAndEpoch
	// SnapshotId (tag 2, v12+): the snapshot to fetch instead, for an
	// offset below the log start.
	SnapshotId FetchResponseSnapshotId
	// AbortedTransactions (v4+) is nil when null, as it is outside
	// read_committed fetches.
	AbortedTransactions  []FetchResponseAbortedTransaction
	PreferredReadReplica int32 // v11+, default -1
	// Records is the raw record data, nil when null. It points into the
	// buffer given to Decode.
	Records []byte
	Tags    TaggedFields
}

// FetchResponseEpochEndOffset is a leader epoch and its end offset; both are
// -1 by default, meaning no divergence.
type FetchResponseEpochEndOffset struct {
	Epoch     int32 // default -1
	EndOffset int64 // default -1
	Tags      TaggedFields
}

func (e *FetchResponseEpochEndOffset) isDefault() bool {
	return e.Epoch == -1 && e.EndOffset == -1 && len(e.Tags) == 0
}

// FetchResponseLeaderIdAndEpoch names a partition's leader; both are -1 by
// default, meaning unknown.
type FetchResponseLeaderIdAndEpoch struct {
	LeaderId    int32 // default -1
	LeaderEpoch int32 // default -1
	Tags        TaggedFields
}

func (l *FetchResponseLeaderIdAndEpoch) isDefault() bool {
	return l.LeaderId == -1 && l.LeaderEpoch == -1 && len(l.Tags) == 0
}

// FetchResponseSnapshotId identifies a snapshot by end offset and epoch;
// both are -1 by default, meaning none.
type FetchResponseSnapshotId struct {
	EndOffset int64 // default -1
	Epoch     int32 // default -1
	Tags      TaggedFields
}

func (s *FetchResponseSnapshotId) isDefault() bool {
	return s.EndOffset == -1 && s.Epoch == -1 && len(s.Tags) == 0
}

// FetchResponseAbortedTransaction is a transaction aborted within the
// fetched range (read_committed): skip the producer's transactional batches
// from FirstOffset until its ABORT marker.
type FetchResponseAbortedTransaction struct {
	ProducerId  int64
	FirstOffset int64
	Tags        TaggedFields
}

// FetchResponseNodeEndpoint is the address of a broker (v16+).
type FetchResponseNodeEndpoint struct {
	NodeId int32
	Host   string
	Port   int32
	Rack   *string // nil is null (the default)
	Tags   TaggedFields
}

// Key returns KeyFetch.
func (m *FetchResponse) Key() APIKey { return KeyFetch }

// APIVersion returns m.Version.
func (m *FetchResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *FetchResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *FetchResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. Fields this version lacks are
// not written.
func (m *FetchResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyFetch, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyFetch.Flexible(v))
	if v >= 1 {
		w.Int32(m.ThrottleTimeMs)
	}
	if v >= 7 {
		w.Int16(m.ErrorCode)
		w.Int32(m.SessionId)
	}
	w.ArrayLen(len(m.Responses))
	for i := range m.Responses {
		t := &m.Responses[i]
		if v >= 13 {
			w.UUID(t.TopicId)
		} else {
			w.String(t.Topic)
		}
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			encodeFetchPartitionData(&w, v, &t.Partitions[j])
		}
		w.Tags(t.Tags)
	}
	if !w.Flexible {
		return w.B, nil
	}
	var known []TaggedField
	if v >= 16 && len(m.NodeEndpoints) > 0 {
		known = append(known, EncodeTag(0, func(w *Writer) {
			w.ArrayLen(len(m.NodeEndpoints))
			for i := range m.NodeEndpoints {
				e := &m.NodeEndpoints[i]
				w.Int32(e.NodeId)
				w.String(e.Host)
				w.Int32(e.Port)
				w.NullableString(e.Rack)
				w.Tags(e.Tags)
			}
		}))
	}
	w.TagsWith(m.Tags, known...)
	return w.B, nil
}

func encodeFetchPartitionData(w *Writer, v int16, p *FetchResponsePartitionData) {
	w.Int32(p.PartitionIndex)
	w.Int16(p.ErrorCode)
	w.Int64(p.HighWatermark)
	if v >= 4 {
		w.Int64(p.LastStableOffset)
	}
	if v >= 5 {
		w.Int64(p.LogStartOffset)
	}
	if v >= 4 {
		w.NullableArrayLen(len(p.AbortedTransactions), p.AbortedTransactions == nil)
		for i := range p.AbortedTransactions {
			a := &p.AbortedTransactions[i]
			w.Int64(a.ProducerId)
			w.Int64(a.FirstOffset)
			w.Tags(a.Tags)
		}
	}
	if v >= 11 {
		w.Int32(p.PreferredReadReplica)
	}
	w.NullableBytes(p.Records)
	if !w.Flexible {
		return
	}
	var known []TaggedField
	if !p.DivergingEpoch.isDefault() {
		known = append(known, EncodeTag(0, func(w *Writer) {
			w.Int32(p.DivergingEpoch.Epoch)
			w.Int64(p.DivergingEpoch.EndOffset)
			w.Tags(p.DivergingEpoch.Tags)
		}))
	}
	if !p.CurrentLeader.isDefault() {
		known = append(known, EncodeTag(1, func(w *Writer) {
			w.Int32(p.CurrentLeader.LeaderId)
			w.Int32(p.CurrentLeader.LeaderEpoch)
			w.Tags(p.CurrentLeader.Tags)
		}))
	}
	if !p.SnapshotId.isDefault() {
		known = append(known, EncodeTag(2, func(w *Writer) {
			w.Int64(p.SnapshotId.EndOffset)
			w.Int32(p.SnapshotId.Epoch)
			w.Tags(p.SnapshotId.Tags)
		}))
	}
	w.TagsWith(p.Tags, known...)
}

// fetchPartitionDataMin returns the fewest bytes a response partition takes
// at version v, to bound the partition count before allocating.
func fetchPartitionDataMin(v int16) int {
	switch {
	case v >= 12:
		return 37 // index, error, 3 offsets, null aborted, replica, null records, tags
	case v >= 11:
		return 42
	case v >= 5:
		return 38
	case v >= 4:
		return 30
	}
	return 18
}

// Decode reads a response body of m.Version from src. Records slices point
// into src.
func (m *FetchResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyFetch, v); err != nil {
		return err
	}
	r := NewReader(src, KeyFetch.Flexible(v))
	*m = FetchResponse{Version: v}
	if v >= 1 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if v >= 7 {
		m.ErrorCode = r.Int16("ErrorCode")
		m.SessionId = r.Int32("SessionId")
	}
	topicMin := 6 // name length + partition count
	if v >= 13 {
		topicMin = 18 // uuid + compact count + tags
	} else if r.Flexible {
		topicMin = 3
	}
	if n := r.ArrayLen("Responses", topicMin); r.Err() == nil {
		m.Responses = make([]FetchableTopicResponse, n)
		for i := range m.Responses {
			t := &m.Responses[i]
			if v >= 13 {
				t.TopicId = r.UUID("TopicId")
			} else {
				t.Topic = r.String("Topic")
			}
			n := r.ArrayLen("Partitions", fetchPartitionDataMin(v))
			if r.Err() != nil {
				break
			}
			t.Partitions = make([]FetchResponsePartitionData, n)
			for j := range t.Partitions {
				decodeFetchPartitionData(&r, v, &t.Partitions[j])
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	for n := r.TagCount("TaggedFields"); n > 0; n-- {
		tag, data := r.Tag("TaggedFields")
		sub := r.SubReader(data)
		switch {
		case tag == 0 && v >= 16:
			if n := sub.ArrayLen("NodeEndpoints", 11); sub.Err() == nil {
				m.NodeEndpoints = make([]FetchResponseNodeEndpoint, n)
				for i := range m.NodeEndpoints {
					e := &m.NodeEndpoints[i]
					e.NodeId = sub.Int32("NodeId")
					e.Host = sub.String("Host")
					e.Port = sub.Int32("Port")
					e.Rack = sub.NullableString("Rack")
					e.Tags = sub.Tags("TaggedFields")
				}
			}
		default:
			m.Tags = append(m.Tags, TaggedField{Tag: tag, Data: data})
		}
		r.Absorb(&sub)
	}
	return r.Finish("FetchResponse", v)
}

func decodeFetchPartitionData(r *Reader, v int16, p *FetchResponsePartitionData) {
	p.PartitionIndex = r.Int32("PartitionIndex")
	p.ErrorCode = r.Int16("ErrorCode")
	p.HighWatermark = r.Int64("HighWatermark")
	p.LastStableOffset, p.LogStartOffset, p.PreferredReadReplica = -1, -1, -1
	p.DivergingEpoch = FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1}
	p.CurrentLeader = FetchResponseLeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1}
	p.SnapshotId = FetchResponseSnapshotId{EndOffset: -1, Epoch: -1}
	if v >= 4 {
		p.LastStableOffset = r.Int64("LastStableOffset")
	}
	if v >= 5 {
		p.LogStartOffset = r.Int64("LogStartOffset")
	}
	if v >= 4 {
		minSize := 16
		if r.Flexible {
			minSize = 17
		}
		if n := r.NullableArrayLen("AbortedTransactions", minSize); n >= 0 && r.Err() == nil {
			p.AbortedTransactions = make([]FetchResponseAbortedTransaction, n)
			for i := range p.AbortedTransactions {
				a := &p.AbortedTransactions[i]
				a.ProducerId = r.Int64("ProducerId")
				a.FirstOffset = r.Int64("FirstOffset")
				a.Tags = r.Tags("TaggedFields")
			}
		}
	}
	if v >= 11 {
		p.PreferredReadReplica = r.Int32("PreferredReadReplica")
	}
	p.Records = r.NullableBytes("Records")
	for n := r.TagCount("TaggedFields"); n > 0; n-- {
		tag, data := r.Tag("TaggedFields")
		sub := r.SubReader(data)
		switch tag {
		case 0:
			p.DivergingEpoch.Epoch = sub.Int32("Epoch")
			p.DivergingEpoch.EndOffset = sub.Int64("EndOffset")
			p.DivergingEpoch.Tags = sub.Tags("TaggedFields")
		case 1:
			p.CurrentLeader.LeaderId = sub.Int32("LeaderId")
			p.CurrentLeader.LeaderEpoch = sub.Int32("LeaderEpoch")
			p.CurrentLeader.Tags = sub.Tags("TaggedFields")
		case 2:
			p.SnapshotId.EndOffset = sub.Int64("EndOffset")
			p.SnapshotId.Epoch = sub.Int32("Epoch")
			p.SnapshotId.Tags = sub.Tags("TaggedFields")
		default:
			p.Tags = append(p.Tags, TaggedField{Tag: tag, Data: data})
		}
		r.Absorb(&sub)
	}
}

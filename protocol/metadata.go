package protocol

import (
	"fmt"
	"math"
)

// MetadataRequest asks for the brokers of the cluster and the partitions,
// leaders and replicas of some or all topics (Metadata, key 3, v0-13; KIP-204
// AllowAutoTopicCreation, KIP-430 authorized operations, KIP-516 topic ids,
// KIP-700 cluster operations moved to DescribeCluster, KIP-1102 top-level
// error code).
//
// Topics nil asks for every topic. Version 0 cannot say "no topics": its empty
// array means every topic, so decoding v0 yields nil for an empty array and
// encoding a non-nil empty Topics at v0 fails. Only the Data of unknown tagged
// fields points into the decoded bytes.
type MetadataRequest struct {
	Version int16

	Topics                             []MetadataRequestTopic // nullable v1+
	AllowAutoTopicCreation             bool                   // v4+, default true
	IncludeClusterAuthorizedOperations bool                   // v8-10
	IncludeTopicAuthorizedOperations   bool                   // v8+
	Tags                               TaggedFields
}

// MetadataRequestTopic names one topic to describe.
type MetadataRequestTopic struct {
	TopicId UUID    // v10+ (brokers honour it from v12)
	Name    *string // nullable v10+ (null when asking by TopicId)
	Tags    TaggedFields
}

// Key returns KeyMetadata.
func (m *MetadataRequest) Key() APIKey { return KeyMetadata }

// APIVersion returns m.Version.
func (m *MetadataRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *MetadataRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a MetadataResponse of the same version.
func (m *MetadataRequest) NewResponse() Response { return &MetadataResponse{Version: m.Version} }

// Encode appends the request body to dst. It fails when a field holds a value
// that m.Version cannot carry and Kafka does not allow to drop.
func (m *MetadataRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyMetadata, v); err != nil {
		return dst, err
	}
	switch {
	case v < 1 && m.Topics != nil && len(m.Topics) == 0:
		return dst, encodeFieldError("MetadataRequest", v, "Topics", "cannot be an empty list (it would mean all topics)")
	case v < 4 && !m.AllowAutoTopicCreation:
		return dst, encodeFieldError("MetadataRequest", v, "AllowAutoTopicCreation", "false needs v4+")
	case (v < 8 || v > 10) && m.IncludeClusterAuthorizedOperations:
		return dst, encodeFieldError("MetadataRequest", v, "IncludeClusterAuthorizedOperations", "needs v8-10")
	case v < 8 && m.IncludeTopicAuthorizedOperations:
		return dst, encodeFieldError("MetadataRequest", v, "IncludeTopicAuthorizedOperations", "needs v8+")
	}
	w := NewWriter(dst, KeyMetadata.Flexible(v))
	if v >= 1 {
		w.NullableArrayLen(len(m.Topics), m.Topics == nil)
	} else {
		w.ArrayLen(len(m.Topics))
	}
	for i := range m.Topics {
		t := &m.Topics[i]
		if v >= 10 {
			w.UUID(t.TopicId)
			w.NullableString(t.Name)
		} else {
			if t.Name == nil {
				return dst, encodeFieldError("MetadataRequest", v, "Topics.Name", "cannot be null before v10")
			}
			w.String(*t.Name)
		}
		w.Tags(t.Tags)
	}
	if v >= 4 {
		w.Bool(m.AllowAutoTopicCreation)
	}
	if v >= 8 && v <= 10 {
		w.Bool(m.IncludeClusterAuthorizedOperations)
	}
	if v >= 8 {
		w.Bool(m.IncludeTopicAuthorizedOperations)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *MetadataRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyMetadata, v); err != nil {
		return err
	}
	*m = MetadataRequest{Version: v, AllowAutoTopicCreation: true}
	r := NewReader(src, KeyMetadata.Flexible(v))
	var n int
	if v >= 1 {
		n = r.NullableArrayLen("Topics", 2)
	} else if n = r.ArrayLen("Topics", 2); n == 0 {
		n = -1 // v0's empty array means all topics
	}
	if n >= 0 && r.Err() == nil {
		m.Topics = make([]MetadataRequestTopic, n)
		names := make([]string, n) // backing for the *string names: one allocation
		for i := range m.Topics {
			t := &m.Topics[i]
			if v >= 10 {
				t.TopicId = r.UUID("TopicId")
				t.Name = readNullableStringInto(&r, "Name", &names[i])
			} else {
				names[i] = r.String("Name")
				t.Name = &names[i]
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 4 {
		m.AllowAutoTopicCreation = r.Bool("AllowAutoTopicCreation")
	}
	if v >= 8 && v <= 10 {
		m.IncludeClusterAuthorizedOperations = r.Bool("IncludeClusterAuthorizedOperations")
	}
	if v >= 8 {
		m.IncludeTopicAuthorizedOperations = r.Bool("IncludeTopicAuthorizedOperations")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("MetadataRequest", v)
}

// AuthorizedOperationsOmitted is the value of TopicAuthorizedOperations and
// ClusterAuthorizedOperations when the broker did not compute them (Kafka's
// default, INT32_MIN).
const AuthorizedOperationsOmitted int32 = math.MinInt32

// MetadataResponse describes the brokers of a cluster and the partitions of
// the topics asked for (Metadata, key 3, v0-13; see MetadataRequest). Only the
// Data of unknown tagged fields points into the decoded bytes. The arrays of a
// decoded response share a few backing allocations (each capped at its own
// length, so appending to one copies it).
type MetadataResponse struct {
	Version int16

	ThrottleTimeMs              int32 // v3+
	Brokers                     []MetadataResponseBroker
	ClusterId                   *string // v2+, default null
	ControllerId                int32   // v1+, default -1
	Topics                      []MetadataResponseTopic
	ClusterAuthorizedOperations int32 // v8-10, default AuthorizedOperationsOmitted
	ErrorCode                   int16 // v13+
	Tags                        TaggedFields
}

// MetadataResponseBroker is one broker of the cluster.
type MetadataResponseBroker struct {
	NodeId int32
	Host   string
	Port   int32
	Rack   *string // v1+, default null
	Tags   TaggedFields
}

// MetadataResponseTopic is one topic's metadata.
type MetadataResponseTopic struct {
	ErrorCode                 int16
	Name                      *string // nullable v12+ (null for an unknown topic asked for by id)
	TopicId                   UUID    // v10+
	IsInternal                bool    // v1+
	Partitions                []MetadataResponsePartition
	TopicAuthorizedOperations int32 // v8+, default AuthorizedOperationsOmitted
	Tags                      TaggedFields
}

// MetadataResponsePartition is one partition's leader and replicas.
type MetadataResponsePartition struct {
	ErrorCode       int16
	PartitionIndex  int32
	LeaderId        int32
	LeaderEpoch     int32 // v7+, default -1
	ReplicaNodes    []int32
	IsrNodes        []int32
	OfflineReplicas []int32 // v5+
	Tags            TaggedFields
}

// Key returns KeyMetadata.
func (m *MetadataResponse) Key() APIKey { return KeyMetadata }

// APIVersion returns m.Version.
func (m *MetadataResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *MetadataResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *MetadataResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. It fails when a field holds a
// value that m.Version cannot carry and Kafka does not allow to drop.
func (m *MetadataResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyMetadata, v); err != nil {
		return dst, err
	}
	if (v < 8 || v > 10) && m.ClusterAuthorizedOperations != AuthorizedOperationsOmitted {
		return dst, encodeFieldError("MetadataResponse", v, "ClusterAuthorizedOperations", "needs v8-10")
	}
	w := NewWriter(dst, KeyMetadata.Flexible(v))
	if v >= 3 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Brokers))
	for i := range m.Brokers {
		b := &m.Brokers[i]
		w.Int32(b.NodeId)
		w.String(b.Host)
		w.Int32(b.Port)
		if v >= 1 {
			w.NullableString(b.Rack)
		}
		w.Tags(b.Tags)
	}
	if v >= 2 {
		w.NullableString(m.ClusterId)
	}
	if v >= 1 {
		w.Int32(m.ControllerId)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.Int16(t.ErrorCode)
		if v >= 12 {
			w.NullableString(t.Name)
		} else {
			if t.Name == nil {
				return dst, encodeFieldError("MetadataResponse", v, "Topics.Name", "cannot be null before v12")
			}
			w.String(*t.Name)
		}
		if v >= 10 {
			w.UUID(t.TopicId)
		}
		if v >= 1 {
			w.Bool(t.IsInternal)
		}
		w.ArrayLen(len(t.Partitions))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			w.Int16(p.ErrorCode)
			w.Int32(p.PartitionIndex)
			w.Int32(p.LeaderId)
			if v >= 7 {
				w.Int32(p.LeaderEpoch)
			}
			w.Int32Array(p.ReplicaNodes)
			w.Int32Array(p.IsrNodes)
			if v >= 5 {
				w.Int32Array(p.OfflineReplicas)
			}
			w.Tags(p.Tags)
		}
		if v >= 8 {
			w.Int32(t.TopicAuthorizedOperations)
		} else if t.TopicAuthorizedOperations != AuthorizedOperationsOmitted {
			return dst, encodeFieldError("MetadataResponse", v, "Topics.TopicAuthorizedOperations", "needs v8+")
		}
		w.Tags(t.Tags)
	}
	if v >= 8 && v <= 10 {
		w.Int32(m.ClusterAuthorizedOperations)
	}
	if v >= 13 {
		w.Int16(m.ErrorCode)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src. Arrays of a message are
// carved from a few shared allocations, so a response of thousands of
// partitions costs a handful of allocations besides its strings.
func (m *MetadataResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyMetadata, v); err != nil {
		return err
	}
	*m = MetadataResponse{Version: v, ControllerId: -1, ClusterAuthorizedOperations: AuthorizedOperationsOmitted}
	r := NewReader(src, KeyMetadata.Flexible(v))
	if v >= 3 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if n := r.ArrayLen("Brokers", 10); r.Err() == nil {
		m.Brokers = make([]MetadataResponseBroker, n)
		var racks []string
		if v >= 1 {
			racks = make([]string, n)
		}
		for i := range m.Brokers {
			b := &m.Brokers[i]
			b.NodeId = r.Int32("NodeId")
			b.Host = r.String("Host")
			b.Port = r.Int32("Port")
			if v >= 1 {
				b.Rack = readNullableStringInto(&r, "Rack", &racks[i])
			}
			b.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 2 {
		m.ClusterId = r.NullableString("ClusterId")
	}
	if v >= 1 {
		m.ControllerId = r.Int32("ControllerId")
	}
	var slab int32Slab
	var parts partitionSlab
	if n := r.ArrayLen("Topics", 8); r.Err() == nil {
		m.Topics = make([]MetadataResponseTopic, n)
		names := make([]string, n) // backing for the *string names: one allocation
		for i := range m.Topics {
			t := &m.Topics[i]
			t.ErrorCode = r.Int16("ErrorCode")
			if v >= 12 {
				t.Name = readNullableStringInto(&r, "Name", &names[i])
			} else {
				names[i] = r.String("Name")
				t.Name = &names[i]
			}
			if v >= 10 {
				t.TopicId = r.UUID("TopicId")
			}
			if v >= 1 {
				t.IsInternal = r.Bool("IsInternal")
			}
			t.Partitions = parts.take(&r, "Partitions")
			for j := range t.Partitions {
				p := &t.Partitions[j]
				p.ErrorCode = r.Int16("ErrorCode")
				p.PartitionIndex = r.Int32("PartitionIndex")
				p.LeaderId = r.Int32("LeaderId")
				p.LeaderEpoch = -1
				if v >= 7 {
					p.LeaderEpoch = r.Int32("LeaderEpoch")
				}
				p.ReplicaNodes = slab.array(&r, "ReplicaNodes")
				p.IsrNodes = slab.array(&r, "IsrNodes")
				if v >= 5 {
					p.OfflineReplicas = slab.array(&r, "OfflineReplicas")
				}
				p.Tags = r.Tags("TaggedFields")
			}
			t.TopicAuthorizedOperations = AuthorizedOperationsOmitted
			if v >= 8 {
				t.TopicAuthorizedOperations = r.Int32("TopicAuthorizedOperations")
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	if v >= 8 && v <= 10 {
		m.ClusterAuthorizedOperations = r.Int32("ClusterAuthorizedOperations")
	}
	if v >= 13 {
		m.ErrorCode = r.Int16("ErrorCode")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("MetadataResponse", v)
}

// partitionSlab hands out MetadataResponsePartition arrays carved from shared
// chunks; see int32Slab.
type partitionSlab struct{ buf []MetadataResponsePartition }

// take reads an array length (each partition takes at least 12 bytes) and
// returns a zeroed array of that many partitions.
func (s *partitionSlab) take(r *Reader, field string) []MetadataResponsePartition {
	n := r.ArrayLen(field, 12)
	if r.err != nil {
		return nil
	}
	if n == 0 {
		return []MetadataResponsePartition{}
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]MetadataResponsePartition, 0, slabChunk(n, cap(s.buf), r.Remaining()/12))
	}
	start := len(s.buf)
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// int32Slab hands out []int32 arrays carved from shared chunks, so that a
// decoder makes a few allocations rather than one per array. Each array is
// capped at its length, so appending to one never overwrites another.
type int32Slab struct{ buf []int32 }

// array reads a non-nullable array of int32 into the slab.
func (s *int32Slab) array(r *Reader, field string) []int32 {
	n := r.ArrayLen(field, 4)
	if r.err != nil {
		return nil
	}
	if n == 0 {
		return []int32{}
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]int32, 0, slabChunk(n, cap(s.buf), r.Remaining()/4))
	}
	start := len(s.buf)
	s.buf = s.buf[:start+n]
	a := s.buf[start : start+n : start+n]
	for i := range a {
		a[i] = r.Int32(field)
	}
	return a
}

// slabChunk returns the capacity of a slab's next chunk: at least need, twice
// the last chunk (starting at 64), but no more elements than the remaining
// input could hold (limit), so hostile counts cannot inflate it.
func slabChunk(need, last, limit int) int {
	c := min(max(64, 2*last), 4096)
	c = min(c, limit)
	return max(c, need)
}

// readNullableStringInto reads a nullable string into *slot and returns slot,
// or nil for null, so that a decoder can back many *string fields with one
// []string allocation.
func readNullableStringInto(r *Reader, field string, slot *string) *string {
	n := r.length(field, false)
	if n == -1 || r.err != nil {
		return nil
	}
	b := r.span(field, n)
	if r.err != nil {
		return nil
	}
	*slot = string(b)
	return slot
}

// encodeFieldError reports a field value that a version of a message cannot
// carry, as Kafka's own serializers do for non-ignorable fields.
func encodeFieldError(api string, v int16, field, reason string) error {
	return fmt.Errorf("protocol: encode %s v%d: %s %s", api, v, field, reason)
}

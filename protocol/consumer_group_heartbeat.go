package protocol

// ConsumerGroupHeartbeatRequest is the one request of the next-generation
// consumer group protocol (ConsumerGroupHeartbeat, key 68, v0-1; KIP-848):
// a member joins (MemberEpoch 0), heartbeats, reports what it owns and
// leaves (MemberEpoch -1) with it, and the coordinator assigns partitions in
// the response. v1 adds SubscribedTopicRegex and has the consumer generate
// its own member id (KIP-1082). Flexible in every version.
//
// Nullable fields are null when they did not change since the last
// heartbeat.
type ConsumerGroupHeartbeatRequest struct {
	Version int16

	GroupId              string
	MemberId             string
	MemberEpoch          int32   // 0 to join, -1 to leave, -2 for a static member that will rejoin
	InstanceId           *string // static membership
	RackId               *string
	RebalanceTimeoutMs   int32 // default -1: unchanged
	SubscribedTopicNames []string
	SubscribedTopicRegex *string // v1+
	ServerAssignor       *string
	TopicPartitions      []ConsumerGroupHeartbeatRequestTopicPartitions // owned partitions
	Tags                 TaggedFields
}

// ConsumerGroupHeartbeatRequestTopicPartitions is the partitions of one topic
// the member owns (JSON struct TopicPartitions).
type ConsumerGroupHeartbeatRequestTopicPartitions struct {
	TopicId    UUID
	Partitions []int32
	Tags       TaggedFields
}

// Key returns KeyConsumerGroupHeartbeat.
func (m *ConsumerGroupHeartbeatRequest) Key() APIKey { return KeyConsumerGroupHeartbeat }

// APIVersion returns m.Version.
func (m *ConsumerGroupHeartbeatRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ConsumerGroupHeartbeatRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a ConsumerGroupHeartbeatResponse of the same version.
func (m *ConsumerGroupHeartbeatRequest) NewResponse() Response {
	return &ConsumerGroupHeartbeatResponse{Version: m.Version}
}

// Encode appends the request body to dst. It fails if SubscribedTopicRegex is
// set for version 0.
func (m *ConsumerGroupHeartbeatRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyConsumerGroupHeartbeat, v); err != nil {
		return dst, err
	}
	if v < 1 && m.SubscribedTopicRegex != nil {
		return dst, errNotInVersion(KeyConsumerGroupHeartbeat, v, "SubscribedTopicRegex")
	}
	w := NewWriter(dst, KeyConsumerGroupHeartbeat.Flexible(v))
	w.String(m.GroupId)
	w.String(m.MemberId)
	w.Int32(m.MemberEpoch)
	w.NullableString(m.InstanceId)
	w.NullableString(m.RackId)
	w.Int32(m.RebalanceTimeoutMs)
	w.NullableStringArray(m.SubscribedTopicNames)
	if v >= 1 {
		w.NullableString(m.SubscribedTopicRegex)
	}
	w.NullableString(m.ServerAssignor)
	w.NullableArrayLen(len(m.TopicPartitions), m.TopicPartitions == nil)
	for i := range m.TopicPartitions {
		t := &m.TopicPartitions[i]
		w.UUID(t.TopicId)
		w.Int32Array(t.Partitions)
		w.Tags(t.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *ConsumerGroupHeartbeatRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyConsumerGroupHeartbeat, v); err != nil {
		return err
	}
	*m = ConsumerGroupHeartbeatRequest{Version: v}
	r := NewReader(src, KeyConsumerGroupHeartbeat.Flexible(v))
	m.GroupId = r.String("GroupId")
	m.MemberId = r.String("MemberId")
	m.MemberEpoch = r.Int32("MemberEpoch")
	m.InstanceId = r.NullableString("InstanceId")
	m.RackId = r.NullableString("RackId")
	m.RebalanceTimeoutMs = r.Int32("RebalanceTimeoutMs")
	m.SubscribedTopicNames = r.NullableStringArray("SubscribedTopicNames")
	if v >= 1 {
		m.SubscribedTopicRegex = r.NullableString("SubscribedTopicRegex")
	}
	m.ServerAssignor = r.NullableString("ServerAssignor")
	if n := r.NullableArrayLen("TopicPartitions", 18); n >= 0 && r.Err() == nil {
		m.TopicPartitions = make([]ConsumerGroupHeartbeatRequestTopicPartitions, n)
		for i := range m.TopicPartitions {
			t := &m.TopicPartitions[i]
			t.TopicId = r.UUID("TopicId")
			t.Partitions = r.Int32Array("Partitions")
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ConsumerGroupHeartbeatRequest", v)
}

// ConsumerGroupHeartbeatResponse answers a ConsumerGroupHeartbeatRequest
// with the member's epoch, the heartbeat interval and, when it changed, the
// member's whole target assignment. Versions as for the request.
type ConsumerGroupHeartbeatResponse struct {
	Version int16

	ThrottleTimeMs      int32
	ErrorCode           int16
	ErrorMessage        *string
	MemberId            *string
	MemberEpoch         int32
	HeartbeatIntervalMs int32
	Assignment          *ConsumerGroupHeartbeatResponseAssignment // nil: unchanged
	Tags                TaggedFields
}

// ConsumerGroupHeartbeatResponseAssignment is the partitions assigned to the
// member that it may use at once (JSON struct Assignment).
type ConsumerGroupHeartbeatResponseAssignment struct {
	TopicPartitions []ConsumerGroupHeartbeatResponseTopicPartitions
	Tags            TaggedFields
}

// ConsumerGroupHeartbeatResponseTopicPartitions is the assigned partitions of
// one topic (JSON common struct TopicPartitions).
type ConsumerGroupHeartbeatResponseTopicPartitions struct {
	TopicId    UUID
	Partitions []int32
	Tags       TaggedFields
}

// Key returns KeyConsumerGroupHeartbeat.
func (m *ConsumerGroupHeartbeatResponse) Key() APIKey { return KeyConsumerGroupHeartbeat }

// APIVersion returns m.Version.
func (m *ConsumerGroupHeartbeatResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *ConsumerGroupHeartbeatResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *ConsumerGroupHeartbeatResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst. A nullable struct is written as
// an int8 marker, -1 for null and 1 before the struct.
func (m *ConsumerGroupHeartbeatResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyConsumerGroupHeartbeat, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyConsumerGroupHeartbeat.Flexible(v))
	w.Int32(m.ThrottleTimeMs)
	w.Int16(m.ErrorCode)
	w.NullableString(m.ErrorMessage)
	w.NullableString(m.MemberId)
	w.Int32(m.MemberEpoch)
	w.Int32(m.HeartbeatIntervalMs)
	if a := m.Assignment; a == nil {
		w.Int8(-1)
	} else {
		w.Int8(1)
		w.ArrayLen(len(a.TopicPartitions))
		for i := range a.TopicPartitions {
			t := &a.TopicPartitions[i]
			w.UUID(t.TopicId)
			w.Int32Array(t.Partitions)
			w.Tags(t.Tags)
		}
		w.Tags(a.Tags)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *ConsumerGroupHeartbeatResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyConsumerGroupHeartbeat, v); err != nil {
		return err
	}
	*m = ConsumerGroupHeartbeatResponse{Version: v}
	r := NewReader(src, KeyConsumerGroupHeartbeat.Flexible(v))
	m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	m.ErrorCode = r.Int16("ErrorCode")
	m.ErrorMessage = r.NullableString("ErrorMessage")
	m.MemberId = r.NullableString("MemberId")
	m.MemberEpoch = r.Int32("MemberEpoch")
	m.HeartbeatIntervalMs = r.Int32("HeartbeatIntervalMs")
	if r.Int8("Assignment") >= 0 && r.Err() == nil {
		a := &ConsumerGroupHeartbeatResponseAssignment{}
		if n := r.ArrayLen("TopicPartitions", 18); r.Err() == nil {
			a.TopicPartitions = make([]ConsumerGroupHeartbeatResponseTopicPartitions, n)
			for i := range a.TopicPartitions {
				t := &a.TopicPartitions[i]
				t.TopicId = r.UUID("TopicId")
				t.Partitions = r.Int32Array("Partitions")
				t.Tags = r.Tags("TaggedFields")
			}
		}
		a.Tags = r.Tags("TaggedFields")
		m.Assignment = a
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("ConsumerGroupHeartbeatResponse", v)
}

package protocol

// CreateTopicsRequest creates topics; rawkafka uses it in tests and tools
// (CreateTopics, key 19, v0-7; Kafka 3.9 serves v0-7, Kafka 4.x v2-7; KIP-4,
// KIP-108 validateOnly v1, KIP-464 default partitions and replication v4,
// KIP-525 configs in the response v5, KIP-599 throttling v6, KIP-516 topic
// ids in the response v7).
//
// Kafka's JSON spells the last two fields timeoutMs and validateOnly; they
// are exported here as TimeoutMs and ValidateOnly. Only the Data of unknown
// tagged fields points into the decoded bytes.
type CreateTopicsRequest struct {
	Version int16

	Topics       []CreateTopicsRequestTopic
	TimeoutMs    int32 // Kafka's default 60000
	ValidateOnly bool  // v1+
	Tags         TaggedFields
}

// CreateTopicsRequestTopic is one topic to create (Kafka's CreatableTopic).
type CreateTopicsRequestTopic struct {
	Name              string
	NumPartitions     int32 // -1 for the broker default or with Assignments
	ReplicationFactor int16 // -1 for the broker default or with Assignments
	Assignments       []CreateTopicsRequestAssignment
	Configs           []CreateTopicsRequestConfig
	Tags              TaggedFields
}

// CreateTopicsRequestAssignment places one partition on brokers (Kafka's
// CreatableReplicaAssignment).
type CreateTopicsRequestAssignment struct {
	PartitionIndex int32
	BrokerIds      []int32
	Tags           TaggedFields
}

// CreateTopicsRequestConfig is one topic configuration to set (Kafka's
// CreatableTopicConfig).
type CreateTopicsRequestConfig struct {
	Name  string
	Value *string
	Tags  TaggedFields
}

// Key returns KeyCreateTopics.
func (m *CreateTopicsRequest) Key() APIKey { return KeyCreateTopics }

// APIVersion returns m.Version.
func (m *CreateTopicsRequest) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *CreateTopicsRequest) SetAPIVersion(v int16) { m.Version = v }

// NewResponse returns a CreateTopicsResponse of the same version.
func (m *CreateTopicsRequest) NewResponse() Response {
	return &CreateTopicsResponse{Version: m.Version}
}

// Encode appends the request body to dst. It fails when ValidateOnly is set
// at v0, which cannot carry it.
func (m *CreateTopicsRequest) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyCreateTopics, v); err != nil {
		return dst, err
	}
	if v < 1 && m.ValidateOnly {
		return dst, encodeFieldError("CreateTopicsRequest", v, "validateOnly", "needs v1+")
	}
	w := NewWriter(dst, KeyCreateTopics.Flexible(v))
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Name)
		w.Int32(t.NumPartitions)
		w.Int16(t.ReplicationFactor)
		w.ArrayLen(len(t.Assignments))
		for j := range t.Assignments {
			a := &t.Assignments[j]
			w.Int32(a.PartitionIndex)
			w.Int32Array(a.BrokerIds)
			w.Tags(a.Tags)
		}
		w.ArrayLen(len(t.Configs))
		for j := range t.Configs {
			c := &t.Configs[j]
			w.String(c.Name)
			w.NullableString(c.Value)
			w.Tags(c.Tags)
		}
		w.Tags(t.Tags)
	}
	w.Int32(m.TimeoutMs)
	if v >= 1 {
		w.Bool(m.ValidateOnly)
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a request body of m.Version from src.
func (m *CreateTopicsRequest) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyCreateTopics, v); err != nil {
		return err
	}
	*m = CreateTopicsRequest{Version: v}
	r := NewReader(src, KeyCreateTopics.Flexible(v))
	if n := r.ArrayLen("Topics", 10); r.Err() == nil {
		m.Topics = make([]CreateTopicsRequestTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Name = r.String("Name")
			t.NumPartitions = r.Int32("NumPartitions")
			t.ReplicationFactor = r.Int16("ReplicationFactor")
			if n := r.ArrayLen("Assignments", 5); r.Err() == nil {
				t.Assignments = make([]CreateTopicsRequestAssignment, n)
				for j := range t.Assignments {
					a := &t.Assignments[j]
					a.PartitionIndex = r.Int32("PartitionIndex")
					a.BrokerIds = r.Int32Array("BrokerIds")
					a.Tags = r.Tags("TaggedFields")
				}
			}
			if n := r.ArrayLen("Configs", 2); r.Err() == nil {
				t.Configs = make([]CreateTopicsRequestConfig, n)
				for j := range t.Configs {
					c := &t.Configs[j]
					c.Name = r.String("Name")
					c.Value = r.NullableString("Value")
					c.Tags = r.Tags("TaggedFields")
				}
			}
			t.Tags = r.Tags("TaggedFields")
		}
	}
	m.TimeoutMs = r.Int32("timeoutMs")
	if v >= 1 {
		m.ValidateOnly = r.Bool("validateOnly")
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("CreateTopicsRequest", v)
}

// CreateTopicsResponse reports the outcome for each topic (CreateTopics, key
// 19, v0-7; see CreateTopicsRequest). Only the Data of unknown tagged fields
// points into the decoded bytes.
type CreateTopicsResponse struct {
	Version int16

	ThrottleTimeMs int32 // v2+
	Topics         []CreateTopicsResponseTopic
	Tags           TaggedFields
}

// CreateTopicsResponseTopic is one topic's outcome (Kafka's
// CreatableTopicResult).
type CreateTopicsResponseTopic struct {
	Name                 string
	TopicId              UUID // v7+
	ErrorCode            int16
	ErrorMessage         *string                      // v1+
	TopicConfigErrorCode int16                        // tag 0, v5+
	NumPartitions        int32                        // v5+, default -1
	ReplicationFactor    int16                        // v5+, default -1
	Configs              []CreateTopicsResponseConfig // nullable v5+
	Tags                 TaggedFields
}

// CreateTopicsResponseConfig is one configuration of a created topic
// (Kafka's CreatableTopicConfigs).
type CreateTopicsResponseConfig struct {
	Name         string
	Value        *string
	ReadOnly     bool
	ConfigSource int8 // default -1
	IsSensitive  bool
	Tags         TaggedFields
}

// Key returns KeyCreateTopics.
func (m *CreateTopicsResponse) Key() APIKey { return KeyCreateTopics }

// APIVersion returns m.Version.
func (m *CreateTopicsResponse) APIVersion() int16 { return m.Version }

// SetAPIVersion sets m.Version.
func (m *CreateTopicsResponse) SetAPIVersion(v int16) { m.Version = v }

// Throttle returns ThrottleTimeMs.
func (m *CreateTopicsResponse) Throttle() int32 { return m.ThrottleTimeMs }

// Encode appends the response body to dst.
func (m *CreateTopicsResponse) Encode(dst []byte) ([]byte, error) {
	v := m.Version
	if err := checkVersion(KeyCreateTopics, v); err != nil {
		return dst, err
	}
	w := NewWriter(dst, KeyCreateTopics.Flexible(v))
	if v >= 2 {
		w.Int32(m.ThrottleTimeMs)
	}
	w.ArrayLen(len(m.Topics))
	for i := range m.Topics {
		t := &m.Topics[i]
		w.String(t.Name)
		if v >= 7 {
			w.UUID(t.TopicId)
		}
		w.Int16(t.ErrorCode)
		if v >= 1 {
			w.NullableString(t.ErrorMessage)
		}
		if v >= 5 {
			w.Int32(t.NumPartitions)
			w.Int16(t.ReplicationFactor)
			w.NullableArrayLen(len(t.Configs), t.Configs == nil)
			for j := range t.Configs {
				c := &t.Configs[j]
				w.String(c.Name)
				w.NullableString(c.Value)
				w.Bool(c.ReadOnly)
				w.Int8(c.ConfigSource)
				w.Bool(c.IsSensitive)
				w.Tags(c.Tags)
			}
		}
		if t.TopicConfigErrorCode != 0 {
			code := t.TopicConfigErrorCode
			w.TagsWith(t.Tags, EncodeTag(0, func(w *Writer) { w.Int16(code) }))
		} else {
			w.Tags(t.Tags)
		}
	}
	w.Tags(m.Tags)
	return w.B, nil
}

// Decode reads a response body of m.Version from src.
func (m *CreateTopicsResponse) Decode(src []byte) error {
	v := m.Version
	if err := checkVersion(KeyCreateTopics, v); err != nil {
		return err
	}
	*m = CreateTopicsResponse{Version: v}
	r := NewReader(src, KeyCreateTopics.Flexible(v))
	if v >= 2 {
		m.ThrottleTimeMs = r.Int32("ThrottleTimeMs")
	}
	if n := r.ArrayLen("Topics", 4); r.Err() == nil {
		m.Topics = make([]CreateTopicsResponseTopic, n)
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Name = r.String("Name")
			if v >= 7 {
				t.TopicId = r.UUID("TopicId")
			}
			t.ErrorCode = r.Int16("ErrorCode")
			if v >= 1 {
				t.ErrorMessage = r.NullableString("ErrorMessage")
			}
			t.NumPartitions, t.ReplicationFactor = -1, -1
			if v >= 5 {
				t.NumPartitions = r.Int32("NumPartitions")
				t.ReplicationFactor = r.Int16("ReplicationFactor")
				if n := r.NullableArrayLen("Configs", 5); n >= 0 && r.Err() == nil {
					t.Configs = make([]CreateTopicsResponseConfig, n)
					for j := range t.Configs {
						c := &t.Configs[j]
						c.Name = r.String("Name")
						c.Value = r.NullableString("Value")
						c.ReadOnly = r.Bool("ReadOnly")
						c.ConfigSource = r.Int8("ConfigSource")
						c.IsSensitive = r.Bool("IsSensitive")
						c.Tags = r.Tags("TaggedFields")
					}
				}
			}
			for n := r.TagCount("TaggedFields"); n > 0; n-- {
				tag, data := r.Tag("TaggedFields")
				sub := r.SubReader(data)
				switch tag {
				case 0:
					t.TopicConfigErrorCode = sub.Int16("TopicConfigErrorCode")
				default:
					t.Tags = append(t.Tags, TaggedField{Tag: tag, Data: data})
				}
				r.Absorb(&sub)
			}
		}
	}
	m.Tags = r.Tags("TaggedFields")
	return r.Finish("CreateTopicsResponse", v)
}

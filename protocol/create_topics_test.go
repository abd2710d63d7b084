package protocol

import "testing"

func testCreateTopicsRequest(v int16) *CreateTopicsRequest {
	flex := v >= 5
	m := &CreateTopicsRequest{Version: v, TimeoutMs: 15000, Tags: wireTags(flex),
		Topics: []CreateTopicsRequestTopic{
			{Name: "orders", NumPartitions: 12, ReplicationFactor: 3, Tags: wireTags(flex),
				Assignments: []CreateTopicsRequestAssignment{},
				Configs: []CreateTopicsRequestConfig{
					{Name: "cleanup.policy", Value: wireStr("compact"), Tags: wireTags(flex)},
					{Name: "retention.ms", Value: nil},
				}},
			{Name: "placed", NumPartitions: -1, ReplicationFactor: -1,
				Assignments: []CreateTopicsRequestAssignment{
					{PartitionIndex: 0, BrokerIds: []int32{1, 2}, Tags: wireTags(flex)},
					{PartitionIndex: 1, BrokerIds: []int32{}},
				},
				Configs: []CreateTopicsRequestConfig{}},
		}}
	if v >= 1 {
		m.ValidateOnly = true
	}
	return m
}

func testCreateTopicsResponse(v int16) *CreateTopicsResponse {
	flex := v >= 5
	m := &CreateTopicsResponse{Version: v, Tags: wireTags(flex),
		Topics: []CreateTopicsResponseTopic{
			{Name: "orders", NumPartitions: -1, ReplicationFactor: -1, Tags: wireTags(flex)},
			{Name: "bad", ErrorCode: 37, NumPartitions: -1, ReplicationFactor: -1},
		}}
	if v >= 1 {
		m.Topics[1].ErrorMessage = wireStr("Number of partitions must be larger than 0.")
	}
	if v >= 2 {
		m.ThrottleTimeMs = 8
	}
	if v >= 5 {
		m.Topics[0].NumPartitions = 12
		m.Topics[0].ReplicationFactor = 3
		m.Topics[0].TopicConfigErrorCode = 29
		m.Topics[0].Configs = []CreateTopicsResponseConfig{
			{Name: "cleanup.policy", Value: wireStr("compact"), ConfigSource: 1, Tags: wireUnknownTag},
			{Name: "ssl.key.password", Value: nil, ReadOnly: true, ConfigSource: 5, IsSensitive: true},
		}
		m.Topics[1].Configs = nil // null array
	}
	if v >= 7 {
		m.Topics[0].TopicId = UUID{3: 3, 15: 0xff}
	}
	return m
}

func TestCreateTopicsRoundTrip(t *testing.T) {
	for v := int16(0); v <= 7; v++ {
		checkRoundTrip(t, testCreateTopicsRequest(v), func() Message { return &CreateTopicsRequest{} })
		checkRoundTrip(t, testCreateTopicsResponse(v), func() Message { return &CreateTopicsResponse{} })
	}
	// A v5+ response with an empty (not null) Configs array.
	m := &CreateTopicsResponse{Version: 6, Topics: []CreateTopicsResponseTopic{{Name: "t", Configs: []CreateTopicsResponseConfig{}}}}
	checkRoundTrip(t, m, func() Message { return &CreateTopicsResponse{} })
	for _, bad := range []Message{&CreateTopicsRequest{Version: 0, ValidateOnly: true}, &CreateTopicsRequest{Version: 8}} {
		if _, err := bad.Encode(nil); err == nil {
			t.Errorf("%+v encoded without error", bad)
		}
	}
}

func TestCreateTopicsRequestGoldenV1(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name "t"
		0, 0, 0, 3, // NumPartitions 3
		0, 1, // ReplicationFactor 1
		0, 0, 0, 1, // Assignments: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, 0, 1, 0, 0, 0, 2, // BrokerIds [2]
		0, 0, 0, 1, // Configs: 1
		0, 1, 'k', // Name "k"
		0xff, 0xff, // Value: null
		0, 0, 0x75, 0x30, // timeoutMs 30000
		1, // validateOnly (v1+)
	}
	m := &CreateTopicsRequest{Version: 1, TimeoutMs: 30000, ValidateOnly: true, Topics: []CreateTopicsRequestTopic{{
		Name: "t", NumPartitions: 3, ReplicationFactor: 1,
		Assignments: []CreateTopicsRequestAssignment{{PartitionIndex: 0, BrokerIds: []int32{2}}},
		Configs:     []CreateTopicsRequestConfig{{Name: "k"}}}}}
	checkWireGolden(t, want, m, func() Message { return &CreateTopicsRequest{} })
}

func TestCreateTopicsRequestGoldenV5(t *testing.T) {
	want := []byte{
		2,      // Topics: 1+1
		2, 't', // Name "t"
		0xff, 0xff, 0xff, 0xff, // NumPartitions -1 (broker default, KIP-464)
		0xff, 0xff, // ReplicationFactor -1
		1,      // Assignments: 0+1
		2,      // Configs: 1+1
		2, 'k', // Name "k"
		2, 'v', // Value "v"
		0,                // config tags
		0,                // topic tags
		0, 0, 0xea, 0x60, // timeoutMs 60000
		0, // validateOnly
		0, // tags
	}
	m := &CreateTopicsRequest{Version: 5, TimeoutMs: 60000, Topics: []CreateTopicsRequestTopic{{
		Name: "t", NumPartitions: -1, ReplicationFactor: -1, Assignments: []CreateTopicsRequestAssignment{},
		Configs: []CreateTopicsRequestConfig{{Name: "k", Value: wireStr("v")}}}}}
	checkWireGolden(t, want, m, func() Message { return &CreateTopicsRequest{} })
}

func TestCreateTopicsResponseGoldenV2(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs (v2+)
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name "t"
		0, 36, // ErrorCode 36 (TOPIC_ALREADY_EXISTS)
		0, 1, 'x', // ErrorMessage "x" (v1+)
	}
	m := &CreateTopicsResponse{Version: 2, Topics: []CreateTopicsResponseTopic{{Name: "t", ErrorCode: 36,
		ErrorMessage: wireStr("x"), NumPartitions: -1, ReplicationFactor: -1}}}
	checkWireGolden(t, want, m, func() Message { return &CreateTopicsResponse{} })
}

func TestCreateTopicsResponseGoldenV7(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		2,      // Topics: 1+1
		2, 't', // Name "t"
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // TopicId (v7+)
		0, 0, // ErrorCode
		0,          // ErrorMessage: compact null
		0, 0, 0, 2, // NumPartitions 2
		0, 1, // ReplicationFactor 1
		2,      // Configs: 1+1
		2, 'k', // Name "k"
		2, 'v', // Value "v"
		0,           // ReadOnly
		5,           // ConfigSource 5 (DEFAULT_CONFIG)
		0,           // IsSensitive
		0,           // config tags
		1,           // topic tags: 1 field
		0, 2, 0, 29, // tag 0 TopicConfigErrorCode, 2 bytes: 29 (TOPIC_AUTHORIZATION_FAILED)
		0, // tags
	}
	m := &CreateTopicsResponse{Version: 7, Topics: []CreateTopicsResponseTopic{{Name: "t", TopicId: UUID{15: 1},
		NumPartitions: 2, ReplicationFactor: 1, TopicConfigErrorCode: 29,
		Configs: []CreateTopicsResponseConfig{{Name: "k", Value: wireStr("v"), ConfigSource: 5}}}}}
	checkWireGolden(t, want, m, func() Message { return &CreateTopicsResponse{} })
}

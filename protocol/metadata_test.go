package protocol

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func wireStr(s string) *string { return &s }

// wireUnknownTag is an unknown tagged field that flexible test messages carry to
// check that decoders keep and re-encode what they do not know.
var wireUnknownTag = TaggedFields{{Tag: 99, Data: []byte{7, 8}}}

// tagsIf returns wireUnknownTag in flexible versions and nil otherwise.
func wireTags(flexible bool) TaggedFields {
	if flexible {
		return wireUnknownTag
	}
	return nil
}

func testMetadataRequest(v int16) *MetadataRequest {
	flex := v >= 9
	m := &MetadataRequest{Version: v, AllowAutoTopicCreation: true, Tags: wireTags(flex),
		Topics: []MetadataRequestTopic{{Name: wireStr("orders"), Tags: wireTags(flex)}, {Name: wireStr("payments")}}}
	if v >= 4 {
		m.AllowAutoTopicCreation = false
	}
	if v >= 8 && v <= 10 {
		m.IncludeClusterAuthorizedOperations = true
	}
	if v >= 8 {
		m.IncludeTopicAuthorizedOperations = true
	}
	if v >= 10 {
		m.Topics[0].TopicId = UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
		m.Topics[1].Name = nil
		m.Topics[1].TopicId = UUID{15: 1}
	}
	return m
}

func testMetadataResponse(v int16) *MetadataResponse {
	flex := v >= 9
	m := &MetadataResponse{Version: v, ControllerId: -1, ClusterAuthorizedOperations: AuthorizedOperationsOmitted,
		Tags: wireTags(flex),
		Brokers: []MetadataResponseBroker{
			{NodeId: 1, Host: "b1.example", Port: 9092, Tags: wireTags(flex)},
			{NodeId: 2, Host: "b2.example", Port: 9093},
		},
		Topics: []MetadataResponseTopic{
			{ErrorCode: 0, Name: wireStr("orders"), TopicAuthorizedOperations: AuthorizedOperationsOmitted, Tags: wireTags(flex),
				Partitions: []MetadataResponsePartition{
					{ErrorCode: 9, PartitionIndex: 0, LeaderId: 1, LeaderEpoch: -1,
						ReplicaNodes: []int32{1, 2}, IsrNodes: []int32{1}, Tags: wireTags(flex)},
					{PartitionIndex: 1, LeaderId: 2, LeaderEpoch: -1, ReplicaNodes: []int32{2, 1}, IsrNodes: []int32{}},
				}},
			{ErrorCode: 3, Name: wireStr("gone"), TopicAuthorizedOperations: AuthorizedOperationsOmitted,
				Partitions: []MetadataResponsePartition{}},
		},
	}
	if v >= 1 {
		m.Brokers[0].Rack = wireStr("rack-a")
		m.ControllerId = 2
		m.Topics[0].IsInternal = true
	}
	if v >= 2 {
		m.ClusterId = wireStr("cluster-1")
	}
	if v >= 3 {
		m.ThrottleTimeMs = 17
	}
	if v >= 5 {
		m.Topics[0].Partitions[0].OfflineReplicas = []int32{2}
		m.Topics[0].Partitions[1].OfflineReplicas = []int32{}
	}
	if v >= 7 {
		m.Topics[0].Partitions[0].LeaderEpoch = 5
		m.Topics[0].Partitions[1].LeaderEpoch = 6
	}
	if v >= 8 {
		m.Topics[0].TopicAuthorizedOperations = 0x0ff8
		m.Topics[1].TopicAuthorizedOperations = 0
	}
	if v >= 8 && v <= 10 {
		m.ClusterAuthorizedOperations = 0x1f00
	}
	if v >= 10 {
		m.Topics[0].TopicId = UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	}
	if v >= 12 {
		m.Topics[1].Name = nil
		m.Topics[1].TopicId = UUID{15: 9}
	}
	if v >= 13 {
		m.ErrorCode = 29
	}
	return m
}

func TestMetadataRoundTrip(t *testing.T) {
	for v := int16(0); v <= 13; v++ {
		checkRoundTrip(t, testMetadataRequest(v), func() Message { return &MetadataRequest{} })
		checkRoundTrip(t, testMetadataResponse(v), func() Message { return &MetadataResponse{} })
	}
}

func TestMetadataRequestAllTopics(t *testing.T) {
	for v := int16(0); v <= 13; v++ {
		m := &MetadataRequest{Version: v, AllowAutoTopicCreation: true}
		b := checkRoundTrip(t, m, func() Message { return &MetadataRequest{} })
		want := []byte{0xff, 0xff, 0xff, 0xff} // null array
		switch {
		case v == 0:
			want = []byte{0, 0, 0, 0} // v0: empty array means all topics
		case v >= 9:
			want = []byte{0} // compact null
		}
		if !bytes.HasPrefix(b, want) {
			t.Errorf("v%d: all topics encoded as % x, want prefix % x", v, b, want)
		}
	}
	// v1+ distinguishes "no topics" from "all topics"; v0 cannot.
	none := &MetadataRequest{Version: 1, Topics: []MetadataRequestTopic{}, AllowAutoTopicCreation: true}
	checkRoundTrip(t, none, func() Message { return &MetadataRequest{} })
	none.Version = 0
	if _, err := none.Encode(nil); err == nil {
		t.Errorf("v0 with an empty (non-nil) topic list encoded without error")
	}
}

func TestMetadataEncodeRejectsWhatTheVersionCannotCarry(t *testing.T) {
	cases := []Message{
		&MetadataRequest{Version: 3, AllowAutoTopicCreation: false},
		&MetadataRequest{Version: 11, AllowAutoTopicCreation: true, IncludeClusterAuthorizedOperations: true},
		&MetadataRequest{Version: 7, AllowAutoTopicCreation: true, IncludeTopicAuthorizedOperations: true},
		&MetadataRequest{Version: 9, AllowAutoTopicCreation: true, Topics: []MetadataRequestTopic{{Name: nil}}},
		&MetadataResponse{Version: 11, Topics: []MetadataResponseTopic{{Name: nil, TopicAuthorizedOperations: AuthorizedOperationsOmitted}}, ClusterAuthorizedOperations: AuthorizedOperationsOmitted},
		&MetadataResponse{Version: 7, Topics: []MetadataResponseTopic{{Name: wireStr("t"), TopicAuthorizedOperations: 0}}, ClusterAuthorizedOperations: AuthorizedOperationsOmitted},
		&MetadataResponse{Version: 11, ClusterAuthorizedOperations: 1},
		&MetadataRequest{Version: 14},
		&MetadataResponse{Version: -1},
	}
	for _, m := range cases {
		if _, err := m.Encode(nil); err == nil {
			t.Errorf("%T v%d %+v: encoded without error", m, m.APIVersion(), m)
		}
	}
}

// TestMetadataRequestGoldenV4 checks a non-flexible request against bytes
// written by hand from MetadataRequest.json.
func TestMetadataRequestGoldenV4(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Topics: int32 length 1
		0, 3, 'f', 'o', 'o', // Name: int16 length 3
		0, // AllowAutoTopicCreation (v4+): false
	}
	checkWireGolden(t, want, &MetadataRequest{Version: 4, Topics: []MetadataRequestTopic{{Name: wireStr("foo")}}},
		func() Message { return &MetadataRequest{} })
}

// TestMetadataRequestGoldenV12 checks a flexible request with topic ids.
func TestMetadataRequestGoldenV12(t *testing.T) {
	id := UUID{0xaa, 15: 0xbb}
	want := []byte{
		3,                                                    // Topics: compact length 2+1
		0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbb, // [0] TopicId
		0,                                              // [0] Name: compact null
		0,                                              // [0] no tagged fields
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // [1] TopicId zero
		2, 'x', // [1] Name: compact length 1+1
		0, // [1] no tagged fields
		1, // AllowAutoTopicCreation
		1, // IncludeTopicAuthorizedOperations (no cluster flag after v10)
		0, // no tagged fields
	}
	m := &MetadataRequest{Version: 12, AllowAutoTopicCreation: true, IncludeTopicAuthorizedOperations: true,
		Topics: []MetadataRequestTopic{{TopicId: id}, {Name: wireStr("x")}}}
	checkWireGolden(t, want, m, func() Message { return &MetadataRequest{} })
}

// TestMetadataResponseGoldenV1 checks a non-flexible response.
func TestMetadataResponseGoldenV1(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Brokers: 1
		0, 0, 0, 3, // NodeId 3
		0, 1, 'h', // Host "h"
		0, 0, 0x23, 0x84, // Port 9092
		0xff, 0xff, // Rack: null (v1+)
		0, 0, 0, 3, // ControllerId 3 (v1+; no ClusterId before v2)
		0, 0, 0, 1, // Topics: 1
		0, 0, // ErrorCode
		0, 1, 't', // Name "t"
		1,          // IsInternal (v1+)
		0, 0, 0, 1, // Partitions: 1
		0, 5, // ErrorCode 5 (LEADER_NOT_AVAILABLE)
		0, 0, 0, 2, // PartitionIndex 2
		0xff, 0xff, 0xff, 0xff, // LeaderId -1 (no LeaderEpoch before v7)
		0, 0, 0, 1, 0, 0, 0, 3, // ReplicaNodes [3]
		0, 0, 0, 0, // IsrNodes [] (no OfflineReplicas before v5)
	}
	m := &MetadataResponse{Version: 1, ControllerId: 3, ClusterAuthorizedOperations: AuthorizedOperationsOmitted,
		Brokers: []MetadataResponseBroker{{NodeId: 3, Host: "h", Port: 9092}},
		Topics: []MetadataResponseTopic{{Name: wireStr("t"), IsInternal: true, TopicAuthorizedOperations: AuthorizedOperationsOmitted,
			Partitions: []MetadataResponsePartition{{ErrorCode: 5, PartitionIndex: 2, LeaderId: -1, LeaderEpoch: -1,
				ReplicaNodes: []int32{3}, IsrNodes: []int32{}}}}}}
	checkWireGolden(t, want, m, func() Message { return &MetadataResponse{} })
}

// TestMetadataResponseGoldenV13 checks a flexible response with the
// top-level error code.
func TestMetadataResponseGoldenV13(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		2,          // Brokers: 1+1
		0, 0, 0, 1, // NodeId 1
		2, 'h', // Host "h"
		0, 0, 0x23, 0x84, // Port 9092
		2, 'r', // Rack "r"
		0,           // broker tags
		3, 'c', 'l', // ClusterId "cl"
		0, 0, 0, 1, // ControllerId 1
		2,    // Topics: 1+1
		0, 0, // ErrorCode
		2, 't', // Name "t"
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, // TopicId
		0,    // IsInternal
		2,    // Partitions: 1+1
		0, 0, // ErrorCode
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, 0, 1, // LeaderId 1
		0, 0, 0, 4, // LeaderEpoch 4
		2, 0, 0, 0, 1, // ReplicaNodes [1]
		2, 0, 0, 0, 1, // IsrNodes [1]
		1,             // OfflineReplicas []
		0,             // partition tags
		0x80, 0, 0, 0, // TopicAuthorizedOperations INT32_MIN (no cluster ops after v10)
		0,    // topic tags
		0, 0, // ErrorCode (v13+)
		0, // tags
	}
	m := &MetadataResponse{Version: 13, ControllerId: 1, ClusterId: wireStr("cl"), ClusterAuthorizedOperations: AuthorizedOperationsOmitted,
		Brokers: []MetadataResponseBroker{{NodeId: 1, Host: "h", Port: 9092, Rack: wireStr("r")}},
		Topics: []MetadataResponseTopic{{Name: wireStr("t"), TopicId: UUID{15: 7}, TopicAuthorizedOperations: AuthorizedOperationsOmitted,
			Partitions: []MetadataResponsePartition{{LeaderId: 1, LeaderEpoch: 4,
				ReplicaNodes: []int32{1}, IsrNodes: []int32{1}, OfflineReplicas: []int32{}}}}}}
	checkWireGolden(t, want, m, func() Message { return &MetadataResponse{} })
}

// checkGolden checks that m encodes to want, that want decodes to m, and
// that the rest of checkRoundTrip holds.
func checkWireGolden(t *testing.T, want []byte, m Message, fresh func() Message) {
	t.Helper()
	got, err := m.Encode(nil)
	if err != nil {
		t.Fatalf("%s v%d: encode: %v", m.Key(), m.APIVersion(), err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s v%d: encoded\n got  % x\n want % x", m.Key(), m.APIVersion(), got, want)
	}
	d := fresh()
	d.SetAPIVersion(m.APIVersion())
	if err := d.Decode(want); err != nil {
		t.Fatalf("%s v%d: decode golden bytes: %v", m.Key(), m.APIVersion(), err)
	}
	if !reflect.DeepEqual(d, m) {
		t.Fatalf("%s v%d: golden bytes decoded to\n got  %+v\n want %+v", m.Key(), m.APIVersion(), d, m)
	}
	checkRoundTrip(t, m, fresh)
}

func TestMetadataResponseDecodeErrorNamesField(t *testing.T) {
	m := &MetadataResponse{Version: 1}
	// One broker whose host claims 100 bytes.
	err := m.Decode(append([]byte{0, 0, 0, 1, 0, 0, 0, 1, 0, 100}, make([]byte, 20)...))
	if err == nil || !strings.Contains(err.Error(), "MetadataResponse v1: field Host") {
		t.Fatalf("err = %v", err)
	}
}

func TestMetadataResponseHostileCounts(t *testing.T) {
	// Topics claims 2^31-1 elements; partitions claims a huge count.
	srcs := [][]byte{
		{0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0},
		{0, 0, 0, 0 /* Brokers */, 0, 0, 0, 1 /* Topics */, 0, 0 /* ErrorCode */, 0, 1, 't', 0x7f, 0xff, 0xff, 0xff /* Partitions */, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for _, src := range srcs {
		m := &MetadataResponse{Version: 0}
		_ = m.Decode(src)
		m = &MetadataResponse{Version: 0}
		if n := bytesAllocated(func() { _ = m.Decode(src) }); n > 64<<10 { // a wrong decoder would allocate gigabytes; keep clear of runtime noise
			t.Errorf("% x: %d bytes allocated", src, n)
		}
	}
}

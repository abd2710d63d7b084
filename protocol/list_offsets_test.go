package protocol

import (
	"bytes"
	"testing"
)

func testListOffsetsRequest(v int16) *ListOffsetsRequest {
	flex := v >= 6
	m := &ListOffsetsRequest{Version: v, ReplicaId: -1, Tags: wireTags(flex),
		Topics: []ListOffsetsRequestTopic{
			{Name: "orders", Tags: wireTags(flex), Partitions: []ListOffsetsRequestPartition{
				{PartitionIndex: 0, CurrentLeaderEpoch: -1, Timestamp: ListOffsetsEarliest, MaxNumOffsets: 1, Tags: wireTags(flex)},
				{PartitionIndex: 3, CurrentLeaderEpoch: -1, Timestamp: 1700000000000, MaxNumOffsets: 1},
			}},
			{Name: "empty", Partitions: []ListOffsetsRequestPartition{}},
		}}
	if v == 0 {
		m.Topics[0].Partitions[0].MaxNumOffsets = 5
	}
	if v >= 2 {
		m.IsolationLevel = 1
	}
	if v >= 4 {
		m.Topics[0].Partitions[0].CurrentLeaderEpoch = 12
		m.Topics[0].Partitions[1].CurrentLeaderEpoch = 13
	}
	if v >= 10 {
		m.TimeoutMs = 30000
	}
	if v >= 11 {
		m.Topics[0].Partitions[1].Timestamp = ListOffsetsEarliestPendingUpload
	}
	return m
}

func testListOffsetsResponse(v int16) *ListOffsetsResponse {
	flex := v >= 6
	m := &ListOffsetsResponse{Version: v, Tags: wireTags(flex),
		Topics: []ListOffsetsResponseTopic{
			{Name: "orders", Tags: wireTags(flex), Partitions: []ListOffsetsResponsePartition{
				{PartitionIndex: 0, Timestamp: -1, Offset: -1, LeaderEpoch: -1, Tags: wireTags(flex)},
				{PartitionIndex: 3, ErrorCode: 74, Timestamp: -1, Offset: -1, LeaderEpoch: -1},
			}},
		}}
	if v == 0 {
		m.Topics[0].Partitions[0].OldStyleOffsets = []int64{42, 7}
		m.Topics[0].Partitions[1].OldStyleOffsets = []int64{}
	} else {
		m.Topics[0].Partitions[0].Timestamp = 1700000000123
		m.Topics[0].Partitions[0].Offset = 4242
	}
	if v >= 2 {
		m.ThrottleTimeMs = 3
	}
	if v >= 4 {
		m.Topics[0].Partitions[0].LeaderEpoch = 12
	}
	return m
}

func TestListOffsetsRoundTrip(t *testing.T) {
	for v := int16(0); v <= 11; v++ {
		checkRoundTrip(t, testListOffsetsRequest(v), func() Message { return &ListOffsetsRequest{} })
		checkRoundTrip(t, testListOffsetsResponse(v), func() Message { return &ListOffsetsResponse{} })
	}
}

func TestListOffsetsEncodeRejectsWhatTheVersionCannotCarry(t *testing.T) {
	cases := []Message{
		&ListOffsetsRequest{Version: 1, IsolationLevel: 1},
		&ListOffsetsResponse{Version: 0, Topics: []ListOffsetsResponseTopic{{Partitions: []ListOffsetsResponsePartition{{Timestamp: 5, Offset: -1}}}}},
		&ListOffsetsResponse{Version: 1, Topics: []ListOffsetsResponseTopic{{Partitions: []ListOffsetsResponsePartition{{OldStyleOffsets: []int64{1}}}}}},
		&ListOffsetsRequest{Version: 12},
	}
	for _, m := range cases {
		if _, err := m.Encode(nil); err == nil {
			t.Errorf("%T %+v: encoded without error", m, m)
		}
	}
}

func TestListOffsetsRequestGoldenV0(t *testing.T) {
	want := []byte{
		0xff, 0xff, 0xff, 0xff, // ReplicaId -1 (no IsolationLevel before v2)
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name "t"
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 2, // PartitionIndex 2 (no CurrentLeaderEpoch before v4)
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, // Timestamp -2 (earliest)
		0, 0, 0, 1, // MaxNumOffsets 1 (v0 only)
	}
	m := &ListOffsetsRequest{Version: 0, ReplicaId: -1, Topics: []ListOffsetsRequestTopic{{Name: "t",
		Partitions: []ListOffsetsRequestPartition{{PartitionIndex: 2, CurrentLeaderEpoch: -1, Timestamp: -2, MaxNumOffsets: 1}}}}}
	checkWireGolden(t, want, m, func() Message { return &ListOffsetsRequest{} })
}

func TestListOffsetsRequestGoldenV10(t *testing.T) {
	want := []byte{
		0xff, 0xff, 0xff, 0xff, // ReplicaId -1
		1,      // IsolationLevel read_committed
		2,      // Topics: 1+1
		2, 't', // Name "t"
		2,          // Partitions: 1+1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, 0, 9, // CurrentLeaderEpoch 9
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Timestamp -1 (latest)
		0,                // partition tags
		0,                // topic tags
		0, 0, 0x75, 0x30, // TimeoutMs 30000 (v10+)
		0, // tags
	}
	m := &ListOffsetsRequest{Version: 10, ReplicaId: -1, IsolationLevel: 1, TimeoutMs: 30000,
		Topics: []ListOffsetsRequestTopic{{Name: "t",
			Partitions: []ListOffsetsRequestPartition{{CurrentLeaderEpoch: 9, Timestamp: -1, MaxNumOffsets: 1}}}}}
	checkWireGolden(t, want, m, func() Message { return &ListOffsetsRequest{} })
}

func TestListOffsetsResponseGoldenV0(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Topics: 1 (no ThrottleTimeMs before v2)
		0, 1, 't', // Name "t"
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, // ErrorCode
		0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x2a, // OldStyleOffsets [42]
	}
	m := &ListOffsetsResponse{Version: 0, Topics: []ListOffsetsResponseTopic{{Name: "t",
		Partitions: []ListOffsetsResponsePartition{{OldStyleOffsets: []int64{42}, Timestamp: -1, Offset: -1, LeaderEpoch: -1}}}}}
	checkWireGolden(t, want, m, func() Message { return &ListOffsetsResponse{} })
}

func TestListOffsetsResponseGoldenV6(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		2,      // Topics: 1+1
		2, 't', // Name "t"
		2,          // Partitions: 1+1
		0, 0, 0, 1, // PartitionIndex 1
		0, 0, // ErrorCode
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Timestamp -1
		0, 0, 0, 0, 0, 0, 0, 0x64, // Offset 100
		0, 0, 0, 3, // LeaderEpoch 3
		0, // partition tags
		0, // topic tags
		0, // tags
	}
	m := &ListOffsetsResponse{Version: 6, Topics: []ListOffsetsResponseTopic{{Name: "t",
		Partitions: []ListOffsetsResponsePartition{{PartitionIndex: 1, Timestamp: -1, Offset: 100, LeaderEpoch: 3}}}}}
	checkWireGolden(t, want, m, func() Message { return &ListOffsetsResponse{} })
}

// TestListOffsetsV11SameLayoutAsV10 checks that v11 (KIP-1023) changes no
// field: it only lets a client ask for ListOffsetsEarliestPendingUpload.
func TestListOffsetsV11SameLayoutAsV10(t *testing.T) {
	for _, pair := range [][2]Message{
		{testListOffsetsRequest(11), testListOffsetsRequest(11)},
		{testListOffsetsResponse(11), testListOffsetsResponse(11)},
	} {
		pair[0].SetAPIVersion(10)
		b10, err10 := pair[0].Encode(nil)
		b11, err11 := pair[1].Encode(nil)
		if err10 != nil || err11 != nil || !bytes.Equal(b10, b11) {
			t.Fatalf("%T: v10 % x (%v)\nv11 % x (%v)", pair[1], b10, err10, b11, err11)
		}
	}
}

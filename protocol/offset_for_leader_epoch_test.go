package protocol

import "testing"

func testOffsetForLeaderEpochRequest(v int16) *OffsetForLeaderEpochRequest {
	flex := v >= 4
	m := &OffsetForLeaderEpochRequest{Version: v, ReplicaId: -2, Tags: wireTags(flex),
		Topics: []OffsetForLeaderEpochRequestTopic{
			{Topic: "orders", Tags: wireTags(flex), Partitions: []OffsetForLeaderEpochRequestPartition{
				{Partition: 0, CurrentLeaderEpoch: -1, LeaderEpoch: 4, Tags: wireTags(flex)},
				{Partition: 7, CurrentLeaderEpoch: -1, LeaderEpoch: 2},
			}},
			{Topic: "none", Partitions: []OffsetForLeaderEpochRequestPartition{}},
		}}
	if v >= 2 {
		m.Topics[0].Partitions[0].CurrentLeaderEpoch = 6
		m.Topics[0].Partitions[1].CurrentLeaderEpoch = 3
	}
	if v >= 3 {
		m.ReplicaId = -1
	}
	return m
}

func testOffsetForLeaderEpochResponse(v int16) *OffsetForLeaderEpochResponse {
	flex := v >= 4
	m := &OffsetForLeaderEpochResponse{Version: v, Tags: wireTags(flex),
		Topics: []OffsetForLeaderEpochResponseTopic{
			{Topic: "orders", Tags: wireTags(flex), Partitions: []OffsetForLeaderEpochResponsePartition{
				{Partition: 0, LeaderEpoch: -1, EndOffset: 1234, Tags: wireTags(flex)},
				{ErrorCode: 74, Partition: 7, LeaderEpoch: -1, EndOffset: -1},
			}},
		}}
	if v >= 1 {
		m.Topics[0].Partitions[0].LeaderEpoch = 3
	}
	if v >= 2 {
		m.ThrottleTimeMs = 12
	}
	return m
}

func TestOffsetForLeaderEpochRoundTrip(t *testing.T) {
	for v := int16(0); v <= 4; v++ {
		checkRoundTrip(t, testOffsetForLeaderEpochRequest(v), func() Message { return &OffsetForLeaderEpochRequest{} })
		checkRoundTrip(t, testOffsetForLeaderEpochResponse(v), func() Message { return &OffsetForLeaderEpochResponse{} })
	}
	if _, err := (&OffsetForLeaderEpochRequest{Version: 5}).Encode(nil); err == nil {
		t.Errorf("v5 encoded without error")
	}
}

func TestOffsetForLeaderEpochRequestGoldenV2(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Topics: 1 (no ReplicaId before v3)
		0, 1, 't', // Topic "t"
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 2, // Partition 2
		0, 0, 0, 5, // CurrentLeaderEpoch 5 (v2+)
		0, 0, 0, 4, // LeaderEpoch 4
	}
	m := &OffsetForLeaderEpochRequest{Version: 2, ReplicaId: -2, Topics: []OffsetForLeaderEpochRequestTopic{{Topic: "t",
		Partitions: []OffsetForLeaderEpochRequestPartition{{Partition: 2, CurrentLeaderEpoch: 5, LeaderEpoch: 4}}}}}
	checkWireGolden(t, want, m, func() Message { return &OffsetForLeaderEpochRequest{} })
}

func TestOffsetForLeaderEpochRequestGoldenV4(t *testing.T) {
	want := []byte{
		0xff, 0xff, 0xff, 0xff, // ReplicaId -1 (consumer)
		2,      // Topics: 1+1
		2, 't', // Topic "t"
		2,          // Partitions: 1+1
		0, 0, 0, 0, // Partition 0
		0, 0, 0, 5, // CurrentLeaderEpoch 5
		0, 0, 0, 4, // LeaderEpoch 4
		0, // partition tags
		0, // topic tags
		0, // tags
	}
	m := &OffsetForLeaderEpochRequest{Version: 4, ReplicaId: -1, Topics: []OffsetForLeaderEpochRequestTopic{{Topic: "t",
		Partitions: []OffsetForLeaderEpochRequestPartition{{CurrentLeaderEpoch: 5, LeaderEpoch: 4}}}}}
	checkWireGolden(t, want, m, func() Message { return &OffsetForLeaderEpochRequest{} })
}

func TestOffsetForLeaderEpochResponseGoldenV0(t *testing.T) {
	want := []byte{
		0, 0, 0, 1, // Topics: 1 (no ThrottleTimeMs before v2)
		0, 1, 't', // Topic "t"
		0, 0, 0, 1, // Partitions: 1
		0, 0, // ErrorCode
		0, 0, 0, 3, // Partition 3 (no LeaderEpoch before v1)
		0, 0, 0, 0, 0, 0, 0, 0x10, // EndOffset 16
	}
	m := &OffsetForLeaderEpochResponse{Version: 0, Topics: []OffsetForLeaderEpochResponseTopic{{Topic: "t",
		Partitions: []OffsetForLeaderEpochResponsePartition{{Partition: 3, LeaderEpoch: -1, EndOffset: 16}}}}}
	checkWireGolden(t, want, m, func() Message { return &OffsetForLeaderEpochResponse{} })
}

func TestOffsetForLeaderEpochResponseGoldenV4(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		2,      // Topics: 1+1
		2, 't', // Topic "t"
		2,     // Partitions: 1+1
		0, 75, // ErrorCode 75 (UNKNOWN_LEADER_EPOCH)
		0, 0, 0, 3, // Partition 3
		0xff, 0xff, 0xff, 0xff, // LeaderEpoch -1
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // EndOffset -1
		0, // partition tags
		0, // topic tags
		0, // tags
	}
	m := &OffsetForLeaderEpochResponse{Version: 4, Topics: []OffsetForLeaderEpochResponseTopic{{Topic: "t",
		Partitions: []OffsetForLeaderEpochResponsePartition{{ErrorCode: 75, Partition: 3, LeaderEpoch: -1, EndOffset: -1}}}}}
	checkWireGolden(t, want, m, func() Message { return &OffsetForLeaderEpochResponse{} })
}

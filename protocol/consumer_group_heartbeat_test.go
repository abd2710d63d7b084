package protocol

import "testing"

func TestConsumerGroupHeartbeatRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 9, Data: []byte{1, 2}}}
	id := UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	for v := int16(0); v <= 1; v++ {
		req := &ConsumerGroupHeartbeatRequest{Version: v, GroupId: "group", MemberId: "member-1", MemberEpoch: 3,
			InstanceId: groupStr("instance-1"), RackId: groupStr("rack-a"), RebalanceTimeoutMs: 300000,
			SubscribedTopicNames: []string{"orders", "payments"}, ServerAssignor: groupStr("uniform"),
			TopicPartitions: []ConsumerGroupHeartbeatRequestTopicPartitions{{TopicId: id, Partitions: []int32{0, 2}},
				{TopicId: UUID{}, Partitions: []int32{}, Tags: unknown}},
			Tags: unknown}
		if v >= 1 {
			req.SubscribedTopicRegex = groupStr("ord.*")
		}
		checkRoundTrip(t, req, func() Message { return &ConsumerGroupHeartbeatRequest{} })
		// Every nullable field null.
		checkRoundTrip(t, &ConsumerGroupHeartbeatRequest{Version: v, GroupId: "group", MemberEpoch: -1, RebalanceTimeoutMs: -1},
			func() Message { return &ConsumerGroupHeartbeatRequest{} })

		resp := &ConsumerGroupHeartbeatResponse{Version: v, ThrottleTimeMs: 4, ErrorCode: 110,
			ErrorMessage: groupStr("fenced"), MemberId: groupStr("member-1"), MemberEpoch: 7, HeartbeatIntervalMs: 5000,
			Assignment: &ConsumerGroupHeartbeatResponseAssignment{
				TopicPartitions: []ConsumerGroupHeartbeatResponseTopicPartitions{{TopicId: id, Partitions: []int32{1}, Tags: unknown}},
				Tags:            unknown},
			Tags: unknown}
		checkRoundTrip(t, resp, func() Message { return &ConsumerGroupHeartbeatResponse{} })
		checkRoundTrip(t, &ConsumerGroupHeartbeatResponse{Version: v, MemberEpoch: 1,
			Assignment: &ConsumerGroupHeartbeatResponseAssignment{TopicPartitions: []ConsumerGroupHeartbeatResponseTopicPartitions{}}},
			func() Message { return &ConsumerGroupHeartbeatResponse{} })
		checkRoundTrip(t, &ConsumerGroupHeartbeatResponse{Version: v},
			func() Message { return &ConsumerGroupHeartbeatResponse{} })
	}
	if _, err := (&ConsumerGroupHeartbeatRequest{Version: 0, SubscribedTopicRegex: groupStr(".*")}).Encode(nil); err == nil {
		t.Fatal("v0 with SubscribedTopicRegex encoded")
	}
}

var cghTopicID = UUID{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}

func TestConsumerGroupHeartbeatGoldenV0(t *testing.T) {
	// A join: epoch 0, full subscription, nothing owned yet.
	req := &ConsumerGroupHeartbeatRequest{Version: 0, GroupId: "g", MemberEpoch: 0, RebalanceTimeoutMs: 300000,
		SubscribedTopicNames: []string{"t"}, ServerAssignor: groupStr("uniform"),
		TopicPartitions: []ConsumerGroupHeartbeatRequestTopicPartitions{}}
	want := groupBytes(
		[]byte{2, 'g'},               // GroupId
		[]byte{1},                    // MemberId ""
		[]byte{0, 0, 0, 0},           // MemberEpoch 0
		[]byte{0},                    // InstanceId null
		[]byte{0},                    // RackId null
		[]byte{0, 0x04, 0x93, 0xe0},  // RebalanceTimeoutMs 300000
		[]byte{2, 2, 't'},            // SubscribedTopicNames: ["t"]
		[]byte{8}, []byte("uniform"), // ServerAssignor
		[]byte{1}, // TopicPartitions: 0
		[]byte{0}, // tags
	)
	checkGroupGolden(t, req, func() Message { return &ConsumerGroupHeartbeatRequest{} }, want)

	resp := &ConsumerGroupHeartbeatResponse{Version: 0, MemberId: groupStr("m"), MemberEpoch: 1, HeartbeatIntervalMs: 5000,
		Assignment: &ConsumerGroupHeartbeatResponseAssignment{TopicPartitions: []ConsumerGroupHeartbeatResponseTopicPartitions{
			{TopicId: cghTopicID, Partitions: []int32{2}}}}}
	want = groupBytes(
		[]byte{0, 0, 0, 0},       // ThrottleTimeMs
		[]byte{0, 0},             // ErrorCode
		[]byte{0},                // ErrorMessage null
		[]byte{2, 'm'},           // MemberId
		[]byte{0, 0, 0, 1},       // MemberEpoch
		[]byte{0, 0, 0x13, 0x88}, // HeartbeatIntervalMs 5000
		[]byte{1},                // Assignment present
		[]byte{2},                // TopicPartitions: 1
		cghTopicID[:],            // TopicId
		[]byte{2, 0, 0, 0, 2},    // Partitions: [2]
		[]byte{0},                // topic tags
		[]byte{0},                // assignment tags
		[]byte{0},                // tags
	)
	checkGroupGolden(t, resp, func() Message { return &ConsumerGroupHeartbeatResponse{} }, want)
}

func TestConsumerGroupHeartbeatGoldenV1(t *testing.T) {
	req := &ConsumerGroupHeartbeatRequest{Version: 1, GroupId: "g", MemberId: "m", MemberEpoch: 5,
		RackId: groupStr("r"), RebalanceTimeoutMs: -1, SubscribedTopicRegex: groupStr("t.*"),
		TopicPartitions: []ConsumerGroupHeartbeatRequestTopicPartitions{{TopicId: cghTopicID, Partitions: []int32{0, 1}}}}
	want := groupBytes(
		[]byte{2, 'g'},                    // GroupId
		[]byte{2, 'm'},                    // MemberId
		[]byte{0, 0, 0, 5},                // MemberEpoch
		[]byte{0},                         // InstanceId null
		[]byte{2, 'r'},                    // RackId
		[]byte{0xff, 0xff, 0xff, 0xff},    // RebalanceTimeoutMs -1
		[]byte{0},                         // SubscribedTopicNames null
		[]byte{4, 't', '.', '*'},          // SubscribedTopicRegex
		[]byte{0},                         // ServerAssignor null
		[]byte{2},                         // TopicPartitions: 1
		cghTopicID[:],                     // TopicId
		[]byte{3, 0, 0, 0, 0, 0, 0, 0, 1}, // Partitions: [0 1]
		[]byte{0},                         // topic tags
		[]byte{0},                         // tags
	)
	checkGroupGolden(t, req, func() Message { return &ConsumerGroupHeartbeatRequest{} }, want)

	resp := &ConsumerGroupHeartbeatResponse{Version: 1, ErrorCode: 110, ErrorMessage: groupStr("x"), MemberEpoch: 5}
	want = groupBytes(
		[]byte{0, 0, 0, 0}, // ThrottleTimeMs
		[]byte{0, 110},     // ErrorCode FENCED_MEMBER_EPOCH
		[]byte{2, 'x'},     // ErrorMessage
		[]byte{0},          // MemberId null
		[]byte{0, 0, 0, 5}, // MemberEpoch
		[]byte{0, 0, 0, 0}, // HeartbeatIntervalMs
		[]byte{0xff},       // Assignment null
		[]byte{0},          // tags
	)
	checkGroupGolden(t, resp, func() Message { return &ConsumerGroupHeartbeatResponse{} }, want)
}

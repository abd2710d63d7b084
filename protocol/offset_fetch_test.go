package protocol

import "testing"

func fullOffsetFetchRequest(v int16) *OffsetFetchRequest {
	flexible := KeyOffsetFetch.Flexible(v)
	m := &OffsetFetchRequest{Version: v}
	if v <= 7 {
		m.GroupId = "g"
		m.Topics = []OffsetFetchRequestTopic{
			{Name: "orders", PartitionIndexes: []int32{0, 1, 2}},
			{Name: "empty", PartitionIndexes: []int32{}},
		}
		if flexible {
			m.Topics[1].Tags = TaggedFields{{Tag: 0, Data: []byte{1}}}
		}
	} else {
		g0 := OffsetFetchRequestGroup{GroupId: "g0", MemberEpoch: -1, Topics: []OffsetFetchRequestTopics{
			{PartitionIndexes: []int32{0, 1}}, {PartitionIndexes: []int32{}}}}
		g1 := OffsetFetchRequestGroup{GroupId: "g1", MemberEpoch: -1} // null Topics: all topics
		if v >= 9 {
			id := "member"
			g0.MemberId, g0.MemberEpoch = &id, 12
		}
		if v >= 10 {
			g0.Topics[0].TopicId, g0.Topics[1].TopicId = UUID{1}, UUID{2}
		} else {
			g0.Topics[0].Name, g0.Topics[1].Name = "orders", "empty"
		}
		g0.Topics[0].Tags = TaggedFields{{Tag: 1, Data: []byte{}}}
		g1.Tags = TaggedFields{{Tag: 2, Data: []byte{3}}}
		m.Groups = []OffsetFetchRequestGroup{g0, g1}
	}
	if v >= 7 {
		m.RequireStable = true
	}
	if flexible {
		m.Tags = TaggedFields{{Tag: 5, Data: []byte{5}}}
	}
	return m
}

func fullOffsetFetchResponse(v int16) *OffsetFetchResponse {
	flexible := KeyOffsetFetch.Flexible(v)
	m := &OffsetFetchResponse{Version: v}
	if v >= 3 {
		m.ThrottleTimeMs = 4
	}
	md := "meta"
	if v <= 7 {
		p0 := OffsetFetchResponsePartition{PartitionIndex: 0, CommittedOffset: 42, CommittedLeaderEpoch: -1, Metadata: &md}
		p1 := OffsetFetchResponsePartition{PartitionIndex: 1, CommittedOffset: -1, CommittedLeaderEpoch: -1, ErrorCode: 88}
		if v >= 5 {
			p0.CommittedLeaderEpoch = 3
		}
		if flexible {
			p1.Tags = TaggedFields{{Tag: 0, Data: []byte{1}}}
		}
		m.Topics = []OffsetFetchResponseTopic{
			{Name: "orders", Partitions: []OffsetFetchResponsePartition{p0, p1}},
			{Name: "empty", Partitions: []OffsetFetchResponsePartition{}},
		}
		if v >= 2 {
			m.ErrorCode = 14
		}
	} else {
		t0 := OffsetFetchResponseTopics{Partitions: []OffsetFetchResponsePartitions{
			{PartitionIndex: 0, CommittedOffset: 42, CommittedLeaderEpoch: 3, Metadata: &md},
			{PartitionIndex: 1, CommittedOffset: -1, CommittedLeaderEpoch: -1, ErrorCode: 88,
				Tags: TaggedFields{{Tag: 0, Data: []byte{1}}}},
		}}
		t1 := OffsetFetchResponseTopics{Partitions: []OffsetFetchResponsePartitions{}, Tags: TaggedFields{{Tag: 3, Data: []byte{}}}}
		if v >= 10 {
			t0.TopicId, t1.TopicId = UUID{1}, UUID{2}
		} else {
			t0.Name, t1.Name = "orders", "empty"
		}
		m.Groups = []OffsetFetchResponseGroup{
			{GroupId: "g0", Topics: []OffsetFetchResponseTopics{t0, t1}},
			{GroupId: "g1", Topics: []OffsetFetchResponseTopics{}, ErrorCode: 16, Tags: TaggedFields{{Tag: 1, Data: []byte{2}}}},
		}
	}
	if flexible {
		m.Tags = TaggedFields{{Tag: 9, Data: []byte{0}}}
	}
	return m
}

func TestOffsetFetchRoundTrip(t *testing.T) {
	for v := int16(0); v <= 10; v++ {
		checkRoundTrip(t, fullOffsetFetchRequest(v), func() Message { return &OffsetFetchRequest{} })
		checkRoundTrip(t, fullOffsetFetchResponse(v), func() Message { return &OffsetFetchResponse{} })
		if v >= 2 && v <= 7 { // null Topics: all the group's partitions
			checkRoundTrip(t, &OffsetFetchRequest{Version: v, GroupId: "g"}, func() Message { return &OffsetFetchRequest{} })
		}
	}
}

func TestOffsetFetchRequestNullTopicsBeforeV2(t *testing.T) {
	// Topics is not nullable in v0-1: nil is sent as an empty array.
	m := &OffsetFetchRequest{Version: 1, GroupId: "g"}
	checkOffsetGolden(t, &OffsetFetchRequest{Version: 1, GroupId: "g", Topics: []OffsetFetchRequestTopic{}},
		func() Message { return &OffsetFetchRequest{} }, []byte{0, 1, 'g', 0, 0, 0, 0})
	if b, _ := m.Encode(nil); string(b) != string([]byte{0, 1, 'g', 0, 0, 0, 0}) {
		t.Fatalf("v1 nil Topics = % x", b)
	}
}

func TestOffsetFetchWrongForm(t *testing.T) {
	bad := []Message{
		&OffsetFetchRequest{Version: 7, Groups: []OffsetFetchRequestGroup{{GroupId: "g"}}},
		&OffsetFetchRequest{Version: 8, GroupId: "g"},
		&OffsetFetchResponse{Version: 7, Groups: []OffsetFetchResponseGroup{{GroupId: "g"}}},
		&OffsetFetchResponse{Version: 8, Topics: []OffsetFetchResponseTopic{{Name: "t"}}},
	}
	for _, m := range bad {
		if _, err := m.Encode(nil); err == nil {
			t.Errorf("%T v%d: Encode succeeded", m, m.APIVersion())
		}
	}
}

func TestOffsetFetchRequestGoldenV7(t *testing.T) {
	m := &OffsetFetchRequest{Version: 7, GroupId: "g", RequireStable: true,
		Topics: []OffsetFetchRequestTopic{{Name: "t", PartitionIndexes: []int32{1}}}}
	want := []byte{
		0x02, 'g', // GroupId (compact, flexible since v6)
		0x02,      // Topics: 1
		0x02, 't', // Name
		0x02, 0, 0, 0, 1, // PartitionIndexes [1]
		0x00, // topic tags
		0x01, // RequireStable (v7+)
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetFetchRequest{} }, want)
}

func TestOffsetFetchRequestGoldenV3(t *testing.T) {
	m := &OffsetFetchRequest{Version: 3, GroupId: "g"} // null Topics: all partitions
	want := []byte{
		0, 1, 'g', // GroupId
		0xff, 0xff, 0xff, 0xff, // Topics: null (v2+)
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetFetchRequest{} }, want)
}

func TestOffsetFetchRequestGoldenV9(t *testing.T) {
	id := "m"
	m := &OffsetFetchRequest{Version: 9, RequireStable: true, Groups: []OffsetFetchRequestGroup{
		{GroupId: "g", MemberId: &id, MemberEpoch: 5, Topics: []OffsetFetchRequestTopics{{Name: "t", PartitionIndexes: []int32{0}}}},
		{GroupId: "h", MemberEpoch: -1},
	}}
	want := []byte{
		0x03,      // Groups: 2
		0x02, 'g', // GroupId
		0x02, 'm', // MemberId (v9+)
		0, 0, 0, 5, // MemberEpoch 5 (v9+)
		0x02,      // Topics: 1
		0x02, 't', // Name
		0x02, 0, 0, 0, 0, // PartitionIndexes [0]
		0x00,      // topic tags
		0x00,      // group tags
		0x02, 'h', // GroupId
		0x00,                   // MemberId null
		0xff, 0xff, 0xff, 0xff, // MemberEpoch -1
		0x00, // Topics: null
		0x00, // group tags
		0x01, // RequireStable
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetFetchRequest{} }, want)
}

func TestOffsetFetchResponseGoldenV5(t *testing.T) {
	m := &OffsetFetchResponse{Version: 5, ThrottleTimeMs: 2, ErrorCode: 0, Topics: []OffsetFetchResponseTopic{{
		Name: "t", Partitions: []OffsetFetchResponsePartition{{PartitionIndex: 1, CommittedOffset: 10, CommittedLeaderEpoch: 3}}}}}
	want := []byte{
		0, 0, 0, 2, // ThrottleTimeMs 2 (v3+)
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 1, // PartitionIndex 1
		0, 0, 0, 0, 0, 0, 0, 10, // CommittedOffset 10
		0, 0, 0, 3, // CommittedLeaderEpoch 3 (v5+)
		0xff, 0xff, // Metadata null
		0, 0, // ErrorCode 0
		0, 0, // top-level ErrorCode (v2-7)
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetFetchResponse{} }, want)
}

func TestOffsetFetchResponseGoldenV10(t *testing.T) {
	md := ""
	m := &OffsetFetchResponse{Version: 10, Groups: []OffsetFetchResponseGroup{{GroupId: "g",
		Topics: []OffsetFetchResponseTopics{{TopicId: UUID{15: 1}, Partitions: []OffsetFetchResponsePartitions{
			{PartitionIndex: 0, CommittedOffset: -1, CommittedLeaderEpoch: -1, Metadata: &md, ErrorCode: 0}}}},
		ErrorCode: 0}}}
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		0x02,      // Groups: 1
		0x02, 'g', // GroupId
		0x02,                                           // Topics: 1
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // TopicId (v10+)
		0x02,       // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // CommittedOffset -1 (none)
		0xff, 0xff, 0xff, 0xff, // CommittedLeaderEpoch -1
		0x01, // Metadata ""
		0, 0, // ErrorCode
		0x00, // partition tags
		0x00, // topic tags
		0, 0, // group ErrorCode
		0x00, // group tags
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetFetchResponse{} }, want)
}

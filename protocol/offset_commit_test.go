package protocol

import (
	"bytes"
	"testing"
)

func fullOffsetCommitRequest(v int16) *OffsetCommitRequest {
	flexible := KeyOffsetCommit.Flexible(v)
	m := &OffsetCommitRequest{Version: v, GroupId: "g", GenerationIdOrMemberEpoch: -1, RetentionTimeMs: -1}
	if v >= 1 {
		m.GenerationIdOrMemberEpoch, m.MemberId = 3, "member-1"
	}
	if v >= 7 {
		id := "instance-1"
		m.GroupInstanceId = &id
	}
	if v >= 2 && v <= 4 {
		m.RetentionTimeMs = 86400000
	}
	meta := "meta"
	p0 := OffsetCommitRequestPartition{PartitionIndex: 0, CommittedOffset: 42, CommittedLeaderEpoch: -1,
		CommitTimestamp: -1, CommittedMetadata: &meta}
	p1 := OffsetCommitRequestPartition{PartitionIndex: 1, CommittedOffset: 43, CommittedLeaderEpoch: -1,
		CommitTimestamp: -1}
	if v >= 6 {
		p0.CommittedLeaderEpoch, p1.CommittedLeaderEpoch = 5, 6
	}
	if v == 1 {
		p0.CommitTimestamp, p1.CommitTimestamp = 1700000000000, 1700000000001
	}
	t0 := OffsetCommitRequestTopic{Partitions: []OffsetCommitRequestPartition{p0, p1}}
	t1 := OffsetCommitRequestTopic{Partitions: []OffsetCommitRequestPartition{}}
	if v >= 10 {
		t0.TopicId, t1.TopicId = UUID{1, 2}, UUID{3}
	} else {
		t0.Name, t1.Name = "orders", "empty"
	}
	if flexible {
		t0.Partitions[1].Tags = TaggedFields{{Tag: 0, Data: []byte{1}}}
		t1.Tags = TaggedFields{{Tag: 2, Data: []byte{}}}
		m.Tags = TaggedFields{{Tag: 4, Data: []byte{9, 9}}}
	}
	m.Topics = []OffsetCommitRequestTopic{t0, t1}
	return m
}

func fullOffsetCommitResponse(v int16) *OffsetCommitResponse {
	m := &OffsetCommitResponse{Version: v}
	if v >= 3 {
		m.ThrottleTimeMs = 10
	}
	t0 := OffsetCommitResponseTopic{Partitions: []OffsetCommitResponsePartition{
		{PartitionIndex: 0, ErrorCode: 0}, {PartitionIndex: 1, ErrorCode: 27}}}
	t1 := OffsetCommitResponseTopic{Partitions: []OffsetCommitResponsePartition{}}
	if v >= 10 {
		t0.TopicId, t1.TopicId = UUID{1, 2}, UUID{3}
	} else {
		t0.Name, t1.Name = "orders", "empty"
	}
	if KeyOffsetCommit.Flexible(v) {
		t0.Partitions[0].Tags = TaggedFields{{Tag: 1, Data: []byte{0}}}
		t0.Tags = TaggedFields{{Tag: 0, Data: []byte{}}}
		m.Tags = TaggedFields{{Tag: 3, Data: []byte{7}}}
	}
	m.Topics = []OffsetCommitResponseTopic{t0, t1}
	return m
}

func TestOffsetCommitRoundTrip(t *testing.T) {
	for v := int16(0); v <= 10; v++ {
		checkRoundTrip(t, fullOffsetCommitRequest(v), func() Message { return &OffsetCommitRequest{} })
		checkRoundTrip(t, fullOffsetCommitResponse(v), func() Message { return &OffsetCommitResponse{} })
	}
}

func TestOffsetCommitGroupInstanceIdBeforeV7(t *testing.T) {
	id := "i"
	m := &OffsetCommitRequest{Version: 6, GroupId: "g", GroupInstanceId: &id}
	if _, err := m.Encode(nil); err == nil {
		t.Fatal("Encode v6 with GroupInstanceId succeeded")
	}
}

// checkOffsetGolden checks that m encodes to want, that want decodes to a message
// that equals m, and that it re-encodes to want.
func checkOffsetGolden(t *testing.T, m Message, fresh func() Message, want []byte) {
	t.Helper()
	got, err := m.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s v%d encode:\n got % x\nwant % x", m.Key(), m.APIVersion(), got, want)
	}
	checkRoundTrip(t, m, fresh)
}

func TestOffsetCommitRequestGoldenV1(t *testing.T) {
	m := &OffsetCommitRequest{Version: 1, GroupId: "g", GenerationIdOrMemberEpoch: 2, MemberId: "m",
		RetentionTimeMs: -1, Topics: []OffsetCommitRequestTopic{{Name: "t", Partitions: []OffsetCommitRequestPartition{
			{PartitionIndex: 1, CommittedOffset: 100, CommittedLeaderEpoch: -1, CommitTimestamp: 5}}}}}
	want := []byte{
		0, 1, 'g', // GroupId
		0, 0, 0, 2, // GenerationIdOrMemberEpoch 2 (v1+)
		0, 1, 'm', // MemberId (v1+)
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 1, // PartitionIndex 1
		0, 0, 0, 0, 0, 0, 0, 100, // CommittedOffset 100
		0, 0, 0, 0, 0, 0, 0, 5, // CommitTimestamp 5 (v1 only)
		0xff, 0xff, // CommittedMetadata null
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitRequest{} }, want)
}

func TestOffsetCommitRequestGoldenV3(t *testing.T) {
	md := ""
	m := &OffsetCommitRequest{Version: 3, GroupId: "g", GenerationIdOrMemberEpoch: -1, MemberId: "",
		RetentionTimeMs: 60000, Topics: []OffsetCommitRequestTopic{{Name: "t", Partitions: []OffsetCommitRequestPartition{
			{PartitionIndex: 0, CommittedOffset: 7, CommittedLeaderEpoch: -1, CommitTimestamp: -1, CommittedMetadata: &md}}}}}
	want := []byte{
		0, 1, 'g', // GroupId
		0xff, 0xff, 0xff, 0xff, // GenerationIdOrMemberEpoch -1
		0, 0, // MemberId ""
		0, 0, 0, 0, 0, 0, 0xea, 0x60, // RetentionTimeMs 60000 (v2-4)
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, 0, 0, 0, 0, 0, 7, // CommittedOffset 7
		0, 0, // CommittedMetadata ""
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitRequest{} }, want)
}

func TestOffsetCommitRequestGoldenV8(t *testing.T) {
	id := "i"
	m := &OffsetCommitRequest{Version: 8, GroupId: "g", GenerationIdOrMemberEpoch: 1, MemberId: "m",
		GroupInstanceId: &id, RetentionTimeMs: -1, Topics: []OffsetCommitRequestTopic{{Name: "t",
			Partitions: []OffsetCommitRequestPartition{
				{PartitionIndex: 2, CommittedOffset: 9, CommittedLeaderEpoch: 4, CommitTimestamp: -1}}}}}
	want := []byte{
		0x02, 'g', // GroupId (compact)
		0, 0, 0, 1, // GenerationIdOrMemberEpoch 1
		0x02, 'm', // MemberId
		0x02, 'i', // GroupInstanceId (v7+)
		0x02,      // Topics: 1
		0x02, 't', // Name
		0x02,       // Partitions: 1
		0, 0, 0, 2, // PartitionIndex 2
		0, 0, 0, 0, 0, 0, 0, 9, // CommittedOffset 9
		0, 0, 0, 4, // CommittedLeaderEpoch 4 (v6+)
		0x00, // CommittedMetadata null
		0x00, // partition tags
		0x00, // topic tags
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitRequest{} }, want)
}

func TestOffsetCommitRequestGoldenV10(t *testing.T) {
	m := &OffsetCommitRequest{Version: 10, GroupId: "g", GenerationIdOrMemberEpoch: 7, MemberId: "m",
		RetentionTimeMs: -1, Topics: []OffsetCommitRequestTopic{{TopicId: UUID{0: 0x11, 15: 0x22},
			Partitions: []OffsetCommitRequestPartition{
				{PartitionIndex: 0, CommittedOffset: 1, CommittedLeaderEpoch: -1, CommitTimestamp: -1}}}}}
	want := []byte{
		0x02, 'g', // GroupId
		0, 0, 0, 7, // member epoch 7
		0x02, 'm', // MemberId
		0x00,                                                 // GroupInstanceId null
		0x02,                                                 // Topics: 1
		0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22, // TopicId (v10+)
		0x02,       // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, 0, 0, 0, 0, 0, 1, // CommittedOffset 1
		0xff, 0xff, 0xff, 0xff, // CommittedLeaderEpoch -1
		0x00, // CommittedMetadata null
		0x00, // partition tags
		0x00, // topic tags
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitRequest{} }, want)
}

func TestOffsetCommitResponseGoldens(t *testing.T) {
	// v2: no throttle time.
	m := &OffsetCommitResponse{Version: 2, Topics: []OffsetCommitResponseTopic{{Name: "t",
		Partitions: []OffsetCommitResponsePartition{{PartitionIndex: 3, ErrorCode: 22}}}}}
	want := []byte{
		0, 0, 0, 1, // Topics: 1
		0, 1, 't', // Name
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 3, // PartitionIndex 3
		0, 22, // ErrorCode ILLEGAL_GENERATION
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitResponse{} }, want)

	// v8: flexible.
	m = &OffsetCommitResponse{Version: 8, ThrottleTimeMs: 1, Topics: []OffsetCommitResponseTopic{{Name: "t",
		Partitions: []OffsetCommitResponsePartition{{PartitionIndex: 0, ErrorCode: 0}}}}}
	want = []byte{
		0, 0, 0, 1, // ThrottleTimeMs 1 (v3+)
		0x02,      // Topics: 1
		0x02, 't', // Name
		0x02,       // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, // ErrorCode 0
		0x00, // partition tags
		0x00, // topic tags
		0x00, // top-level tags
	}
	checkOffsetGolden(t, m, func() Message { return &OffsetCommitResponse{} }, want)
}

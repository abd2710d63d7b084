package protocol

import (
	"bytes"
	"testing"
)

// fullFetchRequest returns a FetchRequest of version v with every field that
// version carries set to a non-default value, and the others at their
// defaults, as decoding yields them.
func fullFetchRequest(v int16) *FetchRequest {
	m := NewFetchRequest(v)
	flexible := KeyFetch.Flexible(v)
	if v <= 14 {
		m.ReplicaId = 3
	}
	m.MaxWaitMs = 500
	m.MinBytes = 1
	if v >= 3 {
		m.MaxBytes = 52428800
	}
	if v >= 4 {
		m.IsolationLevel = 1
	}
	if v >= 7 {
		m.SessionId = 77
		m.SessionEpoch = 5
	}
	p0 := NewFetchPartition(0, 100, 1<<20)
	p1 := NewFetchPartition(1, 200, 1<<19)
	for _, p := range []*FetchPartition{&p0, &p1} {
		if v >= 9 {
			p.CurrentLeaderEpoch = 4
		}
		if v >= 12 {
			p.LastFetchedEpoch = 3
		}
		if v >= 5 {
			p.LogStartOffset = 10
		}
		if v >= 17 {
			p.ReplicaDirectoryId = UUID{0xd, 1, 2, 3}
		}
		if v >= 18 {
			p.HighWatermark = 150
		}
	}
	if flexible {
		p1.Tags = TaggedFields{{Tag: 7, Data: []byte{0xaa}}}
	}
	t0 := FetchTopic{Partitions: []FetchPartition{p0, p1}}
	t1 := FetchTopic{Partitions: []FetchPartition{}}
	if v >= 13 {
		t0.TopicId, t1.TopicId = UUID{1, 2, 3, 4, 5}, UUID{9}
	} else {
		t0.Topic, t1.Topic = "orders", "empty"
	}
	if flexible {
		t1.Tags = TaggedFields{{Tag: 3, Data: []byte{}}}
	}
	m.Topics = []FetchTopic{t0, t1}
	if v >= 7 {
		f := FetchRequestForgottenTopic{Partitions: []int32{4, 5}}
		if v >= 13 {
			f.TopicId = UUID{7, 7}
		} else {
			f.Topic = "gone"
		}
		if flexible {
			f.Tags = TaggedFields{{Tag: 2, Data: []byte{1, 2, 3}}}
		}
		m.ForgottenTopicsData = []FetchRequestForgottenTopic{f, {Topic: f.Topic, TopicId: f.TopicId, Partitions: []int32{}}}
	}
	if v >= 11 {
		m.RackId = "rack-a"
	}
	if flexible {
		id := "cluster-1"
		m.ClusterId = &id
		m.Tags = TaggedFields{{Tag: 5, Data: []byte{0x01}}}
	}
	if v >= 15 {
		m.ReplicaState = FetchRequestReplicaState{ReplicaId: 2, ReplicaEpoch: 9, Tags: TaggedFields{{Tag: 1, Data: []byte{0}}}}
	}
	return m
}

// fullFetchResponse is fullFetchRequest for responses.
func fullFetchResponse(v int16) *FetchResponse {
	m := &FetchResponse{Version: v}
	flexible := KeyFetch.Flexible(v)
	if v >= 1 {
		m.ThrottleTimeMs = 12
	}
	if v >= 7 {
		m.ErrorCode = 0
		m.SessionId = 77
	}
	part := func(i int32) FetchResponsePartitionData {
		p := FetchResponsePartitionData{PartitionIndex: i, ErrorCode: 6, HighWatermark: 1000 + int64(i),
			LastStableOffset: -1, LogStartOffset: -1, PreferredReadReplica: -1,
			DivergingEpoch: FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
			CurrentLeader:  FetchResponseLeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1},
			SnapshotId:     FetchResponseSnapshotId{EndOffset: -1, Epoch: -1},
			Records:        []byte{0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3}}
		if v >= 4 {
			p.LastStableOffset = 990
			p.AbortedTransactions = []FetchResponseAbortedTransaction{{ProducerId: 42, FirstOffset: 900}}
		}
		if v >= 5 {
			p.LogStartOffset = 5
		}
		if v >= 11 {
			p.PreferredReadReplica = 2
		}
		if flexible {
			p.DivergingEpoch = FetchResponseEpochEndOffset{Epoch: 3, EndOffset: 800}
			p.CurrentLeader = FetchResponseLeaderIdAndEpoch{LeaderId: 1, LeaderEpoch: 4, Tags: TaggedFields{{Tag: 0, Data: []byte{5}}}}
			p.SnapshotId = FetchResponseSnapshotId{EndOffset: 700, Epoch: 2}
			p.AbortedTransactions[0].Tags = TaggedFields{{Tag: 1, Data: []byte{}}}
			p.Tags = TaggedFields{{Tag: 8, Data: []byte{1}}}
		}
		return p
	}
	p1 := part(1)
	p1.Records = nil // null records
	p1.AbortedTransactions = nil
	p2 := part(2)
	p2.Records = []byte{}
	if v >= 4 {
		p2.AbortedTransactions = []FetchResponseAbortedTransaction{}
	}
	t0 := FetchableTopicResponse{Partitions: []FetchResponsePartitionData{part(0), p1, p2}}
	t1 := FetchableTopicResponse{Partitions: []FetchResponsePartitionData{}}
	if v >= 13 {
		t0.TopicId, t1.TopicId = UUID{1, 2, 3}, UUID{4}
	} else {
		t0.Topic, t1.Topic = "orders", "empty"
	}
	if flexible {
		t0.Tags = TaggedFields{{Tag: 4, Data: []byte{9, 9}}}
		m.Tags = TaggedFields{{Tag: 6, Data: []byte{0}}}
	}
	m.Responses = []FetchableTopicResponse{t0, t1}
	if v >= 16 {
		rack := "r1"
		m.NodeEndpoints = []FetchResponseNodeEndpoint{
			{NodeId: 1, Host: "b1", Port: 9092, Rack: &rack},
			{NodeId: 2, Host: "b2", Port: 9093, Tags: TaggedFields{{Tag: 3, Data: []byte{1}}}},
		}
	}
	return m
}

func TestFetchRoundTrip(t *testing.T) {
	for v := int16(0); v <= 18; v++ {
		checkRoundTrip(t, fullFetchRequest(v), func() Message { return &FetchRequest{} })
		empty := NewFetchRequest(v)
		empty.Topics = []FetchTopic{}
		if v >= 7 {
			empty.ForgottenTopicsData = []FetchRequestForgottenTopic{}
		}
		checkRoundTrip(t, empty, func() Message { return &FetchRequest{} })
		checkRoundTrip(t, fullFetchResponse(v), func() Message { return &FetchResponse{} })
	}
}

func TestFetchRequestForgottenTopicsBeforeSessions(t *testing.T) {
	m := fullFetchRequest(7)
	m.Version = 6
	if b, err := m.Encode([]byte{1}); err == nil || !bytes.Equal(b, []byte{1}) {
		t.Fatalf("Encode v6 with ForgottenTopicsData = % x, %v; want an error and dst unchanged", b, err)
	}
}

func TestFetchRequestGoldenV4(t *testing.T) {
	m := NewFetchRequest(4)
	m.MaxWaitMs, m.MinBytes, m.MaxBytes, m.IsolationLevel = 500, 1, 0x100000, 1
	m.Topics = []FetchTopic{{Topic: "t", Partitions: []FetchPartition{NewFetchPartition(2, 7, 0x10000)}}}
	want := []byte{
		0xff, 0xff, 0xff, 0xff, // ReplicaId -1
		0x00, 0x00, 0x01, 0xf4, // MaxWaitMs 500
		0x00, 0x00, 0x00, 0x01, // MinBytes 1
		0x00, 0x10, 0x00, 0x00, // MaxBytes 1 MiB (v3+)
		0x01,                   // IsolationLevel read_committed (v4+)
		0x00, 0x00, 0x00, 0x01, // Topics: 1
		0x00, 0x01, 't', // Topic "t" (int16 length)
		0x00, 0x00, 0x00, 0x01, // Partitions: 1
		0x00, 0x00, 0x00, 0x02, // Partition 2
		0, 0, 0, 0, 0, 0, 0, 7, // FetchOffset 7
		0x00, 0x01, 0x00, 0x00, // PartitionMaxBytes 64 KiB
	}
	checkFetchGolden(t, m, &FetchRequest{}, want)
}

func TestFetchRequestGoldenV12(t *testing.T) {
	m := NewFetchRequest(12)
	m.MaxWaitMs, m.MinBytes, m.MaxBytes = 100, 1, 0x7fffffff
	m.SessionId, m.SessionEpoch = 1, 2
	p := NewFetchPartition(0, 5, 0x100)
	p.CurrentLeaderEpoch, p.LastFetchedEpoch = 3, 2
	m.Topics = []FetchTopic{{Topic: "ab", Partitions: []FetchPartition{p}}}
	m.ForgottenTopicsData = []FetchRequestForgottenTopic{{Topic: "x", Partitions: []int32{9}}}
	m.RackId = "r"
	id := "c"
	m.ClusterId = &id
	want := []byte{
		0xff, 0xff, 0xff, 0xff, // ReplicaId -1
		0x00, 0x00, 0x00, 0x64, // MaxWaitMs 100
		0x00, 0x00, 0x00, 0x01, // MinBytes 1
		0x7f, 0xff, 0xff, 0xff, // MaxBytes
		0x00,                   // IsolationLevel
		0x00, 0x00, 0x00, 0x01, // SessionId 1
		0x00, 0x00, 0x00, 0x02, // SessionEpoch 2
		0x02,           // Topics: compact 1
		0x03, 'a', 'b', // Topic "ab" (compact)
		0x02,                   // Partitions: compact 1
		0x00, 0x00, 0x00, 0x00, // Partition 0
		0x00, 0x00, 0x00, 0x03, // CurrentLeaderEpoch 3
		0, 0, 0, 0, 0, 0, 0, 5, // FetchOffset 5
		0x00, 0x00, 0x00, 0x02, // LastFetchedEpoch 2
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LogStartOffset -1
		0x00, 0x00, 0x01, 0x00, // PartitionMaxBytes 256
		0x00,      // partition tags: none
		0x00,      // topic tags: none
		0x02,      // ForgottenTopicsData: compact 1
		0x02, 'x', // Topic "x"
		0x02, 0x00, 0x00, 0x00, 0x09, // Partitions [9]
		0x00,      // forgotten topic tags
		0x02, 'r', // RackId "r"
		0x01,                  // top-level tags: 1
		0x00, 0x02, 0x02, 'c', // tag 0 ClusterId, 2 bytes: compact "c"
	}
	checkFetchGolden(t, m, &FetchRequest{}, want)
}

func TestFetchRequestGoldenV17(t *testing.T) {
	// v13+ topic ids; v15+ no ReplicaId and a ReplicaState tag; v17 a
	// per-partition ReplicaDirectoryId tag.
	m := NewFetchRequest(17)
	m.MaxWaitMs, m.MinBytes, m.MaxBytes = 0, 0, 0
	m.SessionEpoch = -1
	m.ReplicaState = FetchRequestReplicaState{ReplicaId: 1, ReplicaEpoch: 2}
	p := NewFetchPartition(1, 0, 0)
	p.ReplicaDirectoryId = UUID{15: 0xee}
	m.Topics = []FetchTopic{{TopicId: UUID{0: 0xab}, Partitions: []FetchPartition{p}}}
	m.ForgottenTopicsData = []FetchRequestForgottenTopic{}
	want := []byte{
		0, 0, 0, 0, // MaxWaitMs
		0, 0, 0, 0, // MinBytes
		0, 0, 0, 0, // MaxBytes
		0,          // IsolationLevel
		0, 0, 0, 0, // SessionId 0
		0xff, 0xff, 0xff, 0xff, // SessionEpoch -1
		0x02,                                              // Topics: 1
		0xab, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // TopicId
		0x02,       // Partitions: 1
		0, 0, 0, 1, // Partition 1
		0xff, 0xff, 0xff, 0xff, // CurrentLeaderEpoch -1
		0, 0, 0, 0, 0, 0, 0, 0, // FetchOffset 0
		0xff, 0xff, 0xff, 0xff, // LastFetchedEpoch -1
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LogStartOffset -1
		0, 0, 0, 0, // PartitionMaxBytes 0
		0x01, 0x00, 0x10, // partition tags: 1; tag 0 ReplicaDirectoryId, 16 bytes
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee,
		0x00,             // topic tags
		0x01,             // ForgottenTopicsData: 0
		0x01,             // RackId ""
		0x01, 0x01, 0x0d, // top-level tags: 1; tag 1 ReplicaState, 13 bytes
		0, 0, 0, 1, // ReplicaId 1
		0, 0, 0, 0, 0, 0, 0, 2, // ReplicaEpoch 2
		0x00, // ReplicaState tags
	}
	checkFetchGolden(t, m, &FetchRequest{}, want)
}

func TestFetchResponseGoldenV4(t *testing.T) {
	m := &FetchResponse{Version: 4, ThrottleTimeMs: 1, Responses: []FetchableTopicResponse{{
		Topic: "t", Partitions: []FetchResponsePartitionData{{
			PartitionIndex: 0, ErrorCode: 0, HighWatermark: 10, LastStableOffset: 8, LogStartOffset: -1,
			AbortedTransactions:  []FetchResponseAbortedTransaction{{ProducerId: 3, FirstOffset: 4}},
			PreferredReadReplica: -1, Records: []byte{0xca, 0xfe},
			DivergingEpoch: FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
			CurrentLeader:  FetchResponseLeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1},
			SnapshotId:     FetchResponseSnapshotId{EndOffset: -1, Epoch: -1},
		}}}}}
	want := []byte{
		0, 0, 0, 1, // ThrottleTimeMs 1
		0, 0, 0, 1, // Responses: 1
		0, 1, 't', // Topic "t"
		0, 0, 0, 1, // Partitions: 1
		0, 0, 0, 0, // PartitionIndex 0
		0, 0, // ErrorCode 0
		0, 0, 0, 0, 0, 0, 0, 10, // HighWatermark 10
		0, 0, 0, 0, 0, 0, 0, 8, // LastStableOffset 8 (v4+)
		0, 0, 0, 1, // AbortedTransactions: 1
		0, 0, 0, 0, 0, 0, 0, 3, // ProducerId 3
		0, 0, 0, 0, 0, 0, 0, 4, // FirstOffset 4
		0, 0, 0, 2, 0xca, 0xfe, // Records: 2 bytes
	}
	got := checkFetchGolden(t, m, &FetchResponse{}, want)
	if r := got.(*FetchResponse).Responses[0].Partitions[0].Records; &r[0] != &want[len(want)-2] {
		t.Errorf("Records does not point into src")
	}
}

func TestFetchResponseGoldenV16(t *testing.T) {
	m := &FetchResponse{Version: 16, ThrottleTimeMs: 0, ErrorCode: 0, SessionId: 5, Responses: []FetchableTopicResponse{{
		TopicId: UUID{0: 1}, Partitions: []FetchResponsePartitionData{{
			PartitionIndex: 2, ErrorCode: 6, HighWatermark: -1, LastStableOffset: -1, LogStartOffset: -1,
			PreferredReadReplica: -1,
			DivergingEpoch:       FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
			CurrentLeader:        FetchResponseLeaderIdAndEpoch{LeaderId: 3, LeaderEpoch: 7},
			SnapshotId:           FetchResponseSnapshotId{EndOffset: -1, Epoch: -1},
		}}}},
		NodeEndpoints: []FetchResponseNodeEndpoint{{NodeId: 3, Host: "h", Port: 9092}},
	}
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		0, 0, // ErrorCode
		0, 0, 0, 5, // SessionId 5
		0x02,                                           // Responses: 1
		1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // TopicId
		0x02,       // Partitions: 1
		0, 0, 0, 2, // PartitionIndex 2
		0, 6, // ErrorCode NOT_LEADER_OR_FOLLOWER
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // HighWatermark -1
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LastStableOffset -1
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // LogStartOffset -1
		0x00,                   // AbortedTransactions: null
		0xff, 0xff, 0xff, 0xff, // PreferredReadReplica -1
		0x00,       // Records: null
		0x01,       // partition tags: 1
		0x01, 0x09, // tag 1 CurrentLeader, 9 bytes
		0, 0, 0, 3, // LeaderId 3
		0, 0, 0, 7, // LeaderEpoch 7
		0x00,       // CurrentLeader tags
		0x00,       // topic tags
		0x01,       // top-level tags: 1
		0x00, 0x0d, // tag 0 NodeEndpoints, 13 bytes
		0x02,       // 1 endpoint
		0, 0, 0, 3, // NodeId 3
		0x02, 'h', // Host "h"
		0, 0, 0x23, 0x84, // Port 9092
		0x00, // Rack null
		0x00, // endpoint tags
	}
	checkFetchGolden(t, m, &FetchResponse{}, want)
}

// checkFetchGolden checks that m encodes to want and that want decodes into
// fresh as m; it returns the decoded message.
func checkFetchGolden(t *testing.T, m Message, fresh Message, want []byte) Message {
	t.Helper()
	got, err := m.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s v%d encode:\n got % x\nwant % x", m.Key(), m.APIVersion(), got, want)
	}
	fresh.SetAPIVersion(m.APIVersion())
	if err := fresh.Decode(want); err != nil {
		t.Fatalf("%s v%d decode: %v", m.Key(), m.APIVersion(), err)
	}
	checkRoundTrip(t, fresh, func() Message {
		if _, ok := m.(*FetchRequest); ok {
			return &FetchRequest{}
		}
		return &FetchResponse{}
	})
	b, _ := fresh.Encode(nil)
	if !bytes.Equal(b, want) {
		t.Fatalf("%s v%d decode+encode:\n got % x\nwant % x", m.Key(), m.APIVersion(), b, want)
	}
	return fresh
}

func TestFetchResponseHostileCounts(t *testing.T) {
	// A partition count the remaining bytes cannot hold fails before
	// anything is allocated for it.
	src := []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 't', 0x7f, 0xff, 0xff, 0xff, 0, 0}
	m := &FetchResponse{Version: 1}
	_ = m.Decode(src) // warm up fmt's buffers
	// TotalAlloc also counts the runtime's own allocations (a few KiB); the
	// count claims 2^31-1 partitions of over 200 bytes each.
	if n := bytesAllocated(func() { _ = m.Decode(src) }); n > 16<<10 {
		t.Errorf("%d bytes allocated", n)
	}
	if m.Decode(src) == nil {
		t.Error("no error")
	}
}

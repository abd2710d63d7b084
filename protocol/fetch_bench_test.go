package protocol

import (
	"fmt"
	"testing"
)

// fetchBenchRequest returns a consumer's FetchRequest of version v for 100
// topics of 10 partitions each.
func fetchBenchRequest(v int16) *FetchRequest {
	m := NewFetchRequest(v)
	m.MaxWaitMs, m.MinBytes, m.MaxBytes, m.IsolationLevel = 500, 1, 52428800, 1
	m.SessionId, m.SessionEpoch = 12345, 7
	m.RackId = "rack-a"
	m.Topics = make([]FetchTopic, 100)
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Topic = fmt.Sprintf("topic-%03d", i)
		t.TopicId = UUID{0: byte(i), 15: 1}
		t.Partitions = make([]FetchPartition, 10)
		for j := range t.Partitions {
			p := NewFetchPartition(int32(j), int64(i*1000+j)*1000, 1<<20)
			p.CurrentLeaderEpoch, p.LastFetchedEpoch = 5, 5
			t.Partitions[j] = p
		}
	}
	m.ForgottenTopicsData = []FetchRequestForgottenTopic{{Topic: "old", TopicId: UUID{1: 1}, Partitions: []int32{0, 1, 2}}}
	return m
}

// fetchBenchResponse returns the encoded body of a FetchResponse of
// version v for 100 topics of 10 partitions, each with a 1 KiB record blob.
func fetchBenchResponse(tb testing.TB, v int16) []byte {
	m := &FetchResponse{Version: v, SessionId: 12345}
	records := make([]byte, 1024)
	m.Responses = make([]FetchableTopicResponse, 100)
	for i := range m.Responses {
		t := &m.Responses[i]
		t.Topic = fmt.Sprintf("topic-%03d", i)
		t.TopicId = UUID{0: byte(i), 15: 1}
		t.Partitions = make([]FetchResponsePartitionData, 10)
		for j := range t.Partitions {
			t.Partitions[j] = FetchResponsePartitionData{PartitionIndex: int32(j), HighWatermark: 1 << 40,
				LastStableOffset: 1 << 40, LogStartOffset: 0, PreferredReadReplica: -1, Records: records,
				DivergingEpoch: FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
				CurrentLeader:  FetchResponseLeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1},
				SnapshotId:     FetchResponseSnapshotId{EndOffset: -1, Epoch: -1}}
		}
	}
	b, err := m.Encode(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fetchBenchVersions are the versions the benchmarks cover: the highest,
// and v11, the highest that uses topic names in the classic encoding.
var fetchBenchVersions = []int16{18, 11}

func TestFetchRequestEncodeAllocatesNothing(t *testing.T) {
	for _, v := range fetchBenchVersions {
		req := fetchBenchRequest(v)
		dst, err := req.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() { dst, _ = req.Encode(dst[:0]) })
		if allocs != 0 {
			t.Errorf("v%d: encoding 1,000 partitions into a reused buffer: %v allocations, want 0", v, allocs)
		}
	}
}

func BenchmarkFetchRequestEncode(b *testing.B) {
	for _, v := range fetchBenchVersions {
		b.Run(fmt.Sprintf("v%d/1000partitions", v), func(b *testing.B) {
			req := fetchBenchRequest(v)
			dst, _ := req.Encode(nil)
			b.SetBytes(int64(len(dst)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dst, _ = req.Encode(dst[:0])
			}
		})
	}
}

func BenchmarkFetchResponseDecode(b *testing.B) {
	for _, v := range fetchBenchVersions {
		b.Run(fmt.Sprintf("v%d/1000partitions", v), func(b *testing.B) {
			src := fetchBenchResponse(b, v)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var m FetchResponse
				m.Version = v
				if err := m.Decode(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

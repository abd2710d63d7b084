package protocol

import (
	"fmt"
	"testing"
)

// benchMetadataResponse builds a response of 1,000 topics × 10 partitions,
// each with 3 replicas, on a 3-broker cluster.
func benchMetadataResponse(v int16) *MetadataResponse {
	m := &MetadataResponse{Version: v, ControllerId: 1, ClusterId: wireStr("bench-cluster"),
		ClusterAuthorizedOperations: AuthorizedOperationsOmitted}
	for b := int32(1); b <= 3; b++ {
		m.Brokers = append(m.Brokers, MetadataResponseBroker{NodeId: b, Host: fmt.Sprintf("broker-%d.example.com", b),
			Port: 9092, Rack: wireStr(fmt.Sprintf("rack-%d", b))})
	}
	m.Topics = make([]MetadataResponseTopic, 1000)
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = wireStr(fmt.Sprintf("topic-%04d.events", i))
		t.TopicId = UUID{0: byte(i), 1: byte(i >> 8), 15: 1}
		t.TopicAuthorizedOperations = AuthorizedOperationsOmitted
		t.Partitions = make([]MetadataResponsePartition, 10)
		for j := range t.Partitions {
			leader := int32(j%3 + 1)
			replicas := []int32{leader, leader%3 + 1, (leader+1)%3 + 1}
			t.Partitions[j] = MetadataResponsePartition{PartitionIndex: int32(j), LeaderId: leader, LeaderEpoch: 7,
				ReplicaNodes: replicas, IsrNodes: replicas, OfflineReplicas: []int32{}}
		}
	}
	return m
}

func BenchmarkMetadataResponseDecode(b *testing.B) {
	for _, v := range []int16{8, 13} {
		src, err := benchMetadataResponse(v).Encode(nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("v%d", v), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				m := &MetadataResponse{Version: v}
				if err := m.Decode(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

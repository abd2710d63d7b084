package assignor

import (
	"fmt"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// BenchmarkAssignmentEncode encodes an Assignment as a leader does for
// SyncGroup (Encode; and through Protocol, as it did before Encode): one partition of each of 500 topics (a member's share of 500
// topics x 2,000 partitions among 2,000 members) and 5 partitions of one
// topic (10,000 partitions among 2,000).
func BenchmarkAssignmentEncode(b *testing.B) {
	for _, shape := range []struct {
		name             string
		topics, perTopic int
	}{{"500x1", 500, 1}, {"1x5", 1, 5}} {
		var a Assignment
		for t := range shape.topics {
			for p := range shape.perTopic {
				a.Partitions = append(a.Partitions, protocol.TopicPartition{Topic: fmt.Sprintf("events.topic-%04d", t), Partition: int32(p)})
			}
		}
		b.Run(shape.name+"/Encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Encode(nil, 3); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(shape.name+"/Protocol.Encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := a.Protocol(3)
				if _, err := p.Encode(nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

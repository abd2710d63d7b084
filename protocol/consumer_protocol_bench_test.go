package protocol

import (
	"fmt"
	"testing"
)

// benchTopics is n topic names as bench/cmd/balance makes them.
func benchTopics(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("events.topic-%04d", i)
	}
	return names
}

// benchOwned is one partition of each topic, as a member of 2,000 owns
// in the 500 x 2,000 group.
func benchOwned(topics []string) []ConsumerProtocolTopicPartition {
	tps := make([]ConsumerProtocolTopicPartition, len(topics))
	for i, t := range topics {
		tps[i] = ConsumerProtocolTopicPartition{Topic: t, Partitions: []int32{int32(i % 2000)}}
	}
	return tps
}

// BenchmarkConsumerProtocolSubscriptionDecode decodes the v3 subscription
// of one member of the 2,000 x (500 topics x 2,000) group after a
// rebalance: 500 topics, one partition of each owned, and the sticky
// assignor's user data with the same.
func BenchmarkConsumerProtocolSubscriptionDecode(b *testing.B) {
	topics := benchTopics(500)
	owned := benchOwned(topics)
	ud := StickyAssignorUserData{PreviousAssignment: owned, Generation: 1}
	s := ConsumerProtocolSubscription{Version: 3, Topics: topics, UserData: ud.Encode(nil), OwnedPartitions: owned, GenerationId: 1}
	src, err := s.Encode(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			var d ConsumerProtocolSubscription
			if err := d.Decode(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A leader decodes 2,000 of them with one TopicNames: after the first,
	// every name is known.
	b.Run("DecodeNames", func(b *testing.B) {
		var names TopicNames
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			var d ConsumerProtocolSubscription
			if err := d.DecodeNames(src, &names); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStickyAssignorUserDataDecode decodes the sticky assignor's user
// data of the subscription above.
func BenchmarkStickyAssignorUserDataDecode(b *testing.B) {
	ud := StickyAssignorUserData{PreviousAssignment: benchOwned(benchTopics(500)), Generation: 1}
	src := ud.Encode(nil)
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			var d StickyAssignorUserData
			if err := d.Decode(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The sticky assignor reads every member's so, with one TopicNames.
	b.Run("Partitions", func(b *testing.B) {
		var names TopicNames
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, _, err := StickyAssignorUserDataPartitions(src, &names); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConsumerProtocolAssignmentEncode encodes an assignment of one
// partition of each of 500 topics.
func BenchmarkConsumerProtocolAssignmentEncode(b *testing.B) {
	a := ConsumerProtocolAssignment{Version: 3, AssignedPartitions: benchOwned(benchTopics(500))}
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Encode(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	var flat []TopicPartition
	for _, e := range a.AssignedPartitions {
		for _, p := range e.Partitions {
			flat = append(flat, TopicPartition{Topic: e.Topic, Partition: p})
		}
	}
	b.Run("Append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := AppendConsumerProtocolAssignment(nil, 3, flat, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

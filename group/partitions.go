package group

import (
	"slices"

	"github.com/rawkafka/rawkafka/protocol"
)

// normalizeTopics returns topics sorted and without duplicates, in a new
// slice.
func normalizeTopics(topics []string) []string {
	t := slices.Clone(topics)
	slices.Sort(t)
	return slices.Compact(t)
}

// flatten turns the consumer protocol's [topic, [partition]] into sorted,
// distinct partitions.
func flatten(tps []protocol.ConsumerProtocolTopicPartition) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, t := range tps {
		for _, p := range t.Partitions {
			out = append(out, protocol.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	slices.SortFunc(out, protocol.TopicPartition.Compare)
	return slices.Compact(out)
}

// grouped turns sorted partitions into the consumer protocol's form.
func grouped(tps []protocol.TopicPartition) []protocol.ConsumerProtocolTopicPartition {
	var out []protocol.ConsumerProtocolTopicPartition
	for _, tp := range tps {
		if n := len(out); n > 0 && out[n-1].Topic == tp.Topic {
			out[n-1].Partitions = append(out[n-1].Partitions, tp.Partition)
			continue
		}
		out = append(out, protocol.ConsumerProtocolTopicPartition{Topic: tp.Topic, Partitions: []int32{tp.Partition}})
	}
	return out
}

// minus returns the partitions of a that are not in b (both sorted): the
// reconciliation step's "to revoke" (owned − assigned) and "to assign"
// (assigned − owned).
func minus(a, b []protocol.TopicPartition) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, tp := range a {
		if _, found := slices.BinarySearchFunc(b, tp, protocol.TopicPartition.Compare); !found {
			out = append(out, tp)
		}
	}
	return out
}

// topicsOutside returns whether any partition's topic is not in topics
// (sorted).
func topicsOutside(tps []protocol.TopicPartition, topics []string) bool {
	for _, tp := range tps {
		if _, found := slices.BinarySearch(topics, tp.Topic); !found {
			return true
		}
	}
	return false
}

// outside returns the partitions whose topic is not in topics (sorted):
// what a cooperative member revokes before rejoining after its
// subscription changed.
func outside(tps []protocol.TopicPartition, topics []string) []protocol.TopicPartition {
	var out []protocol.TopicPartition
	for _, tp := range tps {
		if _, found := slices.BinarySearch(topics, tp.Topic); !found {
			out = append(out, tp)
		}
	}
	return out
}

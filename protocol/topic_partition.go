package protocol

import (
	"cmp"
	"fmt"
	"strings"
)

// TopicPartition names a partition. It is the one partition name every
// layer shares: fetch, commit, group and the pure assignors use it, and the
// root package exports it as rawkafka.TopicPartition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// String returns the TopicPartition in readable form, for logs and errors.
func (tp TopicPartition) String() string { return fmt.Sprintf("%s/%d", tp.Topic, tp.Partition) }

// Compare orders partitions by topic, then partition, for slices.SortFunc.
func (tp TopicPartition) Compare(o TopicPartition) int {
	return cmp.Or(strings.Compare(tp.Topic, o.Topic), cmp.Compare(tp.Partition, o.Partition))
}

// OffsetEpoch is an offset with the leader epoch of the record before it
// (KIP-320): a consumer's position, or what it commits.
type OffsetEpoch struct {
	// Offset is the next offset to read.
	Offset int64
	// LeaderEpoch is the leader epoch of the record at Offset-1; -1 when
	// unknown (message format v0/v1, or brokers before 2.1).
	LeaderEpoch int32
}

// CommittedOffset is what a consumer group has committed for one
// partition (the Java client's OffsetAndMetadata), or what is to be
// committed.
type CommittedOffset struct {
	// Offset is the next offset to read; -1 when the group has committed
	// nothing for the partition.
	Offset int64
	// LeaderEpoch is the leader epoch of the record before Offset (KIP-320),
	// -1 when unknown (brokers before 2.1, or committed without one).
	LeaderEpoch int32
	// Metadata is the string committed with the offset.
	Metadata string
	// Err is the partition's own error when the offset was looked up (e.g.
	// UNKNOWN_TOPIC_OR_PARTITION); Offset is -1 then. A commit ignores it.
	Err error
}

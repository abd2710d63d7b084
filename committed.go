package rawkafka

import (
	"context"

	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

// CommittedOffset is what the consumer's group committed for a partition
// (the Java client's OffsetAndMetadata).
type CommittedOffset = commit.Offset

// Committed returns the offsets Config.GroupID committed for partitions
// (the Java client's committed()): Offset -1 where the group committed
// nothing, and a partition's own error in its Err. Under read_committed it
// waits for offsets a pending transaction may still commit (KIP-447). It
// needs a group id (ErrNoGroup otherwise) and retries while the group's
// coordinator moves or loads, until ctx ends.
func (c *Consumer) Committed(ctx context.Context, partitions ...TopicPartition) (map[TopicPartition]CommittedOffset, error) {
	if c.cfg.GroupID == "" {
		return nil, ErrNoGroup
	}
	return committed(ctx, c.cl, c.cfg.GroupID, c.cfg.IsolationLevel == ReadCommitted, partitions)
}

// committed asks group's coordinator for the offsets of partitions.
func committed(ctx context.Context, cl *conn.Cluster, group string, requireStable bool, partitions []TopicPartition) (map[TopicPartition]CommittedOffset, error) {
	ask := make([]commit.TopicPartition, len(partitions))
	for i, tp := range partitions {
		ask[i] = commit.TopicPartition(tp)
	}
	got, err := commit.Committed(ctx, cl, group, ask, requireStable)
	if err != nil {
		return nil, err
	}
	out := make(map[TopicPartition]CommittedOffset, len(got))
	for tp, o := range got {
		out[TopicPartition(tp)] = o
	}
	return out, nil
}

// committedFunc looks up group's committed offsets for the fetch engine's
// Committed start positions, as Consumer.Committed does.
func committedFunc(cl *conn.Cluster, group string, requireStable bool) fetch.CommittedFunc {
	return func(ctx context.Context, tps []TopicPartition) (map[TopicPartition]fetch.CommittedOffset, error) {
		got, err := committed(ctx, cl, group, requireStable, tps)
		if err != nil {
			return nil, err
		}
		out := make(map[TopicPartition]fetch.CommittedOffset, len(got))
		for tp, o := range got {
			out[tp] = fetch.CommittedOffset{Offset: o.Offset, LeaderEpoch: o.LeaderEpoch, Err: o.Err}
		}
		return out, nil
	}
}

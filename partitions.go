package rawkafka

import (
	"context"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

// PartitionsFor returns the partition ids of topic, in order, from the
// cluster's metadata (the Java client's partitionsFor). A topic the cluster
// does not know is an error that wraps protocol.ErrUnknownTopicOrPartition.
func (c *Consumer) PartitionsFor(ctx context.Context, topic string) ([]int32, error) {
	md, err := c.cl.Metadata(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("rawkafka: partitions of %q: %w", topic, err)
	}
	t, ok := md.Topics[topic]
	if !ok {
		return nil, fmt.Errorf("rawkafka: partitions of %q: %w", topic, protocol.ErrUnknownTopicOrPartition)
	}
	if t.Err != nil {
		return nil, fmt.Errorf("rawkafka: partitions of %q: %w", topic, t.Err)
	}
	ids := make([]int32, len(t.Partitions))
	for i, p := range t.Partitions {
		ids[i] = p.ID
	}
	return ids, nil
}

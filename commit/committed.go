package commit

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Committed returns the offsets group has committed for partitions: it is
// New(cl, group, Config{}) and Committer.Committed with the zero Member.
func Committed(ctx context.Context, cl *conn.Cluster, group string, partitions []protocol.TopicPartition, requireStable bool) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
	c, err := New(cl, group, Config{})
	if err != nil {
		return nil, err
	}
	return c.Committed(ctx, Member{}, partitions, requireStable)
}

// Committed returns the offsets the group has committed for partitions
// (OffsetFetch to the group's coordinator). With requireStable (KIP-447;
// what the Java consumer asks under read_committed) the coordinator holds
// back offsets a pending transaction may still commit. m matters only under
// the consumer protocol, whose coordinator checks the member epoch
// (OffsetFetch v9+); pass the zero Member otherwise.
//
// It retries with backoff while the coordinator is unknown, moving or
// loading (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS, UNSTABLE_OFFSET_COMMIT) until ctx ends; a
// refused member returns a *GroupError; other errors return at once
// (GROUP_AUTHORIZATION_FAILED, for one). Every partition asked for is in
// the result.
func (c *Committer) Committed(ctx context.Context, m Member, partitions []protocol.TopicPartition, requireStable bool) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
	var out map[protocol.TopicPartition]protocol.CommittedOffset
	err := c.retry(ctx, "offset fetch", func() (err error) {
		out, err = c.committedOnce(ctx, m, partitions, requireStable)
		return err
	})
	if err != nil {
		var ge *GroupError
		if errors.As(err, &ge) {
			return nil, err
		}
		return nil, fmt.Errorf("commit: committed offsets of group %q: %w", c.group, err)
	}
	return out, nil
}

// committedOnce is one OffsetFetch to the group's coordinator.
func (c *Committer) committedOnce(ctx context.Context, m Member, partitions []protocol.TopicPartition, requireStable bool) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
	cn, err := c.cl.OffsetsCoordinator(ctx, c.group)
	if err != nil {
		return nil, err
	}
	group := c.group
	v, ok := cn.Version(protocol.KeyOffsetFetch)
	if !ok || v < 1 {
		return nil, fmt.Errorf("commit: the coordinator at %s serves no OffsetFetch version that reads Kafka-stored offsets", cn.Addr())
	}
	v = min(v, c.cfg.MaxOffsetFetchVersion)
	req := &protocol.OffsetFetchRequest{Version: v, RequireStable: requireStable}
	topics := byTopic(slices.Values(partitions))
	if v >= 8 {
		g := protocol.OffsetFetchRequestGroup{GroupId: group, MemberEpoch: -1, Topics: []protocol.OffsetFetchRequestTopics{}}
		if m.ConsumerProtocol && m.MemberID != "" {
			g.MemberId, g.MemberEpoch = &m.MemberID, m.GenerationID
		}
		for _, t := range topics {
			g.Topics = append(g.Topics, protocol.OffsetFetchRequestTopics{Name: t.name, PartitionIndexes: t.partitions})
		}
		req.Groups = []protocol.OffsetFetchRequestGroup{g}
	} else {
		req.GroupId, req.Topics = group, []protocol.OffsetFetchRequestTopic{}
		for _, t := range topics {
			req.Topics = append(req.Topics, protocol.OffsetFetchRequestTopic{Name: t.name, PartitionIndexes: t.partitions})
		}
	}
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		c.failed(cn, err)
		return nil, err
	}
	r := resp.(*protocol.OffsetFetchResponse)
	// groupErr sorts a group-level error: the coordinator's, the member's,
	// or another.
	groupErr := func(err error) error {
		switch {
		case coordinatorError(err):
			c.failed(cn, err)
			return fmt.Errorf("commit: coordinator at %s: %w", cn.Addr(), err)
		case groupError(err):
			return &GroupError{Group: group, Member: m, Err: err}
		}
		return err
	}
	out := make(map[protocol.TopicPartition]protocol.CommittedOffset, len(partitions))
	put := func(topic string, p int32, off int64, epoch int32, md *string, code int16) error {
		o := protocol.CommittedOffset{Offset: off, LeaderEpoch: epoch, Err: protocol.ErrorForCode(code)}
		if md != nil {
			o.Metadata = *md
		}
		if o.Err != nil {
			if errors.Is(o.Err, protocol.ErrUnstableOffsetCommit) {
				return o.Err // the whole answer is asked again
			}
			o.Offset, o.LeaderEpoch = -1, -1
		}
		if o.Offset < 0 {
			o.Offset, o.LeaderEpoch = -1, -1
		}
		out[protocol.TopicPartition{Topic: topic, Partition: p}] = o
		return nil
	}
	if v >= 8 {
		if len(r.Groups) != 1 || r.Groups[0].GroupId != group {
			return nil, fmt.Errorf("commit: OffsetFetch v%d answered for %d groups, not for group %q alone", v, len(r.Groups), group)
		}
		g := r.Groups[0]
		if err := protocol.ErrorForCode(g.ErrorCode); err != nil {
			return nil, groupErr(err)
		}
		for _, t := range g.Topics {
			for _, p := range t.Partitions {
				if err := put(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, p.ErrorCode); err != nil {
					return nil, err
				}
			}
		}
	} else {
		if err := protocol.ErrorForCode(r.ErrorCode); err != nil {
			return nil, groupErr(err)
		}
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				if err := put(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, p.ErrorCode); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, tp := range partitions {
		if _, ok := out[tp]; !ok {
			return nil, fmt.Errorf("commit: OffsetFetch for group %q left out %s/%d", group, tp.Topic, tp.Partition)
		}
	}
	return out, nil
}

type topicPartitions struct {
	name       string
	partitions []int32
}

// byTopic groups partitions by topic, both sorted, without duplicates.
func byTopic(partitions iter.Seq[protocol.TopicPartition]) []topicPartitions {
	m := map[string][]int32{}
	for tp := range partitions {
		m[tp.Topic] = append(m[tp.Topic], tp.Partition)
	}
	out := make([]topicPartitions, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		ps := m[name]
		slices.Sort(ps)
		out = append(out, topicPartitions{name, slices.Compact(ps)})
	}
	return out
}

// Coordinator returns the connection to group's coordinator.
//
// Deprecated: use conn.Cluster.Coordinator, which caches the lookup and
// returns the coordinator's own connection; this calls it.
func Coordinator(ctx context.Context, cl *conn.Cluster, group string) (*conn.Conn, error) {
	return cl.Coordinator(ctx, group)
}

package commit

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// maxOffsetFetch is the highest OffsetFetch version Committed sends: v10
// names topics by id, and these requests name them. Tests lower it to
// reach the older layouts on a real broker.
var maxOffsetFetch int16 = 9

// retryBackoff and retryBackoffMax bound the waits between attempts while
// the coordinator moves or loads.
const (
	retryBackoff    = 100 * time.Millisecond
	retryBackoffMax = time.Second
)

// Committed returns the offsets group has committed for partitions, asking
// the group's coordinator (FindCoordinator, then OffsetFetch). With
// requireStable (KIP-447; what the Java consumer asks under read_committed)
// the coordinator holds back offsets a pending transaction may still
// commit. It retries while the coordinator is unknown, moving or loading
// (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
// UNSTABLE_OFFSET_COMMIT) until ctx ends; other errors return at once
// (GROUP_AUTHORIZATION_FAILED, for one). Every partition asked for is in
// the result.
func Committed(ctx context.Context, cl *conn.Cluster, group string, partitions []protocol.TopicPartition, requireStable bool) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
	if group == "" {
		return nil, errors.New("commit: committed offsets need a group id (group.id)")
	}
	var out map[protocol.TopicPartition]protocol.CommittedOffset
	err := retry(ctx, func() (err error) {
		out, err = committedOnce(ctx, cl, group, partitions, requireStable)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("commit: committed offsets of group %q: %w", group, err)
	}
	return out, nil
}

// retry runs once until it succeeds, fails with an error that is not
// retriable, or ctx ends (then the error wraps ctx's and the last retriable
// one), waiting between attempts with exponential backoff.
func retry(ctx context.Context, once func() error) error {
	var last error // the last retriable error, reported with the deadline
	for attempt := 0; ; attempt++ {
		err := once()
		if err != nil && ctx.Err() != nil && last != nil {
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), last)
		}
		if err == nil || !retriable(err) {
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), last)
		case <-time.After(min(retryBackoff<<min(attempt, 8), retryBackoffMax)):
		}
	}
}

// retriable reports whether err means the coordinator is not ready yet, or
// the connection failed: asking again (finding the coordinator again) may
// work.
func retriable(err error) bool {
	var ce *conn.Error
	return errors.Is(err, protocol.ErrCoordinatorNotAvailable) || errors.Is(err, protocol.ErrNotCoordinator) ||
		errors.Is(err, protocol.ErrCoordinatorLoadInProgress) || errors.Is(err, protocol.ErrUnstableOffsetCommit) ||
		errors.As(err, &ce)
}

// committedOnce is one FindCoordinator and OffsetFetch round.
func committedOnce(ctx context.Context, cl *conn.Cluster, group string, partitions []protocol.TopicPartition, requireStable bool) (map[protocol.TopicPartition]protocol.CommittedOffset, error) {
	cn, err := Coordinator(ctx, cl, group)
	if err != nil {
		return nil, err
	}
	v, ok := cn.Version(protocol.KeyOffsetFetch)
	if !ok || v < 1 {
		return nil, fmt.Errorf("commit: the coordinator at %s serves no OffsetFetch version that reads Kafka-stored offsets", cn.Addr())
	}
	v = min(v, maxOffsetFetch)
	req := &protocol.OffsetFetchRequest{Version: v, RequireStable: requireStable}
	topics := byTopic(slices.Values(partitions))
	if v >= 8 {
		g := protocol.OffsetFetchRequestGroup{GroupId: group, MemberEpoch: -1, Topics: []protocol.OffsetFetchRequestTopics{}}
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
		return nil, err
	}
	r := resp.(*protocol.OffsetFetchResponse)
	out := make(map[protocol.TopicPartition]protocol.CommittedOffset, len(partitions))
	put := func(topic string, p int32, off int64, epoch int32, md *string, code int16) error {
		o := protocol.CommittedOffset{Offset: off, LeaderEpoch: epoch, Err: protocol.ErrorForCode(code)}
		if md != nil {
			o.Metadata = *md
		}
		if o.Err != nil {
			if o.Err == protocol.ErrUnstableOffsetCommit {
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
			return nil, err
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
			return nil, err
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

// Coordinator returns the connection to group's coordinator
// (FindCoordinator, asked of any broker). Its errors include
// COORDINATOR_NOT_AVAILABLE while the group's offsets partition has no
// leader, and GROUP_AUTHORIZATION_FAILED.
func Coordinator(ctx context.Context, cl *conn.Cluster, group string) (*conn.Conn, error) {
	b, err := cl.Any(ctx)
	if err != nil {
		return nil, err
	}
	v, ok := b.Version(protocol.KeyFindCoordinator)
	if !ok {
		return nil, fmt.Errorf("commit: broker at %s serves no FindCoordinator version rawkafka speaks", b.Addr())
	}
	req := &protocol.FindCoordinatorRequest{Version: v, KeyType: protocol.CoordinatorGroup}
	if v >= 4 {
		req.CoordinatorKeys = []string{group}
	} else {
		req.CoordinatorKey = group
	}
	resp, err := b.DoPinned(ctx, req)
	if err != nil {
		return nil, err
	}
	r := resp.(*protocol.FindCoordinatorResponse)
	node, code, msg := r.NodeId, r.ErrorCode, r.ErrorMessage
	if v >= 4 {
		if len(r.Coordinators) != 1 || r.Coordinators[0].Key != group {
			return nil, fmt.Errorf("commit: FindCoordinator v%d answered for %d keys, not for group %q alone", v, len(r.Coordinators), group)
		}
		c := r.Coordinators[0]
		node, code, msg = c.NodeId, c.ErrorCode, c.ErrorMessage
	}
	if err := protocol.ErrorForCode(code); err != nil {
		if msg != nil && *msg != "" {
			return nil, fmt.Errorf("commit: coordinator of group %q: %w: %s", group, err, *msg)
		}
		return nil, fmt.Errorf("commit: coordinator of group %q: %w", group, err)
	}
	return cl.Broker(ctx, node)
}

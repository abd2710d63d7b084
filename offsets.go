package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// ListedOffset is an offset a partition's leader looked up (ListOffsets).
type ListedOffset struct {
	// Offset is the offset found; -1 when no record matches (a time after
	// the last record's).
	Offset int64
	// Timestamp is the timestamp of the record at Offset for a lookup by
	// time; the zero time otherwise, or when no record matched.
	Timestamp time.Time
	// LeaderEpoch is the leader epoch of the record at Offset, -1 when
	// unknown.
	LeaderEpoch int32
}

// BeginningOffsets returns the first offset of each partition's log (the
// Java client's beginningOffsets).
func (c *Consumer) BeginningOffsets(ctx context.Context, partitions ...TopicPartition) (map[TopicPartition]int64, error) {
	return c.offsetsAt(ctx, protocol.ListOffsetsEarliest, partitions)
}

// EndOffsets returns the offset after each partition's last record: the
// high watermark, or under read_committed the last stable offset (the Java
// client's endOffsets).
func (c *Consumer) EndOffsets(ctx context.Context, partitions ...TopicPartition) (map[TopicPartition]int64, error) {
	return c.offsetsAt(ctx, protocol.ListOffsetsLatest, partitions)
}

func (c *Consumer) offsetsAt(ctx context.Context, special int64, partitions []TopicPartition) (map[TopicPartition]int64, error) {
	ask := make(map[TopicPartition]int64, len(partitions))
	for _, tp := range partitions {
		ask[tp] = special
	}
	got, err := c.listOffsets(ctx, ask)
	if err != nil {
		return nil, err
	}
	out := make(map[TopicPartition]int64, len(got))
	for tp, o := range got {
		out[tp] = o.Offset
	}
	return out, nil
}

// OffsetsForTimes returns, for each partition, the first offset whose
// record's timestamp is at or after the given time (the Java client's
// offsetsForTimes), with Offset -1 where there is none.
func (c *Consumer) OffsetsForTimes(ctx context.Context, times map[TopicPartition]time.Time) (map[TopicPartition]ListedOffset, error) {
	ask := make(map[TopicPartition]int64, len(times))
	for tp, t := range times {
		ms := t.UnixMilli()
		if ms < 0 {
			return nil, fmt.Errorf("rawkafka: offsets for times: %s: time %s is before 1970", tp, t)
		}
		ask[tp] = ms
	}
	return c.listOffsets(ctx, ask)
}

// listOffsets asks each partition's leader for the offset at a timestamp
// (or a special ListOffsets value), refreshing metadata and retrying after
// leader errors until ctx ends. A partition error that no retry can mend
// (e.g. TOPIC_AUTHORIZATION_FAILED) fails the whole call.
func (c *Consumer) listOffsets(ctx context.Context, ask map[TopicPartition]int64) (map[TopicPartition]ListedOffset, error) {
	if c.isClosed() {
		return nil, ErrClosed
	}
	out := make(map[TopicPartition]ListedOffset, len(ask))
	left := maps.Clone(ask)
	var last error
	for attempt := 0; ; attempt++ {
		topics := map[string]bool{}
		for tp := range left {
			topics[tp.Topic] = true
		}
		md, err := c.cl.Metadata(ctx, slices.Sorted(maps.Keys(topics))...)
		if err == nil && attempt > 0 {
			md, err = c.cl.Refresh(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("rawkafka: list offsets: %w", err)
		}
		byLeader := map[int32][]TopicPartition{}
		for tp := range left {
			p, ok := md.Partition(tp.Topic, tp.Partition)
			switch {
			case !ok:
				last = fmt.Errorf("%s: %w", tp, protocol.ErrUnknownTopicOrPartition)
			case p.Leader < 0:
				last = fmt.Errorf("%s: %w", tp, protocol.ErrLeaderNotAvailable)
			default:
				byLeader[p.Leader] = append(byLeader[p.Leader], tp)
			}
		}
		for leader, tps := range byLeader {
			if err := c.listOffsetsAt(ctx, leader, tps, left, out); err != nil {
				var pe *PartitionError
				if errors.As(err, &pe) {
					return nil, fmt.Errorf("rawkafka: list offsets: %w", err)
				}
				last = err
			}
		}
		if len(left) == 0 {
			return out, nil
		}
		wait := min(c.cfg.RetryBackoff<<min(attempt, 10), c.cfg.RetryBackoffMax)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("rawkafka: list offsets: %w (last error: %v)", ctx.Err(), last)
		case <-time.After(wait):
		}
	}
}

// listOffsetsAt sends one ListOffsets request to leader for tps, moving the
// answered partitions from left to out. A *PartitionError is final; other
// errors are worth a retry.
func (c *Consumer) listOffsetsAt(ctx context.Context, leader int32, tps []TopicPartition, left map[TopicPartition]int64, out map[TopicPartition]ListedOffset) error {
	cn, err := c.cl.Broker(ctx, leader)
	if err != nil {
		return err
	}
	v, ok := cn.Version(protocol.KeyListOffsets)
	if !ok || v < 1 {
		return fmt.Errorf("broker %d serves no ListOffsets version from 1 on", leader)
	}
	req := &protocol.ListOffsetsRequest{Version: v, ReplicaId: -1, TimeoutMs: int32(c.cfg.RequestTimeout / time.Millisecond)}
	if v >= 2 {
		req.IsolationLevel = int8(c.cfg.IsolationLevel)
	}
	slices.SortFunc(tps, TopicPartition.Compare)
	for _, tp := range tps {
		if n := len(req.Topics); n == 0 || req.Topics[n-1].Name != tp.Topic {
			req.Topics = append(req.Topics, protocol.ListOffsetsRequestTopic{Name: tp.Topic})
		}
		t := &req.Topics[len(req.Topics)-1]
		t.Partitions = append(t.Partitions, protocol.ListOffsetsRequestPartition{PartitionIndex: tp.Partition,
			CurrentLeaderEpoch: -1, Timestamp: left[tp], MaxNumOffsets: 1})
	}
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		return err
	}
	var retry error
	for _, t := range resp.(*protocol.ListOffsetsResponse).Topics {
		for _, p := range t.Partitions {
			tp := TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}
			if _, asked := left[tp]; !asked {
				continue
			}
			if err := protocol.ErrorForCode(p.ErrorCode); err != nil {
				var ke *protocol.Error
				if errors.As(err, &ke) && ke.Retriable {
					retry = fmt.Errorf("%s: %w", tp, err)
					continue
				}
				return &PartitionError{TopicPartition: tp, Offset: -1, Err: err}
			}
			o := ListedOffset{Offset: p.Offset, LeaderEpoch: p.LeaderEpoch}
			if left[tp] >= 0 && p.Timestamp >= 0 {
				o.Timestamp = time.UnixMilli(p.Timestamp)
			}
			out[tp] = o
			delete(left, tp)
		}
	}
	return retry
}

// isClosed reports whether Close was called.
func (c *Consumer) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

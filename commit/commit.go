package commit

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Commit stores offsets as group's committed offsets outside any group
// generation (generation -1, no member id), as the Java consumer does with
// manually assigned partitions: the coordinator accepts that only while the
// group has no members (otherwise the commit fails with a *GroupError). It
// is New(cl, group, Config{}) and Committer.Commit with the zero Member.
func Commit(ctx context.Context, cl *conn.Cluster, group string, offsets map[protocol.TopicPartition]protocol.CommittedOffset) error {
	c, err := New(cl, group, Config{})
	if err != nil {
		return err
	}
	return c.Commit(ctx, Member{}, offsets)
}

// Commit stores offsets as the group's committed offsets on behalf of m
// (OffsetCommit to the group's coordinator). Each Offset's Offset is the
// next offset to read; its Err is ignored.
//
// Coordinator errors (unknown, moving, loading, timed out) and connection
// failures are retried with backoff until ctx ends, the coordinator looked
// up again where it moved. A refusal of the member's identity
// (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS,
// FENCED_INSTANCE_ID, STALE_MEMBER_EPOCH) is never retried: it returns a
// *GroupError (errors.Is(err, ErrCommitFailed)). A partition the coordinator
// refuses (e.g. OFFSET_METADATA_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED) makes
// Commit return a *PartitionErrors listing each; the other partitions were
// committed.
func (c *Committer) Commit(ctx context.Context, m Member, offsets map[protocol.TopicPartition]protocol.CommittedOffset) error {
	if len(offsets) == 0 {
		return nil
	}
	err := c.retry(ctx, "commit", func() error { return c.commitOnce(ctx, m, offsets) })
	if err != nil {
		var pe *PartitionErrors
		var ge *GroupError
		switch {
		case errors.As(err, &ge):
			c.log.Warn("commit failed", "member_id", m.MemberID, "generation", m.generation(), "err", ge.Err)
			return err
		case errors.As(err, &pe):
			return err
		}
		return fmt.Errorf("commit: committing offsets of group %q: %w", c.group, err)
	}
	return nil
}

// PartitionErrors lists the partitions whose commit the coordinator
// refused, with its error for each.
type PartitionErrors struct {
	Group  string
	Errors map[protocol.TopicPartition]error
}

// Error names the partitions and their errors.
func (e *PartitionErrors) Error() string {
	s := fmt.Sprintf("commit: group %q: the coordinator refused %d partition(s):", e.Group, len(e.Errors))
	for _, t := range byTopic(maps.Keys(e.Errors)) {
		for _, p := range t.partitions {
			s += fmt.Sprintf(" %s/%d: %v;", t.name, p, e.Errors[protocol.TopicPartition{Topic: t.name, Partition: p}])
		}
	}
	return s[:len(s)-1]
}

// Unwrap returns the partitions' errors, for errors.Is.
func (e *PartitionErrors) Unwrap() []error {
	out := make([]error, 0, len(e.Errors))
	for _, err := range e.Errors {
		out = append(out, err)
	}
	return out
}

// commitOnce is one OffsetCommit to the group's coordinator.
func (c *Committer) commitOnce(ctx context.Context, m Member, offsets map[protocol.TopicPartition]protocol.CommittedOffset) error {
	cn, err := c.cl.OffsetsCoordinator(ctx, c.group)
	if err != nil {
		return err
	}
	v, ok := cn.Version(protocol.KeyOffsetCommit)
	if !ok || v < 2 {
		return fmt.Errorf("commit: the coordinator at %s serves no OffsetCommit version from 2 on", cn.Addr())
	}
	v = min(v, c.cfg.MaxOffsetCommitVersion)
	req := &protocol.OffsetCommitRequest{Version: v, GroupId: c.group, GenerationIdOrMemberEpoch: m.generation(),
		MemberId: m.MemberID, GroupInstanceId: m.InstanceID, RetentionTimeMs: -1}
	for _, t := range byTopic(maps.Keys(offsets)) {
		rt := protocol.OffsetCommitRequestTopic{Name: t.name}
		for _, p := range t.partitions {
			o := offsets[protocol.TopicPartition{Topic: t.name, Partition: p}]
			md := o.Metadata
			rt.Partitions = append(rt.Partitions, protocol.OffsetCommitRequestPartition{PartitionIndex: p,
				CommittedOffset: o.Offset, CommittedLeaderEpoch: o.LeaderEpoch, CommitTimestamp: -1, CommittedMetadata: &md})
		}
		req.Topics = append(req.Topics, rt)
	}
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		c.failed(cn, err)
		return err
	}
	refused := map[protocol.TopicPartition]error{}
	var group error
	answered := 0
	for _, t := range resp.(*protocol.OffsetCommitResponse).Topics {
		for _, p := range t.Partitions {
			tp := protocol.TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}
			if _, asked := offsets[tp]; !asked {
				continue
			}
			answered++
			err := protocol.ErrorForCode(p.ErrorCode)
			switch {
			case err == nil:
			case coordinatorError(err):
				c.failed(cn, err)
				return fmt.Errorf("commit: coordinator at %s: %w", cn.Addr(), err)
			case groupError(err):
				group = err
			default:
				refused[tp] = err
			}
		}
	}
	if group != nil {
		return &GroupError{Group: c.group, Member: m, Err: group}
	}
	if answered != len(offsets) {
		return fmt.Errorf("commit: OffsetCommit for group %q answered for %d of %d partitions", c.group, answered, len(offsets))
	}
	if len(refused) > 0 {
		return &PartitionErrors{Group: c.group, Errors: refused}
	}
	return nil
}

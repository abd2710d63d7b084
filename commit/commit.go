package commit

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// maxOffsetCommit is the highest OffsetCommit version Commit sends: v10
// names topics by id, and these requests name them.
var maxOffsetCommit int16 = 9

// Commit stores offsets as group's committed offsets, asking the group's
// coordinator (FindCoordinator, then OffsetCommit). It commits as a
// consumer outside any group generation (generation -1, no member id), as
// the Java consumer does with manually assigned partitions: the
// coordinator accepts that only while the group has no members (otherwise
// ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID). Each Offset's Offset is the next
// offset to read; its Err is ignored.
//
// Coordinator errors (not available, moving, loading) and connection
// failures are retried until ctx ends. A partition the coordinator refuses
// (e.g. OFFSET_METADATA_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED) makes Commit
// return a *PartitionErrors listing each; the other partitions were
// committed.
func Commit(ctx context.Context, cl *conn.Cluster, group string, offsets map[protocol.TopicPartition]protocol.CommittedOffset) error {
	if group == "" {
		return errors.New("commit: committing offsets needs a group id (group.id)")
	}
	if len(offsets) == 0 {
		return nil
	}
	err := retry(ctx, func() error { return commitOnce(ctx, cl, group, offsets) })
	if err != nil {
		var pe *PartitionErrors
		if errors.As(err, &pe) {
			return err
		}
		return fmt.Errorf("commit: committing offsets of group %q: %w", group, err)
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

// coordinatorError reports whether a partition's commit error means the
// request went to the wrong or an unready coordinator: the whole commit is
// sent again.
func coordinatorError(err error) bool {
	return err == protocol.ErrCoordinatorNotAvailable || err == protocol.ErrNotCoordinator ||
		err == protocol.ErrCoordinatorLoadInProgress || err == protocol.ErrRequestTimedOut
}

// commitOnce is one FindCoordinator and OffsetCommit round.
func commitOnce(ctx context.Context, cl *conn.Cluster, group string, offsets map[protocol.TopicPartition]protocol.CommittedOffset) error {
	cn, err := Coordinator(ctx, cl, group)
	if err != nil {
		return err
	}
	v, ok := cn.Version(protocol.KeyOffsetCommit)
	if !ok || v < 2 {
		return fmt.Errorf("commit: the coordinator at %s serves no OffsetCommit version from 2 on", cn.Addr())
	}
	v = min(v, maxOffsetCommit)
	req := &protocol.OffsetCommitRequest{Version: v, GroupId: group, GenerationIdOrMemberEpoch: -1, RetentionTimeMs: -1}
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
		return err
	}
	refused := map[protocol.TopicPartition]error{}
	answered := 0
	for _, t := range resp.(*protocol.OffsetCommitResponse).Topics {
		for _, p := range t.Partitions {
			tp := protocol.TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}
			if _, asked := offsets[tp]; !asked {
				continue
			}
			answered++
			err := protocol.ErrorForCode(p.ErrorCode)
			if coordinatorError(err) {
				return err
			}
			if err != nil {
				refused[tp] = err
			}
		}
	}
	if answered != len(offsets) {
		return fmt.Errorf("commit: OffsetCommit for group %q answered for %d of %d partitions", group, answered, len(offsets))
	}
	if len(refused) > 0 {
		return &PartitionErrors{Group: group, Errors: refused}
	}
	return nil
}

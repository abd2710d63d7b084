package rawkafka

import (
	"context"
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/protocol"
)

// CommittedOffset is what the consumer's group committed for a partition
// (the Java client's OffsetAndMetadata).
type CommittedOffset = protocol.CommittedOffset

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
	return commit.Committed(ctx, c.cl, c.cfg.GroupID, partitions, c.cfg.IsolationLevel == ReadCommitted)
}

// committedFunc looks up group's committed offsets for the fetch engine's
// Committed start positions, as Consumer.Committed does.
func committedFunc(cl *conn.Cluster, group string, requireStable bool) fetch.CommittedFunc {
	return func(ctx context.Context, tps []TopicPartition) (map[TopicPartition]CommittedOffset, error) {
		return commit.Committed(ctx, cl, group, tps, requireStable)
	}
}

// Commit stores offsets as the committed offsets of Config.GroupID (the
// Java client's commitSync(offsets)): each Offset is the next offset to
// read, with the leader epoch of the record before it (-1 when unknown) and
// metadata; Err is ignored. The consumer commits outside any group
// generation, as a manually assigned Java consumer does, so the group must
// have no active members. It retries while the coordinator moves or loads,
// until ctx ends; partitions the coordinator refuses come back as a
// *commit.PartitionErrors.
func (c *Consumer) Commit(ctx context.Context, offsets map[TopicPartition]CommittedOffset) error {
	if c.cfg.GroupID == "" {
		return ErrNoGroup
	}
	if c.isClosed() {
		return ErrClosed
	}
	return c.commit(ctx, offsets)
}

func (c *Consumer) commit(ctx context.Context, offsets map[TopicPartition]CommittedOffset) error {
	for tp, o := range offsets {
		if o.Offset < 0 {
			return &PartitionError{TopicPartition: tp, Offset: o.Offset, Err: errors.New("rawkafka: commit: negative offset")}
		}
	}
	return commit.Commit(ctx, c.cl, c.cfg.GroupID, offsets)
}

// CommitConsumed commits the position of every assigned partition whose
// position is known: past every record Poll has returned (the Java
// client's commitSync()).
func (c *Consumer) CommitConsumed(ctx context.Context) error {
	if c.cfg.GroupID == "" {
		return ErrNoGroup
	}
	if c.isClosed() {
		return ErrClosed
	}
	return c.commit(ctx, c.consumed())
}

// consumed is what CommitConsumed commits.
func (c *Consumer) consumed() map[TopicPartition]CommittedOffset {
	pos := c.f.Consumed()
	out := make(map[TopicPartition]CommittedOffset, len(pos))
	for tp, p := range pos {
		out[tp] = CommittedOffset{Offset: p.Offset, LeaderEpoch: p.LeaderEpoch}
	}
	return out
}

// autoCommit is enable.auto.commit at work: Poll commits, in the
// background, the positions as they were when it was called (past the
// records of earlier Polls) once auto.commit.interval.ms has passed since
// the last commit, one commit at a time, so that a commit never overtakes
// a later one; Close commits a last time.
type autoCommit struct {
	interval time.Duration
	last     time.Time
	busy     bool          // a commit is in flight
	done     chan struct{} // closed when the commit in flight ends
}

// maybeAutoCommit starts a background commit when one is due. Called by
// Poll before it returns new records.
func (c *Consumer) maybeAutoCommit() {
	ac := c.auto
	if ac == nil {
		return
	}
	c.mu.Lock()
	if c.closed || ac.busy || time.Since(ac.last) < ac.interval {
		c.mu.Unlock()
		return
	}
	ac.busy, ac.last, ac.done = true, time.Now(), make(chan struct{})
	done := ac.done
	c.mu.Unlock()
	offsets := c.consumed()
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RequestTimeout)
		defer cancel()
		if err := c.commit(ctx, offsets); err != nil {
			c.log.Warn("auto commit failed; the next one will try again", "err", err, "partitions", len(offsets))
		} else {
			c.log.Debug("auto commit", "partitions", len(offsets))
		}
		c.mu.Lock()
		ac.busy = false
		c.mu.Unlock()
	}()
}

// DefaultAutoCommitInterval is auto.commit.interval.ms's default, the Java
// client's.
const DefaultAutoCommitInterval = 5 * time.Second

// finalCommitTimeout bounds the commit Close makes under auto-commit.
const finalCommitTimeout = 5 * time.Second

// closeAutoCommit waits for the commit in flight and commits the positions
// a last time. Called by Close before the fetcher stops.
func (c *Consumer) closeAutoCommit() {
	ac := c.auto
	if ac == nil {
		return
	}
	c.mu.Lock()
	done := ac.done
	c.mu.Unlock()
	if done != nil {
		<-done
	}
	offsets := c.consumed()
	if len(offsets) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(finalCommitTimeout, c.cfg.RequestTimeout))
	defer cancel()
	if err := c.commit(ctx, offsets); err != nil {
		c.log.Warn("the last auto commit, at Close, failed", "err", err, "partitions", len(offsets))
	}
}

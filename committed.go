package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
// metadata; Err is ignored. Under a subscription the commit carries the
// member's generation, member id and group.instance.id (those of the last
// assignment Poll performed); a refusal of them (a stale generation, the
// member removed, a rebalance under way, no assignment in force) is an
// error matching ErrCommitFailed, and nothing was committed. With Assign
// the consumer commits outside any group generation, as a manually
// assigned Java consumer does, so the group must have no active members.
// It waits for the commits in flight (auto-commit, CommitAsync), so that
// an earlier commit never lands after it, and retries while the coordinator
// moves or loads, until ctx ends; partitions the coordinator refuses come
// back as a *commit.PartitionErrors.
func (c *Consumer) Commit(ctx context.Context, offsets map[TopicPartition]CommittedOffset) error {
	if c.cfg.GroupID == "" {
		return ErrNoGroup
	}
	if c.finished.Load() {
		return ErrClosed
	}
	for tp, o := range offsets {
		if o.Offset < 0 {
			return &PartitionError{TopicPartition: tp, Offset: o.Offset, Err: errors.New("rawkafka: commit: negative offset")}
		}
	}
	return c.commitSync(ctx, func() map[TopicPartition]CommittedOffset { return offsets })
}

// CommitConsumed commits the position of every assigned partition whose
// position is known: past every record Poll has returned (the Java
// client's commitSync()). Like Commit, it waits for an auto-commit in
// flight first.
func (c *Consumer) CommitConsumed(ctx context.Context) error {
	if c.cfg.GroupID == "" {
		return ErrNoGroup
	}
	if c.finished.Load() {
		return ErrClosed
	}
	return c.commitSync(ctx, c.consumed)
}

// consumed is what CommitConsumed commits.
func (c *Consumer) consumed() map[TopicPartition]CommittedOffset {
	return committable(c.f.Consumed())
}

// committable turns positions into the offsets that commit them.
func committable(pos map[TopicPartition]protocol.OffsetEpoch) map[TopicPartition]CommittedOffset {
	out := make(map[TopicPartition]CommittedOffset, len(pos))
	for tp, p := range pos {
		out[tp] = CommittedOffset{Offset: p.Offset, LeaderEpoch: p.LeaderEpoch}
	}
	return out
}

// The consumer's commits (automatic, by the user, asynchronous, at Close,
// and on revocation) form one queue: each takes a ticket when it takes its
// offsets (commitTail, guarded by Consumer.mu, is the last ticket's
// channel, closed when that commit got its answer) and is sent only after
// the commit before it finished, so commits land in the order their
// offsets were taken and an earlier background commit can never land
// after a later synchronous one, nor a commit of one generation after the
// first of the next.

// commitBusy reports whether a commit is in flight. Called with mu held.
func (c *Consumer) commitBusy() bool {
	if c.commitTail == nil {
		return false
	}
	select {
	case <-c.commitTail:
		return false
	default:
		return true
	}
}

// acquireCommit takes a ticket and waits until the commits before it are
// done; release ends the turn. It fails only when ctx ends first (the
// ticket then passes on as soon as the commit before it ends).
func (c *Consumer) acquireCommit(ctx context.Context) (release func(), err error) {
	c.mu.Lock()
	prev := c.commitTail
	mine := c.holdCommit()
	c.mu.Unlock()
	if prev == nil {
		return mine, nil
	}
	select {
	case <-prev:
		return mine, nil
	case <-ctx.Done():
		go func() { <-prev; mine() }()
		return nil, ctx.Err()
	}
}

// holdCommit takes the next ticket without waiting: the caller has seen
// that no commit is in flight (commitBusy). Called with mu held.
func (c *Consumer) holdCommit() (release func()) {
	done := make(chan struct{})
	c.commitTail = done
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// waitCommits waits until every commit queued so far has its answer, or
// ctx ends.
func (c *Consumer) waitCommits(ctx context.Context) {
	c.mu.Lock()
	tail := c.commitTail
	c.mu.Unlock()
	if tail == nil {
		return
	}
	select {
	case <-tail:
	case <-ctx.Done():
	}
}

// commitSync waits for the commits in flight (an auto-commit, a
// CommitAsync), then takes offsets and commits them, as the member the
// subscription is in (or outside any generation without one), before it
// returns: what commit-on-revoke needs (take the revoked partitions'
// positions from fetch.Fetcher.Remove inside offsets, so that nothing is
// fetched or handed out for them after).
func (c *Consumer) commitSync(ctx context.Context, offsets func() map[TopicPartition]CommittedOffset) error {
	return c.commitSyncAs(ctx, nil, offsets)
}

// commitSyncAs is commitSync as member m; nil m means the consumer's
// identity when the offsets are taken (Consumer.member).
func (c *Consumer) commitSyncAs(ctx context.Context, m *commit.Member, offsets func() map[TopicPartition]CommittedOffset) error {
	release, err := c.acquireCommit(ctx)
	if err != nil {
		return err
	}
	defer release()
	if m == nil {
		who, err := c.member()
		if err != nil {
			return err
		}
		m = &who
	}
	return c.sendCommit(ctx, *m, offsets())
}

// sendCommit sends one commit as m; the caller holds its turn. A refusal
// of the member (stale generation...) matches ErrCommitFailed.
func (c *Consumer) sendCommit(ctx context.Context, m commit.Member, offsets map[TopicPartition]CommittedOffset) error {
	if len(offsets) == 0 {
		return nil
	}
	start := time.Now()
	if err := c.committer.Commit(ctx, m, offsets); err != nil {
		if errors.Is(err, commit.ErrCommitFailed) {
			return fmt.Errorf("%w: %w", ErrCommitFailed, err)
		}
		return err
	}
	c.commits.Add(1)
	c.gs.commit.record(time.Now(), time.Since(start).Seconds()) // commit-latency-avg counts accepted commits, as Java's
	return nil
}

// autoCommit is enable.auto.commit at work: Poll commits, in the
// background, the positions as they were when it was called (past the
// records of earlier Polls) once auto.commit.interval.ms has passed since
// the last commit; it skips a turn while another commit holds the slot.
// Close commits a last time.
type autoCommit struct {
	interval time.Duration
	last     time.Time // guarded by Consumer.mu
}

// maybeAutoCommit starts a background commit when one is due. Called by
// Poll before it returns new records: the offsets are taken here, on
// Poll's goroutine, so that they cover only records the user has had.
func (c *Consumer) maybeAutoCommit() {
	ac := c.auto
	if ac == nil {
		return
	}
	c.mu.Lock()
	if c.closed || c.commitBusy() || time.Since(ac.last) < ac.interval {
		c.mu.Unlock()
		return
	}
	who, err := c.member()
	if err != nil { // a subscription without an assignment in force
		c.mu.Unlock()
		return
	}
	ac.last = time.Now()
	release := c.holdCommit()
	c.mu.Unlock()
	offsets := c.consumed()
	go func() {
		defer release()
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RequestTimeout)
		defer cancel()
		if err := c.sendCommit(ctx, who, offsets); err != nil {
			c.log.Warn("auto commit failed; the next one will try again", "group", c.cfg.GroupID, "err", err, "partitions", len(offsets))
		} else {
			c.log.Debug("auto commit", "group", c.cfg.GroupID, "partitions", len(offsets))
		}
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
	if c.auto == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(finalCommitTimeout, c.cfg.RequestTimeout))
	defer cancel()
	if err := c.commitSync(ctx, c.consumed); err != nil {
		c.log.Warn("the last auto commit, at Close, failed", "group", c.cfg.GroupID, "err", err)
	}
}

// revoke stops fetching partitions and commits their final positions, as
// revocation in a rebalance will (commit-on-revoke, the next step of
// consumer groups): it waits for the commit in flight (an auto-commit),
// then removes the partitions from the fetch engine, which hands back
// their positions in the same step (no record of them is handed out
// after, none before is left out), and commits those before it returns.
// Without a group it only removes them.
//
// Meanwhile: a Poll on the user's goroutine may be running (it returns
// the partitions' records only if it returns before the removal, and then
// they are below the positions committed); no other commit runs (they wait
// for the slot); fetches and lookups in flight for the partitions are
// dropped when they return.
func (c *Consumer) revoke(ctx context.Context, tps ...TopicPartition) error {
	if c.cfg.GroupID == "" {
		c.f.Remove(tps...)
		return nil
	}
	return c.commitSync(ctx, func() map[TopicPartition]CommittedOffset { return committable(c.f.Remove(tps...)) })
}

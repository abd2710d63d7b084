package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/group"
)

// groupActions performs, in order, the rebalance actions the driver has
// queued, on the goroutine that holds pollMu (Poll's, or Close's and
// Unsubscribe's when no Poll runs), and returns the error Poll reports: the
// membership's fatal error, or ErrPollIntervalExceeded after the member
// lost its partitions for not polling. Every action is performed even
// when an earlier one fails. ctx bounds the commits on revocation.
func (c *Consumer) groupActions(ctx context.Context, s *subscription) error {
	var first error
	for _, a := range s.driver.Take() {
		if err := c.perform(ctx, s, a); err != nil && first == nil {
			first = err
		}
	}
	if first == nil {
		first = s.fatal()
	}
	return first
}

// perform performs one action of the machine. Who else may act on the
// partitions concerned, for each change of assignment:
//
//   - Revoke: until Remove returns, the fetch loops may fetch the
//     partitions and a CommitAsync or auto-commit of this generation may be
//     in flight; the commit here waits for those (the commit queue) and is
//     sent before OnRevoked is called and before any commit of the next
//     generation (which cannot start before the next Assign). After
//     Remove no Poll returns their records (this is the Poll, or Poll is
//     excluded by pollMu); fetches in flight are dropped when they return.
//     The listener may still commit them, with this generation, until it
//     returns; then the identity is cleared and RevokeDone lets the
//     machine rejoin.
//   - Revoke, Incremental (cooperative): as Revoke, but only for the
//     partitions named; the identity is kept, since the member keeps its
//     membership and its other partitions, which go on fetching, being
//     delivered by Poll and committed (with the identity they had: the
//     old generation before the round's SyncGroup, the new one from the
//     Assign that follows). No other member is given the revoked ones
//     before RevokeDone: the machine rejoins only then.
//   - Lose: the identity is cleared first, so no commit of this consumer
//     names the lost generation from then on (one already in flight may
//     still be refused, ErrCommitFailed); then as Revoke without the
//     commit.
//   - Assign: the identity is the new generation's before the partitions
//     start fetching, so an auto-commit (in a later Poll) carries it; the
//     committed offsets are looked up by the fetch engine's maintenance
//     (require_stable, UNSTABLE_OFFSET_COMMIT retried), in the background,
//     and records come only after that. OnAssigned runs after the
//     partitions were added, so the listener may Seek or Pause them. In
//     cooperative mode Partitions are only the added ones: the kept
//     partitions are not touched (position, buffered records and pause
//     state stay), only their commits move to the new identity.
func (c *Consumer) perform(ctx context.Context, s *subscription, a group.Action) error {
	switch a := a.(type) {
	case group.CommitBeforeRevoke:
		s.mu.Lock()
		s.commit = &a
		s.mu.Unlock()
	case group.Revoke:
		s.mu.Lock()
		cbr := s.commit
		s.commit = nil
		s.mu.Unlock()
		if a.Incremental {
			// Cooperative: OnRevoked, and the kept partitions from now on,
			// commit with the membership the revoke belongs to.
			s.setIdentity(identity{MemberID: a.MemberID, generation: a.Generation, cooperative: s.identity().cooperative})
			c.generation.Store(a.Generation)
		}
		parts := slices.Clone(a.Partitions)
		times := c.f.FetchTimes(parts, false) // for the timeline: the last fetch before the revoke
		var removed time.Time
		if cbr != nil && c.auto != nil {
			who := c.commitMember(cbr.MemberID, cbr.Generation)
			cctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
			err := c.commitSyncAs(cctx, &who, func() map[TopicPartition]CommittedOffset {
				offsets := committable(c.f.Remove(parts...))
				removed = time.Now()
				return offsets
			})
			cancel()
			if err != nil {
				c.log.Warn("the commit before revoking partitions failed", "group", c.cfg.GroupID,
					"generation", cbr.Generation, "partitions", len(parts), "err", err)
			}
		}
		c.f.Remove(parts...) // done above unless the commit never got its turn
		if removed.IsZero() {
			removed = time.Now()
		}
		s.tl.revoked(removed, parts, times, false)
		c.revokedN.Add(int64(len(parts)))
		if l := s.listener(); l.OnRevoked != nil {
			l.OnRevoked(c, parts)
		}
		if !a.Incremental {
			s.setIdentity(identity{MemberID: s.identity().MemberID, generation: -1})
			c.generation.Store(0)
		}
		s.driver.Send(group.RevokeDone{})
	case group.Lose:
		s.setIdentity(identity{MemberID: s.identity().MemberID, generation: -1})
		c.generation.Store(0)
		parts := slices.Clone(a.Partitions)
		times := c.f.FetchTimes(parts, false)
		c.f.Remove(parts...)
		s.tl.revoked(time.Now(), parts, times, true)
		c.lostN.Add(int64(len(parts)))
		c.log.Info("partitions lost", "group", c.cfg.GroupID, "partitions", len(parts), "reason", a.Reason)
		if l := s.listener(); l.OnLost != nil {
			l.OnLost(c, parts)
		}
		s.driver.Send(group.RevokeDone{})
		if errors.Is(a.Reason, group.ErrPollIntervalExceeded) {
			return fmt.Errorf("%w: %w", ErrPollIntervalExceeded, a.Reason)
		}
	case group.Assign:
		s.setIdentity(identity{MemberID: a.MemberID, generation: a.Generation, cooperative: a.Rebalance == assignor.Cooperative})
		c.generation.Store(a.Generation)
		c.rebalances.Add(1)
		parts := slices.Clone(a.Partitions)
		starts := make(map[TopicPartition]fetch.Start, len(parts))
		for _, tp := range parts {
			starts[tp] = fetch.StartCommitted
		}
		kept := c.f.Assigned() // cooperative: what the member keeps; eager: nothing
		start := time.Now()
		c.f.Add(starts)
		s.tl.assigned(start, time.Now(), a.Generation, a.MemberID, parts, kept)
		c.log.Info("partitions assigned", "group", c.cfg.GroupID, "generation", a.Generation,
			"member_id", a.MemberID, "partitions", len(parts))
		s.pokeMetadata() // a leader watches the topics it assigned from
		if l := s.listener(); l.OnAssigned != nil {
			l.OnAssigned(c, parts)
		}
	case group.Fail:
		err := &groupFailedError{group: c.cfg.GroupID, err: a.Err}
		s.mu.Lock()
		if s.failed == nil {
			s.failed = err
		}
		s.mu.Unlock()
		return err
	}
	return nil
}

// groupFailedError is the membership's fatal error as Poll returns it.
type groupFailedError struct {
	group string
	err   error
}

// Error names the group and the membership's error.
func (e *groupFailedError) Error() string {
	return fmt.Sprintf("rawkafka: consumer group %q: %v", e.group, e.err)
}

// Unwrap returns the membership's error (a Kafka error inside).
func (e *groupFailedError) Unwrap() error { return e.err }

// Is makes the error match ErrGroupFailed.
func (e *groupFailedError) Is(target error) bool { return target == ErrGroupFailed }

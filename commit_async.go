package rawkafka

import (
	"context"

	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/group"
)

// Values the root error values stand for (ErrCommitFailed,
// ErrPollIntervalExceeded).
var (
	errCommitFailedCommit = commit.ErrCommitFailed
	errPollIntervalGroup  = group.ErrPollIntervalExceeded
)

// commitAsync is CommitAsync: the offsets (nil: the consumed positions) and
// the member are taken now, with a ticket in the commit queue; the commit
// is sent once the commits before it are done, and done is posted to the
// Poll goroutine with its answer.
func (c *Consumer) commitAsync(offsets map[TopicPartition]CommittedOffset, done func(map[TopicPartition]CommittedOffset, error)) {
	report := func(err error) {
		if done != nil {
			c.post(func() { done(offsets, err) })
		}
	}
	switch {
	case c.cfg.GroupID == "":
		report(ErrNoGroup)
		return
	case c.finished.Load():
		report(ErrClosed)
		return
	}
	if offsets == nil {
		offsets = c.consumed()
	}
	who, werr := c.member()
	c.mu.Lock()
	prev := c.commitTail
	release := c.holdCommit()
	c.mu.Unlock()
	go func() {
		defer release()
		if prev != nil {
			<-prev
		}
		err := werr // reported in turn too, so that callbacks come in order
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), c.cfg.RequestTimeout)
			err = c.sendCommit(ctx, who, offsets)
			cancel()
			if err != nil {
				c.log.Warn("asynchronous commit failed", "group", c.cfg.GroupID, "err", err, "partitions", len(offsets))
			}
		}
		report(err)
	}()
}

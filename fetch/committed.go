package fetch

import (
	"context"
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// lookUpCommitted sets the start of partitions at StartCommitted from the
// group's committed offsets: the offset with its leader epoch (validated
// next, KIP-320), or the reset policy where nothing is committed.
func (f *Fetcher) lookUpCommitted(items []posItem) {
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout)
	defer cancel()
	tps := make([]protocol.TopicPartition, len(items))
	for i, it := range items {
		tps[i] = it.p.tp
	}
	got, err := f.cfg.Committed(ctx, tps)
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	now := time.Now()
	for _, it := range items {
		p := it.p
		if !f.settled(it) || f.ctx.Err() != nil {
			continue // sought or removed meanwhile, or closing
		}
		log := f.log.With("topic", p.tp.Topic, "partition", p.tp.Partition)
		c, ok := got[p.tp]
		switch {
		case err != nil || !ok || c.Err != nil:
			if err == nil {
				err = c.Err
				if !ok {
					err = errors.New("fetch: the committed offsets left the partition out")
				}
			}
			if p.failures == 0 {
				log.Warn("looking up the committed offset failed; retrying", "err", err)
				if !retriable(err) {
					p.report(err)
				}
			}
			p.fail(&f.cfg, now)
		case c.Offset >= 0:
			log.Debug("start at the committed offset", "offset", c.Offset, "leader_epoch", c.LeaderEpoch)
			p.setStart(StartAtEpoch(c.Offset, c.LeaderEpoch))
		default:
			log.Info("no committed offset; applying the reset policy", "reset", f.cfg.Reset.String())
			p.setStart(f.cfg.Reset)
		}
	}
}

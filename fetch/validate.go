package fetch

import (
	"context"
	"log/slog"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// validate checks positions against the leader's log after a leader change
// (KIP-320): OffsetForLeaderEpoch gives the end offset of the epoch of the
// last record consumed; a position past it means the log was truncated.
func (f *Fetcher) validate(leader int32, items []posItem) {
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout)
	defer cancel()
	cn, err := f.cl.Broker(ctx, leader)
	if err != nil {
		f.itemsFailed(items, err, "OffsetForLeaderEpoch", leader)
		return
	}
	v, ok := cn.Version(protocol.KeyOffsetForLeaderEpoch)
	if !ok || v < 3 { // before v3 consumers cannot ask (no ReplicaId): trust the position, as the Java client does
		f.mu.Lock()
		for _, it := range items {
			if f.settled(it) && it.p.state == posValidate {
				it.p.validated()
			}
		}
		f.notify()
		f.mu.Unlock()
		return
	}
	req := &protocol.OffsetForLeaderEpochRequest{Version: v, ReplicaId: -1}
	f.mu.Lock()
	index := map[string]int{}
	for _, it := range items {
		i, ok := index[it.p.tp.Topic]
		if !ok {
			i = len(req.Topics)
			index[it.p.tp.Topic] = i
			req.Topics = append(req.Topics, protocol.OffsetForLeaderEpochRequestTopic{Topic: it.p.tp.Topic})
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, protocol.OffsetForLeaderEpochRequestPartition{
			Partition: it.p.tp.Partition, CurrentLeaderEpoch: it.p.leaderEpoch, LeaderEpoch: it.epoch})
	}
	f.mu.Unlock()
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		f.itemsFailed(items, err, "OffsetForLeaderEpoch", leader)
		return
	}
	or := resp.(*protocol.OffsetForLeaderEpochResponse)
	answers := map[protocol.TopicPartition]*protocol.OffsetForLeaderEpochResponsePartition{}
	for ti := range or.Topics {
		for pi := range or.Topics[ti].Partitions {
			pr := &or.Topics[ti].Partitions[pi]
			answers[protocol.TopicPartition{Topic: or.Topics[ti].Topic, Partition: pr.Partition}] = pr
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	now := time.Now()
	for _, it := range items {
		p := it.p
		if !f.settled(it) || p.state != posValidate || p.position != it.position || f.ctx.Err() != nil {
			continue
		}
		log := f.log.With("topic", p.tp.Topic, "partition", p.tp.Partition, "broker", leader)
		pr := answers[p.tp]
		if pr == nil {
			p.fail(&f.cfg, now)
			continue
		}
		err := protocol.ErrorForCode(pr.ErrorCode)
		switch {
		case err == nil:
			f.validated(p, it, pr.LeaderEpoch, pr.EndOffset, log)
		case leaderErr(err):
			log.Info("OffsetForLeaderEpoch: retrying after a metadata refresh", "err", err)
			f.wantMeta(p)
			p.fail(&f.cfg, now)
		default:
			log.Warn("OffsetForLeaderEpoch failed", "err", err)
			p.report(err)
			p.fail(&f.cfg, now)
		}
	}
}

// validated applies an OffsetForLeaderEpoch answer. Called with mu held.
func (f *Fetcher) validated(p *partition, it posItem, epoch int32, end int64, log *slog.Logger) {
	switch {
	case end < 0 || epoch < 0: // the leader knows no such epoch: the position cannot be trusted
		if f.cfg.Reset.kind == startNone {
			p.stop(protocol.ErrOffsetOutOfRange)
			log.Warn("position's leader epoch unknown to the leader and the reset policy is none; partition stopped until Seek",
				"offset", p.position, "leader_epoch", it.epoch)
			return
		}
		f.m.resets.Add(1)
		log.Warn("position's leader epoch unknown to the leader; resetting", "offset", p.position, "leader_epoch", it.epoch,
			"reset", f.cfg.Reset.String())
		p.reset(f.cfg.Reset)
		return
	case end < p.position:
		f.m.truncations.Add(1)
		te := &TruncationError{Position: p.position, Epoch: it.epoch, EndOffset: end, Reset: f.cfg.Reset.kind != startNone}
		if !te.Reset {
			p.stop(te)
			log.Warn("log truncation detected and the reset policy is none; partition stopped until Seek",
				"offset", p.position, "leader_epoch", it.epoch, "end_offset", end)
			return
		}
		p.report(te)
		// Data fetched past the divergence point and not yet polled is not
		// in the leader's log: drop it now, with its buffered mark, or the
		// partition, marked as holding data that Poll then drops as stale,
		// would never be fetched again.
		f.dropBuffered(p)
		log.Warn("log truncation detected; moving back to the divergence point", "offset", p.position,
			"leader_epoch", it.epoch, "end_offset", end, "end_leader_epoch", epoch)
		p.truncated(end, epoch)
	default:
		log.Debug("position validated", "offset", p.position, "leader_epoch", it.epoch, "end_offset", end)
		p.validated()
	}
}

package fetch

import (
	"context"
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func (f *Fetcher) listOffsets(leader int32, items []posItem) {
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout)
	defer cancel()
	cn, err := f.cl.Broker(ctx, leader)
	if err != nil {
		f.itemsFailed(items, err, "ListOffsets", leader)
		return
	}
	v, ok := cn.Version(protocol.KeyListOffsets)
	if !ok {
		f.itemsFailed(items, errors.New("no ListOffsets version in common"), "ListOffsets", leader)
		return
	}
	req := &protocol.ListOffsetsRequest{Version: v, ReplicaId: -1, TimeoutMs: int32(f.cfg.RequestTimeout / time.Millisecond)}
	if v >= 2 {
		req.IsolationLevel = int8(f.cfg.IsolationLevel)
	}
	f.mu.Lock()
	index := map[string]int{}
	for _, it := range items {
		i, ok := index[it.p.tp.Topic]
		if !ok {
			i = len(req.Topics)
			index[it.p.tp.Topic] = i
			req.Topics = append(req.Topics, protocol.ListOffsetsRequestTopic{Name: it.p.tp.Topic})
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, protocol.ListOffsetsRequestPartition{
			PartitionIndex: it.p.tp.Partition, CurrentLeaderEpoch: it.p.leaderEpoch, Timestamp: it.ts, MaxNumOffsets: 1})
	}
	f.mu.Unlock()
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		f.itemsFailed(items, err, "ListOffsets", leader)
		return
	}
	lr := resp.(*protocol.ListOffsetsResponse)
	answers := map[protocol.TopicPartition]*protocol.ListOffsetsResponsePartition{}
	for ti := range lr.Topics {
		for pi := range lr.Topics[ti].Partitions {
			pr := &lr.Topics[ti].Partitions[pi]
			answers[protocol.TopicPartition{Topic: lr.Topics[ti].Name, Partition: pr.PartitionIndex}] = pr
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	now := time.Now()
	for _, it := range items {
		p := it.p
		if !f.settled(it) || p.state != posReset || f.ctx.Err() != nil {
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
			off, epoch := pr.Offset, pr.LeaderEpoch
			if v == 0 {
				off, epoch = -1, -1
				if len(pr.OldStyleOffsets) > 0 {
					off = pr.OldStyleOffsets[0]
				}
			}
			if off < 0 {
				if it.start.kind == startTimestamp || it.start.kind == startDuration {
					log.Info("no record at or after the start time; starting at the latest offset", "start", it.start.String())
					p.startInstead(StartLatest)
					continue
				}
				log.Warn("ListOffsets returned no offset", "start", it.start.String())
				p.fail(&f.cfg, now)
				continue
			}
			if p.resetFrom >= 0 {
				log.Warn("offset reset", "from", p.resetFrom, "to", off, "reset", it.start.String())
			} else {
				log.Debug("start position", "offset", off, "start", it.start.String())
			}
			p.positioned(off, epoch)
		case leaderErr(err) || errors.Is(err, protocol.ErrOffsetNotAvailable):
			log.Info("ListOffsets: retrying after a metadata refresh", "err", err)
			if !errors.Is(err, protocol.ErrOffsetNotAvailable) {
				f.wantMeta(p)
			}
			p.fail(&f.cfg, now)
		default:
			log.Warn("ListOffsets failed", "err", err, "start", it.start.String())
			p.report(err)
			p.fail(&f.cfg, now)
		}
	}
}

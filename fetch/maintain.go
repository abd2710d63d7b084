package fetch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// maintain is the Fetcher's background goroutine for everything that is
// not fetching: it refreshes metadata for partitions whose leader is
// unknown or suspect, looks up start positions (ListOffsets) and validates
// positions after leader changes (OffsetForLeaderEpoch).
func (f *Fetcher) maintain() {
	defer f.wg.Done()
	var metaFailures int
	var metaRetryAt time.Time
	lastCheck := time.Now()
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return
		}
		now := time.Now()
		topics, needMeta := f.metadataTopics()
		f.mu.Unlock()

		periodic := now.Sub(lastCheck) >= f.cfg.MetadataMaxAge
		if (needMeta && !now.Before(metaRetryAt)) || periodic {
			lastCheck = now
			unresolved, err := f.refreshMetadata(topics, needMeta)
			if err != nil || unresolved > 0 {
				metaFailures++
				metaRetryAt = time.Now().Add(f.cfg.backoff(metaFailures))
				if err != nil && f.ctx.Err() == nil {
					f.log.Warn("metadata refresh failed", "err", err, "failures", metaFailures)
				}
			} else {
				metaFailures, metaRetryAt = 0, time.Time{}
			}
		}
		f.lookUpPositions()

		f.mu.Lock()
		next := lastCheck.Add(f.cfg.MetadataMaxAge)
		now = time.Now()
		for _, p := range f.parts {
			if p.needMeta && metaRetryAt.Before(next) {
				next = metaRetryAt
			}
			if (p.state == posReset || p.state == posValidate) && !p.needMeta && p.retryAt.Before(next) {
				next = p.retryAt
			}
		}
		f.mu.Unlock()
		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-f.maintWake:
			case <-t.C:
			case <-f.ctx.Done():
			}
			t.Stop()
		} else {
			select { // something is due now; still let Close through
			case <-f.ctx.Done():
			default:
			}
		}
	}
}

// metadataTopics lists the assigned topics and whether some partition
// needs fresh metadata. Called with mu held.
func (f *Fetcher) metadataTopics() ([]string, bool) {
	seen := map[string]bool{}
	var topics []string
	need := false
	for tp, p := range f.parts {
		need = need || p.needMeta
		if !seen[tp.Topic] {
			seen[tp.Topic] = true
			topics = append(topics, tp.Topic)
		}
	}
	return topics, need
}

// refreshMetadata fetches metadata (a fresh copy when force is set) and
// applies leaders to the partitions; it returns how many partitions still
// lack a usable leader.
func (f *Fetcher) refreshMetadata(topics []string, force bool) (int, error) {
	if len(topics) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout)
	defer cancel()
	f.mu.Lock()
	asked := f.metaAsked
	f.mu.Unlock()
	md, err := f.cl.Metadata(ctx, topics...)
	if err == nil && force && !md.FetchedAt.After(asked) {
		md, err = f.cl.Refresh(ctx)
	}
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.applyMetadata(md)
	f.notify()
	return n, nil
}

// applyMetadata takes leaders, leader epochs and topic ids from md. A
// partition whose leader epoch moved on and whose position carries an
// epoch is validated before it is fetched again (KIP-320). Called with mu
// held; returns how many partitions needing metadata it could not resolve.
func (f *Fetcher) applyMetadata(md *conn.Metadata) int {
	unresolved := 0
	for _, p := range f.parts {
		log := f.log.With("topic", p.tp.Topic, "partition", p.tp.Partition)
		t := md.Topics[p.tp.Topic]
		var mp conn.Partition
		ok := t != nil && t.Err == nil
		if ok {
			mp, ok = md.Partition(p.tp.Topic, p.tp.Partition)
		}
		if !ok || mp.Leader < 0 || (mp.LeaderEpoch >= 0 && mp.LeaderEpoch < p.leaderEpoch) {
			if p.needMeta {
				unresolved++
				if t != nil && t.Err != nil && !retriable(t.Err) && p.failures == 0 {
					p.report(t.Err) // e.g. TOPIC_AUTHORIZATION_FAILED; keep trying
				}
				if p.failures == 0 {
					log.Warn("no usable leader in metadata yet", "topic_err", topicErr(t), "known", ok)
				}
				p.failures++
			}
			continue
		}
		changed := mp.Leader != p.leader || mp.LeaderEpoch != p.leaderEpoch
		if !t.ID.IsZero() {
			p.topicID = t.ID
		}
		if changed {
			log.Debug("leader", "broker", mp.Leader, "leader_epoch", mp.LeaderEpoch, "was", p.leader, "was_epoch", p.leaderEpoch)
			p.leader, p.leaderEpoch = mp.Leader, mp.LeaderEpoch
			if p.state == posReady && p.offsetEpoch >= 0 {
				p.state = posValidate
				p.retryAt = time.Time{}
			}
		}
		if p.needMeta {
			p.needMeta = false
			if changed { // else the broker was right and the old leader still leads: keep backing off
				p.failures, p.retryAt = 0, time.Time{}
			}
		}
	}
	return unresolved
}

// wantMeta marks p as needing fresh metadata: metadata fetched before now
// will not do. Called with mu held.
func (f *Fetcher) wantMeta(p *partition) {
	p.needMeta = true
	f.metaAsked = time.Now()
}

func topicErr(t *conn.Topic) error {
	if t == nil {
		return errors.New("topic not in metadata")
	}
	return t.Err
}

func retriable(err error) bool {
	var ke *protocol.Error
	return errors.As(err, &ke) && ke.Retriable
}

// leaderErr reports whether a partition error means the leader is not who
// or where we think: refresh metadata before retrying.
func leaderErr(err error) bool {
	switch err {
	case protocol.ErrNotLeaderOrFollower, protocol.ErrFencedLeaderEpoch, protocol.ErrUnknownLeaderEpoch,
		protocol.ErrUnknownTopicOrPartition, protocol.ErrLeaderNotAvailable, protocol.ErrReplicaNotAvailable,
		protocol.ErrKafkaStorageError, protocol.ErrUnknownTopicId, protocol.ErrInconsistentTopicId:
		return true
	}
	return false
}

// posItem is one partition in a ListOffsets or OffsetForLeaderEpoch
// request, with what it was when the request was built.
type posItem struct {
	p        *partition
	gen      uint64
	start    Start
	ts       int64 // ListOffsets timestamp
	position int64
	epoch    int32 // offsetEpoch, for validation
}

// lookUpPositions sends ListOffsets for partitions whose position is
// unknown and OffsetForLeaderEpoch for those to validate, one request per
// leader, concurrently.
func (f *Fetcher) lookUpPositions() {
	f.mu.Lock()
	now := time.Now()
	resets := map[int32][]posItem{}
	validations := map[int32][]posItem{}
	var committed []posItem
	for _, p := range f.parts {
		if p.needMeta || p.leader < 0 || p.retryAt.After(now) {
			continue
		}
		switch p.state {
		case posReset:
			if p.start.kind == startNone {
				p.stop(ErrNoOffset)
				f.log.Warn("no start offset and the reset policy is none; partition stopped until Seek",
					"topic", p.tp.Topic, "partition", p.tp.Partition)
				continue
			}
			if p.start.kind == startCommitted {
				if f.cfg.Committed == nil {
					p.stop(ErrNoGroup)
					f.log.Warn("a committed start position without a group; partition stopped until Seek",
						"topic", p.tp.Topic, "partition", p.tp.Partition)
					continue
				}
				committed = append(committed, posItem{p: p, gen: p.gen, start: p.start})
				continue
			}
			resets[p.leader] = append(resets[p.leader], posItem{p: p, gen: p.gen, start: p.start, ts: p.start.listTimestamp(now)})
		case posValidate:
			validations[p.leader] = append(validations[p.leader], posItem{p: p, gen: p.gen, position: p.position, epoch: p.offsetEpoch})
		}
	}
	if len(resets) > 0 || len(validations) > 0 || len(committed) > 0 {
		f.notify() // failed partitions have errors for Poll
	}
	f.mu.Unlock()
	var wg sync.WaitGroup
	if len(committed) > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); f.lookUpCommitted(committed) }()
	}
	for leader, items := range resets {
		wg.Add(1)
		go func() { defer wg.Done(); f.listOffsets(leader, items) }()
	}
	for leader, items := range validations {
		wg.Add(1)
		go func() { defer wg.Done(); f.validate(leader, items) }()
	}
	wg.Wait()
}

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
	if f.ctx.Err() != nil {
		return
	}
	defer f.notify()
	now := time.Now()
	for _, it := range items {
		p := it.p
		if f.parts[p.tp] != p || p.gen != it.gen {
			continue // sought or removed meanwhile
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

// itemsFailed marks items after a request got no usable answer.
func (f *Fetcher) itemsFailed(items []posItem, err error, what string, leader int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return
	}
	now := time.Now()
	for _, it := range items {
		if f.parts[it.p.tp] == it.p && it.p.gen == it.gen {
			f.wantMeta(it.p)
			it.p.fail(&f.cfg, now)
		}
	}
	f.log.Warn(what+" failed; refreshing metadata", "broker", leader, "err", err, "partitions", len(items))
	f.notify()
}

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
		if f.parts[p.tp] != p || p.gen != it.gen || p.state != posReset {
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
					p.start = StartLatest
					continue
				}
				log.Warn("ListOffsets returned no offset", "start", it.start.String())
				p.fail(&f.cfg, now)
				continue
			}
			p.gen++
			p.state, p.position, p.offsetEpoch = posReady, off, max(epoch, -1)
			p.failures, p.retryAt = 0, time.Time{}
			if p.resetFrom >= 0 {
				log.Warn("offset reset", "from", p.resetFrom, "to", off, "reset", it.start.String())
			} else {
				log.Debug("start position", "offset", off, "start", it.start.String())
			}
			p.resetFrom = -1
		case leaderErr(err) || err == protocol.ErrOffsetNotAvailable:
			log.Info("ListOffsets: retrying after a metadata refresh", "err", err)
			if err != protocol.ErrOffsetNotAvailable {
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
			if f.parts[it.p.tp] == it.p && it.p.gen == it.gen && it.p.state == posValidate {
				it.p.state = posReady
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
		if f.parts[p.tp] != p || p.gen != it.gen || p.state != posValidate || p.position != it.position {
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
				"offset", p.position, "epoch", it.epoch)
			return
		}
		f.m.resets.Add(1)
		log.Warn("position's leader epoch unknown to the leader; resetting", "offset", p.position, "epoch", it.epoch,
			"reset", f.cfg.Reset.String())
		from := p.position
		p.setStart(f.cfg.Reset)
		p.resetFrom = from
	case end < p.position:
		f.m.truncations.Add(1)
		te := &TruncationError{Position: p.position, Epoch: it.epoch, EndOffset: end, Reset: f.cfg.Reset.kind != startNone}
		if !te.Reset {
			p.stop(te)
			log.Warn("log truncation detected and the reset policy is none; partition stopped until Seek",
				"offset", p.position, "epoch", it.epoch, "end_offset", end)
			return
		}
		p.report(te)
		log.Warn("log truncation detected; moving back to the divergence point", "offset", p.position,
			"epoch", it.epoch, "end_offset", end, "end_epoch", epoch)
		p.gen++
		p.state, p.position, p.offsetEpoch = posReady, end, epoch
	default:
		log.Debug("position validated", "offset", p.position, "epoch", it.epoch, "end_offset", end)
		p.state = posReady
	}
	p.failures, p.retryAt = 0, time.Time{}
}

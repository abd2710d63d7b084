package fetch

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// brokerLoop fetches from one broker the partitions whose leader (or
// preferred read replica) it is: one Fetch in flight at a time. It ends when
// no partition targets the broker any more; notify starts it again.
type brokerLoop struct {
	f        *Fetcher
	id       int32
	log      *slog.Logger
	wake     chan struct{}
	sess     session
	cn       *conn.Conn // the connection of the last fetch, which holds the session
	failures int
	rotation int
}

func newBrokerLoop(f *Fetcher, id int32) *brokerLoop {
	return &brokerLoop{f: f, id: id, log: f.log.With("broker", id), wake: make(chan struct{}, 1),
		sess: session{disabled: f.cfg.DisableSessions}}
}

// poke wakes the loop if it waits.
func (l *brokerLoop) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// fetchPlan is one Fetch request and what it asked for.
type fetchPlan struct {
	id       uint64
	req      *protocol.FetchRequest
	maxBytes int64
	parts    map[protocol.TopicPartition]planned
	names    map[protocol.UUID]string
}

type planned struct {
	p           *partition
	gen         uint64
	offset      int64
	fromReplica bool
}

func (l *brokerLoop) run() {
	f := l.f
	defer f.wg.Done()
	defer l.closeSession()
	for l.waitWork() {
		cn, err := f.cl.FetchBroker(f.ctx, l.id)
		if err != nil {
			if f.ctx.Err() != nil {
				return
			}
			l.failed(nil, err)
			continue
		}
		pl, err := l.build(cn)
		if err != nil {
			l.failed(nil, err)
			continue
		}
		if pl == nil {
			continue
		}
		l.cn = cn
		f.m.fetches.Add(1)
		ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout+f.cfg.MaxWait)
		start := time.Now()
		resp, err := cn.DoPinned(ctx, pl.req)
		cancel()
		lat := time.Since(start)
		f.m.observeLatency(lat)
		if f.cfg.ObserveLatency != nil {
			f.cfg.ObserveLatency(lat)
		}
		if err != nil {
			if f.ctx.Err() != nil {
				return
			}
			l.failed(pl, err)
			continue
		}
		fr := resp.(*protocol.FetchResponse)
		l.handle(pl, fr)
		if fr.ThrottleTimeMs > 0 { // KIP-219: the broker muted us; do not send before it is over
			f.sleep(time.Duration(fr.ThrottleTimeMs) * time.Millisecond)
		}
	}
}

// closeSessionTimeout bounds the Fetch that closes a session when a loop
// ends, so that Close never waits long for a broker that does not answer.
const closeSessionTimeout = 5 * time.Second

// closeSession ends the broker's fetch session, if the loop holds one, as
// the Java consumer does on close: a Fetch with the session's id, the final
// epoch (-1) and no partitions makes the broker free the session's slot in
// its cache (max.incremental.fetch.session.cache.slots) now, rather than
// when it is evicted. It uses the connection of the last fetch, never a
// new one: a broker that lost the connection loses nothing by waiting for
// eviction. Best effort; a failure is logged.
func (l *brokerLoop) closeSession() {
	id, cn := l.sess.id, l.cn
	l.sess.reset(true)
	if id == 0 || cn == nil || cn.Err() != nil {
		return
	}
	v, ok := cn.Version(protocol.KeyFetch)
	if !ok || v < 7 {
		return
	}
	timeout := min(closeSessionTimeout, l.f.cfg.RequestTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req := protocol.NewFetchRequest(v)
	req.SessionId, req.SessionEpoch = id, -1
	req.MaxWaitMs, req.MinBytes, req.MaxBytes = 0, 0, 0
	req.IsolationLevel = int8(l.f.cfg.IsolationLevel)
	req.RackId = l.f.cfg.Rack
	resp, err := cn.DoPinned(ctx, req)
	if err == nil {
		err = protocol.ErrorForCode(resp.(*protocol.FetchResponse).ErrorCode)
	}
	if err != nil {
		l.log.Debug("closing the fetch session failed; the broker will evict it", "session", id, "err", err)
		return
	}
	l.f.m.sessionsClosed.Add(1)
	l.log.Debug("fetch session closed", "session", id)
}

// waitWork waits until a partition targeting this broker can be fetched and
// the buffer budget has room; false means the loop should end.
func (l *brokerLoop) waitWork() bool {
	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.closed {
			return false
		}
		now := time.Now()
		// A fetch of caught-up partitions alone would wait at the broker
		// for up to MaxWait, and with one fetch in flight per broker the
		// buffered partitions, once Poll has handed out their records,
		// would wait behind it while their next records sit at the broker.
		// So caught-up partitions wait here instead, while another partition
		// of the broker has records buffered, and go in the fetch that
		// partition needs next (as franz-go fetches again only once the
		// whole previous response is consumed). A paused partition's records
		// are not being handed out, so it holds nothing up.
		ready, data, held, moved := false, false, false, false
		var next time.Time
		for p := range f.b.byBroker[l.id] {
			if p.expireReplica(now) { // to its leader's loop
				moved = true
				continue
			}
			if p.replica == l.id && p.replica != p.leader && (next.IsZero() || p.replicaTill.Before(next)) {
				next = p.replicaTill
			}
			if p.fetchable(now) {
				ready = true
				data = data || !p.caughtUp(f.cfg.IsolationLevel)
			} else if p.retryAt.After(now) && (next.IsZero() || p.retryAt.Before(next)) {
				next = p.retryAt
			}
			held = held || p.buffered && !p.paused && p.state == posReady
		}
		if len(f.b.byBroker[l.id]) == 0 {
			if f.loops[l.id] == l {
				delete(f.loops, l.id)
			}
			f.notify() // start the loops of where its partitions went
			return false
		}
		if moved {
			f.notify()
		}
		if ready && (data || !held) && f.buffered+f.reserved < f.cfg.BufferMaxBytes {
			return true
		}
		f.mu.Unlock()
		var timer <-chan time.Time
		if !next.IsZero() {
			t := time.NewTimer(time.Until(next))
			timer = t.C
			defer t.Stop()
		}
		select {
		case <-l.wake:
		case <-timer:
		case <-f.ctx.Done():
		}
		f.mu.Lock()
	}
}

// build makes the next Fetch request for the fetchable partitions of this
// broker and marks them in flight; nil when there is nothing to fetch.
func (l *brokerLoop) build(cn *conn.Conn) (*fetchPlan, error) {
	f := l.f
	v, ok := cn.Version(protocol.KeyFetch)
	if !ok {
		return nil, errors.New("fetch: broker serves no Fetch version rawkafka speaks")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, nil
	}
	avail := f.cfg.BufferMaxBytes - f.buffered - f.reserved
	if avail <= 0 {
		return nil, nil
	}
	now := time.Now()
	var ps []*partition
	noID := false
	moved := false
	for p := range f.b.byBroker[l.id] {
		if p.expireReplica(now) {
			moved = true
		} else if p.fetchable(now) {
			ps = append(ps, p)
			noID = noID || p.topicID.IsZero()
		}
	}
	if moved {
		f.notify()
	}
	if len(ps) == 0 {
		return nil, nil
	}
	if v >= 13 && noID { // a topic without an id (old metadata) needs names
		if lo, _, _ := cn.BrokerVersions(protocol.KeyFetch); lo <= 12 {
			v = 12
		} else {
			ps = slices.DeleteFunc(ps, func(p *partition) bool {
				if p.topicID.IsZero() { // wait for metadata with the id
					f.wantMeta(p)
					p.fail(&f.cfg, now)
					moved = true // maintenance has work
					return true
				}
				return false
			})
			if moved {
				f.notify()
			}
			if len(ps) == 0 {
				return nil, nil
			}
		}
	}
	// Full fetches list partitions in a rotating order, so that one whose
	// first batch exceeds max.partition.fetch.bytes is sometimes first and
	// gets it whole (KIP-74); incremental sessions rotate on the broker.
	slices.SortFunc(ps, func(a, b *partition) int { return a.tp.Compare(b.tp) })
	l.rotation++
	r := l.rotation % len(ps)
	ps = append(ps[r:], ps[:r]...)

	// Each broker's loop may have its share of the budget in flight, so that
	// one broker's long polls cannot starve the others.
	share := max(f.cfg.BufferMaxBytes/int64(max(len(f.loops), 1)), 1)
	maxBytes := min(int64(f.cfg.MaxBytes), avail, share)
	req := protocol.NewFetchRequest(v)
	req.MaxWaitMs = int32(f.cfg.MaxWait / time.Millisecond)
	req.MinBytes = f.cfg.MinBytes
	req.MaxBytes = int32(maxBytes)
	req.IsolationLevel = int8(f.cfg.IsolationLevel)
	req.RackId = f.cfg.Rack
	f.fetchSeq++
	pl := &fetchPlan{id: f.fetchSeq, req: req, maxBytes: maxBytes, parts: make(map[protocol.TopicPartition]planned, len(ps)),
		names: make(map[protocol.UUID]string)}
	want := make([]wantPart, len(ps))
	for i, p := range ps {
		p.inflight = pl.id
		pl.parts[p.tp] = planned{p: p, gen: p.gen, offset: p.position, fromReplica: p.leader != l.id}
		pl.names[p.topicID] = p.tp.Topic
		want[i] = wantPart{tp: p.tp, topicID: p.topicID, offset: p.position, leaderEpoch: p.leaderEpoch, maxBytes: f.cfg.PartitionMaxBytes}
	}
	l.sess.build(req, want)
	f.reserved += maxBytes
	return pl, nil
}

// failed handles a fetch that got no response (pl nil: no connection):
// partitions read from this broker as a replica go back to their leader,
// the others wait for fresh metadata. The next fetch opens a new session.
func (l *brokerLoop) failed(pl *fetchPlan, err error) {
	f := l.f
	f.mu.Lock()
	if pl != nil {
		f.reserved -= pl.maxBytes
	}
	l.sess.reset(false)
	l.failures++
	f.m.fetchErrors.Add(1)
	n := 0
	var ps []*partition
	if pl != nil {
		for _, pd := range pl.parts {
			if p := pd.p; f.parts[p.tp] == p && p.inflight == pl.id {
				ps = append(ps, p)
			}
		}
	} else {
		for p := range f.b.byBroker[l.id] {
			ps = append(ps, p)
		}
	}
	for _, p := range ps {
		p.inflight = 0
		if p.replica == l.id && p.leader != l.id {
			p.setReplica(-1, time.Time{})
		} else {
			f.wantMeta(p)
		}
		n++
	}
	l.log.Warn("fetch failed; refreshing metadata", "err", err, "partitions", n, "failures", l.failures)
	f.notify()
	f.mu.Unlock()
	f.sleep(f.cfg.backoff(l.failures))
}

// handle applies a Fetch response.
func (l *brokerLoop) handle(pl *fetchPlan, resp *protocol.FetchResponse) {
	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	f.reserved -= pl.maxBytes
	defer func() { // whatever the response left out is free to fetch again
		for _, pd := range pl.parts {
			if pd.p.inflight == pl.id {
				pd.p.inflight = 0
			}
		}
	}()
	if err := protocol.ErrorForCode(resp.ErrorCode); err != nil {
		f.m.fetchErrors.Add(1)
		if isSessionError(err) {
			f.m.sessionResets.Add(1)
			l.sess.reset(errors.Is(err, protocol.ErrFetchSessionIdNotFound))
			l.log.Info("fetch session reset; sending a full fetch", "err", err, "session", pl.req.SessionId, "session_epoch", pl.req.SessionEpoch)
			return
		}
		l.sess.reset(false)
		l.failures++
		l.log.Warn("fetch failed", "err", err)
		now := time.Now()
		for _, pd := range pl.parts {
			if pd.p.inflight == pl.id {
				f.wantMeta(pd.p)
				pd.p.fail(&f.cfg, now)
			}
		}
		return
	}
	l.sess.success(resp.SessionId)
	l.failures = 0
	l.log.Debug("fetched", "partitions", len(pl.parts), "session", resp.SessionId, "session_epoch", pl.req.SessionEpoch)
	now := time.Now()
	for ti := range resp.Responses {
		t := &resp.Responses[ti]
		name := t.Topic
		if pl.req.Version >= 13 {
			name = pl.names[t.TopicId]
		}
		for pi := range t.Partitions {
			d := &t.Partitions[pi]
			tp := protocol.TopicPartition{Topic: name, Partition: d.PartitionIndex}
			pd, ok := pl.parts[tp]
			if !ok {
				continue
			}
			p := pd.p
			if f.parts[tp] != p || p.inflight != pl.id || p.gen != pd.gen || p.position != pd.offset {
				continue // sought, removed or moved meanwhile
			}
			p.inflight = 0
			l.handlePartition(p, pd, d, now)
		}
	}
	// An incremental fetch session's response leaves out the partitions
	// with nothing new (no records, no change of watermarks, no error,
	// KIP-227): they were fetched all the same, and their fetch times say
	// so, or an idle partition would look never fetched.
	for tp, pd := range pl.parts {
		if p := pd.p; p.inflight == pl.id && f.parts[tp] == p && p.gen == pd.gen && p.position == pd.offset {
			p.fetched(now)
		}
	}
	if len(f.watches) > 0 {
		f.checkWatches()
	}
}

// handlePartition applies one partition of a Fetch response.
func (l *brokerLoop) handlePartition(p *partition, pd planned, d *protocol.FetchResponsePartitionData, now time.Time) {
	f := l.f
	// The partition's logger is made only when something is logged: a
	// With per partition per response was most of a response's allocations.
	log := func() *slog.Logger { return l.log.With("topic", p.tp.Topic, "partition", p.tp.Partition) }
	err := protocol.ErrorForCode(d.ErrorCode)
	if err == nil {
		p.fetched(now)
		p.failures = 0
		if d.HighWatermark >= 0 {
			p.hw = d.HighWatermark
		}
		p.lso, p.logStart = d.LastStableOffset, d.LogStartOffset
		if d.PreferredReadReplica >= 0 && d.PreferredReadReplica != l.id {
			if _, known := f.cl.Cached().Brokers[d.PreferredReadReplica]; known {
				p.setReplica(d.PreferredReadReplica, now.Add(f.cfg.MetadataMaxAge))
				log().Debug("fetching from the preferred read replica", "replica", p.replica)
			}
		}
		if len(d.Records) > 0 && p.state == posReady {
			f.enqueue(newCompletedFetch(p, pd.offset, d.Records, d.AbortedTransactions, l.id))
		}
		return
	}
	fromReplica := pd.fromReplica && p.replica == l.id
	if fromReplica {
		p.setReplica(-1, time.Time{}) // any error from a follower: back to the leader first
	}
	switch {
	case errors.Is(err, protocol.ErrOffsetOutOfRange):
		if fromReplica {
			log().Info("offset out of range on the preferred read replica; going back to the leader", "offset", pd.offset)
			return
		}
		f.outOfRange(p, log())
	case leaderErr(err) || errors.Is(err, protocol.ErrOffsetNotAvailable):
		hinted := errors.Is(err, protocol.ErrNotLeaderOrFollower) || errors.Is(err, protocol.ErrFencedLeaderEpoch)
		if hinted && !fromReplica && f.leaderHint(p, d.CurrentLeader, log()) {
			return
		}
		log().Info("fetch error; refreshing metadata", "err", err, "leader_epoch", p.leaderEpoch)
		if !fromReplica {
			f.wantMeta(p)
		}
		p.fail(&f.cfg, now)
	default:
		// TOPIC_AUTHORIZATION_FAILED, CORRUPT_MESSAGE, UNKNOWN_SERVER_ERROR...:
		// the user hears of it, and the partition is tried again later.
		log().Warn("fetch error", "err", err, "offset", p.position)
		p.report(err)
		p.fail(&f.cfg, now)
	}
}

// leaderHint applies the leader a NOT_LEADER_OR_FOLLOWER or
// FENCED_LEADER_EPOCH error names (KIP-951, Fetch v12+; filled by brokers
// from Kafka 3.7): when it is newer than the leader p knows and the metadata
// knows its address, p moves to it at once, as after a metadata refresh
// (its position validated first, KIP-320), without waiting for one. The
// Java consumer does the same. It reports whether the hint was used; if not,
// the caller refreshes metadata. Called with mu held.
func (f *Fetcher) leaderHint(p *partition, hint protocol.FetchResponseLeaderIdAndEpoch, log *slog.Logger) bool {
	if hint.LeaderId < 0 || hint.LeaderEpoch < 0 || hint.LeaderEpoch <= p.leaderEpoch {
		return false
	}
	md := f.cl.Cached()
	if md == nil {
		return false
	}
	if _, known := md.Brokers[hint.LeaderId]; !known {
		return false // the address is unknown: a metadata refresh finds it
	}
	log.Info("leader moved; the broker named the new one", "leader", hint.LeaderId, "leader_epoch", hint.LeaderEpoch,
		"was_leader", p.leader, "was_leader_epoch", p.leaderEpoch)
	f.m.leaderHints.Add(1)
	p.failures, p.retryAt = 0, time.Time{}
	p.setLeader(hint.LeaderId, hint.LeaderEpoch)
	return true // handle's notify starts the new leader's loop
}

// outOfRange applies the reset policy to a partition whose position the
// leader does not have. Called with mu held.
func (f *Fetcher) outOfRange(p *partition, log *slog.Logger) {
	if f.cfg.Reset.kind == startNone {
		p.stop(protocol.ErrOffsetOutOfRange)
		log.Warn("offset out of range and the reset policy is none; partition stopped until Seek", "offset", p.position)
		return
	}
	f.m.resets.Add(1)
	log.Warn("offset out of range; resetting", "offset", p.position, "reset", f.cfg.Reset.String())
	p.reset(f.cfg.Reset)
}

// enqueue queues a partition's fetched data for Poll and wakes it. Called
// with mu held.
func (f *Fetcher) enqueue(cf *completedFetch) {
	f.queue = append(f.queue, cf)
	f.buffered += cf.size
	cf.p.buffered = true
	f.b.wakePoll()
}

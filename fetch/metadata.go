package fetch

import (
	"context"
	"errors"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// startMetadata starts a metadata refresh when a partition needs one (and
// the backoff allows) or metadata.max.age.ms has passed, unless one is in
// flight. Called with mu held.
func (f *Fetcher) startMetadata() {
	if f.ms.metaBusy {
		return
	}
	now := time.Now()
	if len(f.parts) == 0 {
		f.ms.lastCheck = now // nothing to refresh: the next periodic check is an age away
		return
	}
	need := false
	for p := range f.b.maint {
		if p.needMeta {
			need = true
			break
		}
	}
	if !(need && !now.Before(f.ms.metaRetryAt)) && now.Sub(f.ms.lastCheck) < f.cfg.MetadataMaxAge {
		return
	}
	f.ms.lastCheck = now
	f.ms.metaBusy = true
	seen := map[string]bool{}
	var topics []string
	for tp := range f.parts {
		if !seen[tp.Topic] {
			seen[tp.Topic] = true
			topics = append(topics, tp.Topic)
		}
	}
	asked := f.metaAsked
	f.goMaint(func() { f.refreshMetadata(topics, need, asked) })
}

// refreshMetadata fetches metadata (a copy fetched after asked when force
// is set) and applies leaders to the partitions.
func (f *Fetcher) refreshMetadata(topics []string, force bool, asked time.Time) {
	ctx, cancel := context.WithTimeout(f.ctx, f.cfg.RequestTimeout)
	defer cancel()
	md, err := f.cl.Metadata(ctx, topics...)
	if err == nil && force && !md.FetchedAt.After(asked) {
		md, err = f.cl.Refresh(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.notify()
	f.ms.metaBusy = false
	unresolved := 0
	if err == nil {
		unresolved = f.applyMetadata(md)
	}
	if err != nil || unresolved > 0 {
		f.ms.metaFailures++
		f.ms.metaRetryAt = time.Now().Add(f.cfg.backoff(f.ms.metaFailures))
		if err != nil && f.ctx.Err() == nil {
			f.log.Warn("metadata refresh failed", "err", err, "failures", f.ms.metaFailures)
		}
	} else {
		f.ms.metaFailures, f.ms.metaRetryAt = 0, time.Time{}
	}
}

// applyMetadata takes leaders, leader epochs and topic ids from md. A
// partition whose leader epoch moved on and whose position carries an
// epoch is validated before it is fetched again (KIP-320). Called with mu
// held; returns how many partitions needing metadata it could not resolve.
func (f *Fetcher) applyMetadata(md *conn.Metadata) int {
	unresolved := 0
	for _, p := range f.parts {
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
					f.log.Warn("no usable leader in metadata yet", "topic", p.tp.Topic, "partition", p.tp.Partition,
						"topic_err", topicErr(t), "known", ok)
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
			f.log.Debug("leader", "topic", p.tp.Topic, "partition", p.tp.Partition, "leader", mp.Leader,
				"leader_epoch", mp.LeaderEpoch, "was_leader", p.leader, "was_leader_epoch", p.leaderEpoch)
			p.setLeader(mp.Leader, mp.LeaderEpoch)
		}
		if p.needMeta {
			if changed { // else the broker was right and the old leader still leads: keep backing off
				p.failures, p.retryAt = 0, time.Time{}
			}
			p.setNeedMeta(false)
		}
	}
	return unresolved
}

// wantMeta marks p as needing fresh metadata: metadata fetched before now
// will not do. Called with mu held.
func (f *Fetcher) wantMeta(p *partition) {
	p.setNeedMeta(true)
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
	for _, e := range leaderErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

var leaderErrs = []error{protocol.ErrNotLeaderOrFollower, protocol.ErrFencedLeaderEpoch, protocol.ErrUnknownLeaderEpoch,
	protocol.ErrUnknownTopicOrPartition, protocol.ErrLeaderNotAvailable, protocol.ErrReplicaNotAvailable,
	protocol.ErrKafkaStorageError, protocol.ErrUnknownTopicId, protocol.ErrInconsistentTopicId}

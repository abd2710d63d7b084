package fetch

import (
	"fmt"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// posState is what a partition's position is waiting for.
type posState int8

const (
	posReset    posState = iota // unknown: look it up per start (ListOffsets)
	posValidate                 // known, to be checked against the leader after a leader change (OffsetForLeaderEpoch)
	posReady                    // known and valid: fetchable
	posFailed                   // stopped by an error until Seek
)

func (s posState) String() string {
	switch s {
	case posReset:
		return "reset"
	case posValidate:
		return "validate"
	case posReady:
		return "ready"
	case posFailed:
		return "failed"
	}
	return fmt.Sprintf("posState(%d)", int8(s))
}

// partition is the Fetcher's state for one assigned partition, guarded by
// Fetcher.mu.
type partition struct {
	tp protocol.TopicPartition
	// gen changes whenever the position is set from outside the flow of
	// fetched data (Seek, reset, truncation): data fetched for an older gen
	// is dropped.
	gen   uint64
	state posState
	start Start // what posReset looks up

	position    int64 // next offset to hand to the user
	offsetEpoch int32 // leader epoch of the record before position; -1 unknown

	topicID     protocol.UUID
	leader      int32 // -1 unknown
	leaderEpoch int32 // -1 unknown
	needMeta    bool  // leader unknown or suspect: refresh metadata
	replica     int32 // preferred read replica (KIP-392), -1 none
	replicaTill time.Time

	paused   bool
	buffered bool   // a completed fetch of this partition is queued
	inflight uint64 // id of the fetch that carries it, 0 none
	retryAt  time.Time
	failures int // consecutive errors, for backoff

	hw, lso, logStart int64 // from the last fetch; -1 unknown
	resetFrom         int64 // the position an offset reset moves from, for its log; -1 none

	errs    []error // to report at the next Poll
	stopErr error   // why the partition is in posFailed
}

func newPartition(tp protocol.TopicPartition, start Start) *partition {
	p := &partition{tp: tp, gen: 1, offsetEpoch: -1, leader: -1, leaderEpoch: -1, needMeta: true,
		replica: -1, hw: -1, lso: -1, logStart: -1, resetFrom: -1}
	p.setStart(start)
	return p
}

// setStart points the partition at start (gen changes).
func (p *partition) setStart(start Start) {
	p.gen++
	p.inflight = 0
	p.buffered = false
	p.failures = 0
	p.retryAt = time.Time{}
	p.resetFrom = -1
	p.stopErr = nil
	if off, ok := start.Offset(); ok {
		p.state, p.position, p.offsetEpoch = posReady, off, start.Epoch()
		if p.offsetEpoch >= 0 {
			p.state = posValidate // checked against the leader before fetching
		}
		return
	}
	p.state, p.start = posReset, start
}

// target is the broker to fetch from: the preferred read replica while it
// holds, else the leader; -1 when unknown.
func (p *partition) target(now time.Time) int32 {
	if p.needMeta {
		return -1
	}
	if p.replica >= 0 && now.Before(p.replicaTill) {
		return p.replica
	}
	return p.leader
}

// fetchable reports whether the partition can go into a fetch now.
func (p *partition) fetchable(now time.Time) bool {
	return p.state == posReady && !p.paused && !p.buffered && p.inflight == 0 && !p.needMeta &&
		p.leader >= 0 && !now.Before(p.retryAt)
}

// caughtUp reports whether the position is at the end the last fetch
// reported, so that a fetch of the partition waits at the broker for new
// records (up to MaxWait).
func (p *partition) caughtUp(iso IsolationLevel) bool {
	end := p.end(iso)
	return end >= 0 && p.position >= end
}

// fail counts an error and sets the retry time.
func (p *partition) fail(cfg *Config, now time.Time) {
	p.failures++
	p.retryAt = now.Add(cfg.backoff(p.failures))
}

// stop stops the partition until Seek and reports err.
func (p *partition) stop(err error) {
	p.state, p.stopErr = posFailed, err
	p.report(err)
}

// report queues err for the next Poll.
func (p *partition) report(err error) {
	p.errs = append(p.errs, &PartitionError{TopicPartition: p.tp, Offset: p.position, Err: err})
}

// end is the offset lag is measured to: the last stable offset under
// read_committed, else the high watermark.
func (p *partition) end(iso IsolationLevel) int64 {
	if iso == ReadCommitted && p.lso >= 0 {
		return p.lso
	}
	return p.hw
}

package fetch

import (
	"fmt"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// posState is what a partition's position is waiting for.
type posState int8

const (
	posReset    posState = iota // unknown: look it up per start (ListOffsets, or the committed offset)
	posValidate                 // known, to be checked against the leader after a leader change (OffsetForLeaderEpoch)
	posReady                    // known and valid: fetchable
	posFailed                   // stopped by an error until Seek
)

// String names the state, for logs and Metrics.
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

// board is what the partitions of one Fetcher share, guarded by Fetcher.mu:
// the indexes that let an event touch only the partitions it concerns, and
// Poll's wake-up. A partition keeps its entries up to date itself: every
// method that changes its state, leader, replica or metadata need calls
// reindex, and every method that records something Poll can return (data,
// an error, a stopped partition) wakes Poll. That is what makes a lost
// wake-up impossible by construction rather than by care at each call site.
type board struct {
	// byBroker holds the partitions by the broker their fetches go to (the
	// preferred read replica while one is named, else the leader); a
	// partition with no known leader, or waiting for metadata, is in none.
	byBroker map[int32]map[*partition]struct{}
	// maint holds the partitions the maintenance loop has work for: a
	// position to look up or validate, or metadata to refresh.
	maint map[*partition]struct{}
	// errParts lists partitions with errors for the next Poll (a partition
	// may be listed more than once; its errs are taken at the first).
	errParts []*partition
	// pollWake is closed at the next change Poll can return; nil when no
	// Poll waits, so that a Poll that finds data allocates nothing.
	pollWake chan struct{}
	// stateWake is closed at the next change of a partition's state,
	// position or routing (every reindex); nil when nobody waits
	// (Position).
	stateWake chan struct{}
}

func newBoard() *board {
	return &board{byBroker: map[int32]map[*partition]struct{}{}, maint: map[*partition]struct{}{}}
}

// wakePoll wakes a waiting Poll.
func (b *board) wakePoll() {
	if b.pollWake != nil {
		close(b.pollWake)
		b.pollWake = nil
	}
}

// wakeState wakes the waiters for a partition's state (Position).
func (b *board) wakeState() {
	if b.stateWake != nil {
		close(b.stateWake)
		b.stateWake = nil
	}
}

// stateWait returns the channel closed at the next wakeState.
func (b *board) stateWait() <-chan struct{} {
	if b.stateWake == nil {
		b.stateWake = make(chan struct{})
	}
	return b.stateWake
}

// pollWait returns the channel closed at the next wakePoll.
func (b *board) pollWait() <-chan struct{} {
	if b.pollWake == nil {
		b.pollWake = make(chan struct{})
	}
	return b.pollWake
}

// partition is the Fetcher's state for one assigned partition, guarded by
// Fetcher.mu. Its state, position and gen change only through its methods
// (setStart, positioned, validated, truncated, advance, stop, drop), which
// keep the board's indexes and Poll's wake-up right; the fields below them
// are bookkeeping of the fetch and maintenance loops.
type partition struct {
	tp protocol.TopicPartition
	b  *board
	// gen changes whenever the position is set from outside the flow of
	// fetched data (Seek, reset, truncation, removal): data fetched and
	// answers looked up for an older gen are dropped.
	gen   uint64
	state posState
	start Start // what posReset looks up

	position    int64 // next offset to hand to the user
	offsetEpoch int32 // leader epoch of the record before position; -1 unknown
	// polledFrom is the position before the Poll in progress handed out
	// records of the partition, -1 when it has none: until that Poll
	// returns, those records are not handed out, and removing the partition
	// gives back polledFrom.
	polledFrom  int64
	polledEpoch int32 // offsetEpoch at polledFrom

	topicID     protocol.UUID
	leader      int32 // -1 unknown
	leaderEpoch int32 // -1 unknown
	needMeta    bool  // leader unknown or suspect: refresh metadata
	replica     int32 // preferred read replica (KIP-392), -1 none
	replicaTill time.Time

	routed  int32 // the byBroker key it is under, -1 none
	inMaint bool
	removed bool

	paused   bool
	buffered bool   // a completed fetch of this partition is queued
	inflight uint64 // id of the fetch that carries it, 0 none
	lookup   uint64 // gen of the ListOffsets, committed-offset or validation lookup in flight, 0 none
	retryAt  time.Time
	failures int // consecutive errors, for backoff

	hw, lso, logStart int64 // from the last fetch; -1 unknown
	resetFrom         int64 // the position an offset reset moves from, for its log; -1 none

	errs    []error // to report at the next Poll
	stopErr error   // why the partition is in posFailed

	times FetchTimes // when responses carried it (stall.go)
}

func newPartition(b *board, tp protocol.TopicPartition, start Start) *partition {
	p := &partition{tp: tp, b: b, gen: 1, offsetEpoch: -1, polledFrom: -1, leader: -1, leaderEpoch: -1, needMeta: true,
		replica: -1, routed: -1, hw: -1, lso: -1, logStart: -1, resetFrom: -1}
	p.setStart(start)
	return p
}

// reindex puts p under the board entries its fields call for, and wakes
// those waiting for a partition's state to change.
func (p *partition) reindex() {
	p.b.wakeState()
	route := int32(-1)
	if !p.removed && !p.needMeta {
		route = p.leader
		if p.replica >= 0 {
			route = p.replica
		}
	}
	if route != p.routed {
		if p.routed >= 0 {
			set := p.b.byBroker[p.routed]
			delete(set, p)
			if len(set) == 0 {
				delete(p.b.byBroker, p.routed)
			}
		}
		if route >= 0 {
			set := p.b.byBroker[route]
			if set == nil {
				set = map[*partition]struct{}{}
				p.b.byBroker[route] = set
			}
			set[p] = struct{}{}
		}
		p.routed = route
	}
	maint := !p.removed && (p.needMeta || p.state == posReset || p.state == posValidate)
	if maint != p.inMaint {
		if maint {
			p.b.maint[p] = struct{}{}
		} else {
			delete(p.b.maint, p)
		}
		p.inMaint = maint
	}
}

// setStart points the partition at start (gen changes): Add, Seek, and
// resets.
func (p *partition) setStart(start Start) {
	p.gen++
	p.polledFrom = -1
	p.inflight, p.lookup = 0, 0
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
	} else {
		p.state, p.start = posReset, start
	}
	p.reindex()
}

// reset moves the partition to the reset policy after its position proved
// invalid, remembering where from for the log.
func (p *partition) reset(policy Start) {
	from := p.position
	p.setStart(policy)
	p.resetFrom = from
}

// startInstead changes what a position lookup in progress looks for (a time
// with no record after it: the latest offset), keeping gen.
func (p *partition) startInstead(start Start) { p.start = start }

// positioned sets the position a lookup found (gen changes).
func (p *partition) positioned(offset int64, epoch int32) {
	p.gen++
	p.polledFrom = -1
	p.state, p.position, p.offsetEpoch = posReady, offset, max(epoch, -1)
	p.failures, p.retryAt, p.resetFrom = 0, time.Time{}, -1
	p.reindex()
}

// validated makes a position awaiting validation fetchable.
func (p *partition) validated() {
	if p.state == posValidate {
		p.state = posReady
	}
	p.failures, p.retryAt = 0, time.Time{}
	p.reindex()
}

// truncated moves the position back to where the leader's log diverges
// (gen changes).
func (p *partition) truncated(end int64, epoch int32) {
	p.gen++
	p.polledFrom = -1
	p.state, p.position, p.offsetEpoch = posReady, end, epoch
	p.failures, p.retryAt = 0, time.Time{}
	p.reindex()
}

// advance moves the position forward past what Poll handed out or skipped.
func (p *partition) advance(next int64, epoch int32) {
	if next > p.position {
		p.position = next
		if epoch >= 0 {
			p.offsetEpoch = epoch
		}
	}
}

// consumed returns the position past the records Poll has handed out, with
// the leader epoch of the last, when the position is known and valid.
func (p *partition) consumed() (protocol.OffsetEpoch, bool) {
	if p.state != posReady {
		return protocol.OffsetEpoch{}, false
	}
	if p.polledFrom >= 0 {
		return protocol.OffsetEpoch{Offset: p.polledFrom, LeaderEpoch: p.polledEpoch}, true
	}
	return protocol.OffsetEpoch{Offset: p.position, LeaderEpoch: p.offsetEpoch}, true
}

// stop stops the partition until Seek and reports err.
func (p *partition) stop(err error) {
	p.state, p.stopErr = posFailed, err
	p.lookup = 0
	p.reindex()
	p.report(err)
}

// drop takes the partition out of the Fetcher (Remove): anything fetched or
// looked up for it is stale (gen changes), and it leaves every index.
func (p *partition) drop() {
	p.gen++
	p.polledFrom = -1
	p.removed = true
	p.errs = nil
	p.reindex()
}

// setLeader applies a leader from metadata or a leader hint. A new leader
// epoch makes a position that carries an epoch be validated before the next
// fetch (KIP-320).
func (p *partition) setLeader(leader, epoch int32) {
	if leader == p.leader && epoch == p.leaderEpoch {
		return
	}
	p.leader, p.leaderEpoch = leader, epoch
	if p.state == posReady && p.offsetEpoch >= 0 {
		p.state = posValidate
		p.retryAt = time.Time{}
	}
	p.reindex()
}

// setNeedMeta marks the leader unknown or suspect (or known again).
func (p *partition) setNeedMeta(need bool) {
	p.needMeta = need
	p.reindex()
}

// setReplica makes fetches go to a preferred read replica until till; -1
// goes back to the leader.
func (p *partition) setReplica(id int32, till time.Time) {
	p.replica, p.replicaTill = id, till
	p.reindex()
}

// expireReplica goes back to the leader once the preferred read replica's
// time is over, reporting whether it did (the caller notifies, so that the
// leader's loop runs).
func (p *partition) expireReplica(now time.Time) bool {
	if p.replica >= 0 && !now.Before(p.replicaTill) {
		p.setReplica(-1, time.Time{})
		return true
	}
	return false
}

// setPaused pauses or resumes; resuming a partition with data buffered
// wakes Poll.
func (p *partition) setPaused(paused bool) {
	p.paused = paused
	if !paused && p.buffered {
		p.b.wakePoll()
	}
}

// clearErrs drops the errors not yet reported (Seek).
func (p *partition) clearErrs() { p.errs = nil }

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

// lookupDue reports whether maintenance should look up or validate the
// position now: no lookup in flight, the leader known, no backoff.
func (p *partition) lookupDue(now time.Time) bool {
	return (p.state == posReset || p.state == posValidate) && p.lookup != p.gen && !p.needMeta && p.leader >= 0 &&
		!p.retryAt.After(now)
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

// report queues err for the next Poll and wakes it.
func (p *partition) report(err error) {
	if p.removed {
		return
	}
	if len(p.errs) == 0 {
		p.b.errParts = append(p.b.errParts, p)
	}
	p.errs = append(p.errs, &PartitionError{TopicPartition: p.tp, Offset: p.position, Err: err})
	p.b.wakePoll()
}

// end is the offset lag is measured to: the last stable offset under
// read_committed, else the high watermark.
func (p *partition) end(iso IsolationLevel) int64 {
	if iso == ReadCommitted && p.lso >= 0 {
		return p.lso
	}
	return p.hw
}

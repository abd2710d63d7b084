package rawkafka

import (
	"context"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// groupStats are the timings behind the coordinator metrics (Java's
// consumer-coordinator-metrics), recorded where the coordinator's answers
// arrive (timedCoordinator) and where commits return (sendCommit): a few
// events per rebalance, heartbeat or commit, nothing per record.
type groupStats struct {
	created time.Time

	join, sync, heartbeat, commit windowedStat // seconds per round trip
	rebalance                     windowedStat // seconds from the first JoinGroup to the SyncGroup that completes it
	failed                        windowedStat // a failed JoinGroup or SyncGroup (value unused)
	fetch                         windowedStat // seconds per Fetch round trip (fetch.Config.ObserveLatency), once per request
	consumed                      counterRate  // records-consumed-rate, from the fetch engine's counter

	mu             sync.Mutex
	rebalanceStart time.Time // zero when no rebalance is in progress
	lastRebalance  time.Time // when the last rebalance completed; zero before the first
}

// joinSent marks the start of a rebalance at the first JoinGroup after
// the last completed one, where Java's AbstractCoordinator sets
// lastRebalanceStartMs (initiateJoinGroup, after onJoinPrepare's
// revocation): retried JoinGroups and SyncGroups belong to the same
// rebalance until one succeeds.
func (g *groupStats) joinSent(now time.Time) {
	g.mu.Lock()
	if g.rebalanceStart.IsZero() {
		g.rebalanceStart = now
	}
	g.mu.Unlock()
}

// rebalanceDone records the rebalance completed by a SyncGroup answered
// without error (Java's successfulRebalanceSensor).
func (g *groupStats) rebalanceDone(now time.Time) {
	g.mu.Lock()
	start := g.rebalanceStart
	g.rebalanceStart = time.Time{}
	g.lastRebalance = now
	g.mu.Unlock()
	if start.IsZero() {
		start = now
	}
	g.rebalance.record(now, now.Sub(start).Seconds())
}

// observe records the answer to one coordinator request sent at start.
// As in Java, join-time and sync-time count successful round trips,
// heartbeat-rate every answered Heartbeat, and failed-rebalance-total every
// JoinGroup or SyncGroup that failed (an error code, including the
// MEMBER_ID_REQUIRED of a member's first join, or no answer).
func (g *groupStats) observe(start time.Time, req protocol.Request, resp protocol.Response, err error) {
	now := time.Now()
	d := now.Sub(start).Seconds()
	switch req.(type) {
	case *protocol.JoinGroupRequest:
		r, ok := resp.(*protocol.JoinGroupResponse)
		if err != nil || !ok || r.ErrorCode != 0 {
			g.failed.record(now, 1)
			return
		}
		g.join.record(now, d)
	case *protocol.SyncGroupRequest:
		r, ok := resp.(*protocol.SyncGroupResponse)
		if err != nil || !ok || r.ErrorCode != 0 {
			g.failed.record(now, 1)
			return
		}
		g.sync.record(now, d)
		g.rebalanceDone(now)
	case *protocol.HeartbeatRequest:
		if err == nil {
			g.heartbeat.record(now, d)
		}
	}
}

// timedCoordinator times the group requests on their way to the
// coordinator for groupStats.
type timedCoordinator struct {
	group.Coordinator
	g *groupStats
}

// DoPinned sends req and records its round trip.
func (t timedCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	start := time.Now()
	if _, ok := req.(*protocol.JoinGroupRequest); ok {
		t.g.joinSent(start)
	}
	resp, err := t.Coordinator.DoPinned(ctx, req)
	t.g.observe(start, req, resp, err)
	return resp, err
}

// timedFind wraps the coordinators find returns in a timedCoordinator.
func timedFind(find group.FindFunc, g *groupStats) group.FindFunc {
	return func(ctx context.Context, name string) (group.Coordinator, error) {
		co, err := find(ctx, name)
		if err != nil || co == nil {
			return co, err
		}
		return timedCoordinator{Coordinator: co, g: g}, nil
	}
}

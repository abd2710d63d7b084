package rawkafka

import (
	"math"
	"time"
)

// coordinatorSnapshot is groupStats read at one instant, with the NaNs
// Java reports for an average or maximum without events.
type coordinatorSnapshot struct {
	join, sync, heartbeat, commit, rebalance, failed, fetch windowSnapshot
	lastRebalanceSecondsAgo                                 int64
}

func (g *groupStats) snapshot(now time.Time) coordinatorSnapshot {
	s := coordinatorSnapshot{
		join:      g.join.snapshot(now, g.created),
		sync:      g.sync.snapshot(now, g.created),
		heartbeat: g.heartbeat.snapshot(now, g.created),
		commit:    g.commit.snapshot(now, g.created),
		rebalance: g.rebalance.snapshot(now, g.created),
		failed:    g.failed.snapshot(now, g.created),
		fetch:     g.fetch.snapshot(now, g.created),
	}
	g.mu.Lock()
	last := g.lastRebalance
	g.mu.Unlock()
	s.lastRebalanceSecondsAgo = -1
	if !last.IsZero() {
		s.lastRebalanceSecondsAgo = int64(now.Sub(last) / time.Second)
	}
	return s
}

// seconds is a NaN-or-seconds figure as a Duration, 0 for NaN.
func seconds(v float64) time.Duration {
	if math.IsNaN(v) {
		return 0
	}
	return time.Duration(v * float64(time.Second))
}

// timingMetrics adds the windowed figures to m, whose fetch and group
// counters Metrics has filled.
func (c *Consumer) timingMetrics(m *Metrics) {
	now := time.Now()
	c.fillTimings(m, c.gs.snapshot(now), now)
}

func (c *Consumer) fillTimings(m *Metrics, s coordinatorSnapshot, now time.Time) {
	g := &m.Group
	g.RebalanceLatencyAvg = seconds(s.rebalance.Avg)
	g.RebalanceLatencyMax = seconds(s.rebalance.Max)
	g.RebalanceLatencyTotal = seconds(s.rebalance.Sum)
	g.RebalanceTotal = s.rebalance.Total
	g.FailedRebalanceTotal = s.failed.Total
	g.RebalanceRatePerHour = s.rebalance.Rate * 3600
	g.FailedRebalanceRatePerHour = s.failed.Rate * 3600
	g.LastRebalanceSecondsAgo = s.lastRebalanceSecondsAgo
	g.JoinTimeAvg, g.JoinTimeMax = seconds(s.join.Avg), seconds(s.join.Max)
	g.SyncTimeAvg, g.SyncTimeMax = seconds(s.sync.Avg), seconds(s.sync.Max)
	g.JoinRate, g.JoinTotal = s.join.Rate, s.join.Total
	g.SyncRate, g.SyncTotal = s.sync.Rate, s.sync.Total
	g.HeartbeatRate, g.HeartbeatTotal = s.heartbeat.Rate, s.heartbeat.Total
	g.HeartbeatResponseTimeMax = seconds(s.heartbeat.Max)
	g.CommitLatencyAvg, g.CommitLatencyMax = seconds(s.commit.Avg), seconds(s.commit.Max)
	g.CommitRate = s.commit.Rate
	g.AssignedPartitions = len(m.Partitions)
	m.RecordsLagMax = -1
	for _, p := range m.Partitions {
		m.RecordsLagMax = max(m.RecordsLagMax, p.Lag)
	}
	m.RecordsConsumedRate = c.gs.consumed.rate(now, m.RecordsConsumed, c.gs.created)
	m.FetchLatencyAvg, m.FetchLatencyMax = seconds(s.fetch.Avg), seconds(s.fetch.Max)
	m.FetchRate = s.fetch.Rate
}

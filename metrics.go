package rawkafka

import (
	"time"

	"github.com/rawkafka/rawkafka/fetch"
)

// Metrics is a snapshot of the consumer's counters and partitions: the
// fetch engine's (records and bytes consumed, fetch latency, resets,
// truncations, and every assigned partition's position, high watermark and
// lag, as promoted fields) and the consumer group's.
type Metrics struct {
	fetch.Metrics
	// RecordsLagMax is Java's records-lag-max (consumer-fetch-manager-metrics):
	// the largest Lag of the assigned partitions, -1 when none is known.
	// Java takes the maximum over its sample window; this is the maximum
	// now, the figure a scrape every few seconds samples anyway.
	RecordsLagMax int64
	// RecordsConsumedRate is Java's records-consumed-rate: records handed
	// out by Poll per second over the last 30 to 60 s (read from
	// RecordsConsumed when Metrics is called, so that Poll records nothing
	// more; called less than every 30 s, it is the rate since the previous
	// call that is at least 30 s old, or since New).
	RecordsConsumedRate float64
	// FetchLatencyAvg and FetchLatencyMax are Java's fetch-latency-avg and
	// fetch-latency-max: the round trip of the Fetch requests of the last
	// 30 to 60 s (a long poll counts fully), 0 without one. They hide the
	// fetch engine's figures of the same names, which cover the consumer's
	// lifetime (Metrics.Metrics.FetchLatencyAvg). FetchRate is fetch-rate:
	// Fetch requests per second over the same windows.
	FetchLatencyAvg time.Duration
	FetchLatencyMax time.Duration
	FetchRate       float64
	Group           GroupMetrics
}

// GroupMetrics describes the consumer's work for its group (group.id).
// Commits and the commit latency count with manual assignment too; the
// membership figures stay zero without a subscription (Subscribe,
// SubscribeRegex): manual assignment (Assign) has no membership to
// describe.
//
// The fields named after Java's consumer-coordinator-metrics have their
// meaning. An average, maximum or rate covers the events of the last 30 to
// 60 s, as Java's with its defaults (metrics.num.samples=2 windows of
// metrics.sample.window.ms=30000); an average or maximum with no event in
// that time is 0 here (NaN in Java and in WritePrometheus).
type GroupMetrics struct {
	Commits    int64 // commits the coordinator accepted (automatic, on revocation, at Close, by the user): Java's commit-total
	Generation int32 // the generation of the assignment in force; 0 without one
	Rebalances int64 // assignments received (one per completed rebalance)
	Revoked    int64 // partitions revoked by rebalances, Unsubscribe and Close (with their commit)
	Lost       int64 // partitions lost (the member fell out of the group: no commit)

	// RebalanceLatencyAvg and RebalanceLatencyMax are rebalance-latency-avg
	// and rebalance-latency-max: the time from the first JoinGroup of a
	// rebalance (sent after the eager revocation, as Java's
	// lastRebalanceStartMs) to the SyncGroup answer that completes it,
	// retried joins and syncs included. RebalanceLatencyTotal is
	// rebalance-latency-total, over every rebalance.
	RebalanceLatencyAvg   time.Duration
	RebalanceLatencyMax   time.Duration
	RebalanceLatencyTotal time.Duration
	// RebalanceTotal is rebalance-total: rebalances completed (SyncGroup
	// answered without error). FailedRebalanceTotal is
	// failed-rebalance-total: JoinGroup and SyncGroup requests that failed
	// (an error code or no answer), the MEMBER_ID_REQUIRED answer to a
	// dynamic member's first JoinGroup included, as Java counts it.
	RebalanceTotal       int64
	FailedRebalanceTotal int64
	// RebalanceRatePerHour and FailedRebalanceRatePerHour are
	// rebalance-rate-per-hour and failed-rebalance-rate-per-hour: the
	// rebalances completed, and the JoinGroup and SyncGroup requests
	// failed, per hour, counted over the last 30 to 60 s (Java's
	// Rate(HOURS, WindowedCount)).
	RebalanceRatePerHour       float64
	FailedRebalanceRatePerHour float64
	// LastRebalanceSecondsAgo is last-rebalance-seconds-ago: whole seconds
	// since the last rebalance completed; -1 before the first.
	LastRebalanceSecondsAgo int64
	// JoinTimeAvg, JoinTimeMax, SyncTimeAvg and SyncTimeMax are
	// join-time-avg, join-time-max, sync-time-avg and sync-time-max: the
	// round trips of JoinGroup and SyncGroup requests answered without
	// error (a JoinGroup waits at the coordinator for the other members).
	JoinTimeAvg time.Duration
	JoinTimeMax time.Duration
	SyncTimeAvg time.Duration
	SyncTimeMax time.Duration
	// JoinRate and SyncRate are join-rate and sync-rate, per second;
	// JoinTotal and SyncTotal are join-total and sync-total: the
	// successful JoinGroup and SyncGroup round trips.
	JoinRate  float64
	JoinTotal int64
	SyncRate  float64
	SyncTotal int64
	// HeartbeatRate is heartbeat-rate: Heartbeat requests answered per
	// second; HeartbeatTotal is heartbeat-total; HeartbeatResponseTimeMax
	// is heartbeat-response-time-max.
	HeartbeatRate            float64
	HeartbeatTotal           int64
	HeartbeatResponseTimeMax time.Duration
	// CommitLatencyAvg and CommitLatencyMax are commit-latency-avg and
	// commit-latency-max: the time an accepted OffsetCommit took (retries
	// included), CommitRate is commit-rate, per second.
	CommitLatencyAvg time.Duration
	CommitLatencyMax time.Duration
	CommitRate       float64
	// AssignedPartitions is assigned-partitions: the partitions assigned
	// now (by the group or by Assign).
	AssignedPartitions int
}

// PartitionMetrics describes one assigned partition in Metrics.
type PartitionMetrics = fetch.PartitionMetrics

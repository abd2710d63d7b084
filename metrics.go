package rawkafka

import "github.com/rawkafka/rawkafka/fetch"

// Metrics is a snapshot of the consumer's counters and partitions: the
// fetch engine's (records and bytes consumed, fetch latency, resets,
// truncations, and every assigned partition's position, high watermark and
// lag, as promoted fields) and the consumer group's.
type Metrics struct {
	fetch.Metrics
	Group GroupMetrics
}

// GroupMetrics describes the consumer's work for its group (group.id).
// Commits counts with manual assignment too; the membership figures stay
// zero without a subscription (Subscribe, SubscribeRegex): manual
// assignment (Assign) has no membership to describe.
type GroupMetrics struct {
	Commits    int64 // commits the coordinator accepted (automatic, on revocation, at Close, by the user)
	Generation int32 // the generation of the assignment in force; 0 without one
	Rebalances int64 // assignments received (one per completed rebalance)
	Revoked    int64 // partitions revoked by rebalances, Unsubscribe and Close (with their commit)
	Lost       int64 // partitions lost (the member fell out of the group: no commit)
}

// PartitionMetrics describes one assigned partition in Metrics.
type PartitionMetrics = fetch.PartitionMetrics

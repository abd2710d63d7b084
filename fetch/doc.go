// Package fetch is rawkafka's fetch engine: it keeps the positions of a
// changing set of partitions and fetches their records from the brokers.
//
// Partitions are added and removed while the others keep fetching (Add,
// Remove, Assign), which cooperative rebalancing relies on. Removing
// partitions hands back their positions in the same step, under the
// Fetcher's lock, so that what is committed on revocation covers exactly
// the records Poll handed out. Each broker that leads
// an assigned partition, or that a leader named as the partition's
// preferred read replica (KIP-392, with Config.Rack), gets one fetch loop
// with one Fetch in flight. A partition is fetched again as soon as Poll
// has handed out its previous data, so the next fetch travels while the
// caller handles the last records; a byte budget (Config.BufferMaxBytes)
// bounds what is held in memory, and no fetch is sent while it is used up.
//
// Fetches use incremental fetch sessions (KIP-227) unless disabled: after a
// full fetch opens a session, requests carry only the partitions that
// changed and those to forget; FETCH_SESSION_ID_NOT_FOUND and
// INVALID_FETCH_SESSION_EPOCH start a new session with a full fetch. Fetch
// v13+ names topics by id, from metadata.
//
// Positions follow these rules:
//   - A partition starts at a Start: an offset, earliest, latest, a time, a
//     duration ago, none (an error), the offset a group committed (looked up
//     with Config.Committed), or the reset policy (auto.offset.reset).
//   - Poll hands out each record once and moves the position past it; it
//     skips records below the fetch offset, control records, and under
//     read_committed the batches of aborted transactions (using the
//     response's aborted transactions), moving the position past them too.
//     A partial batch at the end of a response is fetched again.
//   - Positions only move forward, except by Seek, by an offset reset after
//     OFFSET_OUT_OF_RANGE, and by a truncation found after a leader change;
//     resets and truncations are logged and counted in Metrics.
//   - Leader errors (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
//     UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION...) and lost
//     connections refresh metadata; when a partition's leader epoch changes,
//     its position is checked with OffsetForLeaderEpoch before the next fetch
//     (KIP-320). Errors from a preferred read replica send the partition back
//     to its leader, including OFFSET_OUT_OF_RANGE, which is only acted on
//     when the leader says it.
//
// Poll waits for records; TryPoll returns what is ready without waiting,
// with a channel that is closed at the next change Poll could return, so a
// caller can wait for it beside its own events (the rawkafka Consumer waits
// for group events too). Every change Poll can return (data, a partition
// error, a stopped partition) wakes it where it is recorded.
//
// Maintenance (metadata, start positions, committed offsets, validation)
// runs every request as work in flight for the partitions it concerns:
// a slow answer holds up only those.
//
// Records are decoded on the goroutine that calls Poll. Their bytes point
// into fetch responses, or into Poll's own buffer for compressed batches,
// and stay valid until the next Poll.
package fetch

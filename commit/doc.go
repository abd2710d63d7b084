// Package commit reads and writes a consumer group's committed offsets
// through the group's coordinator (OffsetFetch, OffsetCommit), which it
// finds through conn.Cluster's coordinator cache and reaches on the
// coordinator's own connection.
//
// A Committer commits on behalf of a Member: the generation id, member id
// and group.instance.id of the classic protocol, or the member epoch of the
// consumer protocol (KIP-848); the zero Member commits outside any
// generation, as the Java consumer does with manually assigned partitions.
// Errors come in three kinds: coordinator trouble (unknown, moving, loading,
// unreachable) is retried with backoff, the coordinator looked up again
// where it moved; a refusal of the member (stale generation, unknown member,
// rebalance in progress, fenced instance, stale epoch) is a *GroupError
// matching ErrCommitFailed, never retried, for the group layer to act on;
// a refusal of single partitions is a *PartitionErrors.
package commit

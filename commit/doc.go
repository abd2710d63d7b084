// Package commit reads and writes a consumer group's committed offsets
// through the group's coordinator (FindCoordinator, OffsetFetch,
// OffsetCommit). It knows nothing of membership yet: Committed works for any
// group id, and Commit commits outside any generation, as the Java consumer
// does with manually assigned partitions.
package commit

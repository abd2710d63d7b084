// Package commit reads and, in a later step, writes a consumer group's
// committed offsets through the group's coordinator. It knows nothing of
// membership: Committed works for any group id, as the Java consumer's
// committed() and a manually assigned consumer's start positions do.
package commit

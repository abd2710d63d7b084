package fetch

import (
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

// Errors a Fetcher reports, for errors.Is. Kafka error codes are reported as
// the protocol package's values (protocol.ErrOffsetOutOfRange,
// protocol.ErrTopicAuthorizationFailed...).
var (
	// ErrClosed: the Fetcher was closed.
	ErrClosed = errors.New("fetch: closed")
	// ErrNotAssigned: the partition is not assigned to the Fetcher.
	ErrNotAssigned = errors.New("fetch: partition not assigned")
	// ErrNoOffset: the partition has no start position and the reset policy
	// is none. It stays stopped until Seek.
	ErrNoOffset = errors.New("fetch: no offset and the reset policy is none")
	// ErrTruncated: the log was truncated below the position after a
	// leader change (KIP-320).
	ErrTruncated = errors.New("fetch: log truncation detected")
	// ErrNoGroup: the partition starts at StartCommitted but the Fetcher
	// has no Config.Committed (no group.id). It stays stopped until Seek.
	ErrNoGroup = errors.New("fetch: a committed start position needs a consumer group (group.id)")
)

// PartitionError is an error that concerns one partition. Poll reports each
// once; Err tells what happened and whether the partition stopped (see the
// sentinels above).
type PartitionError struct {
	protocol.TopicPartition
	Offset int64 // the position when the error happened
	Err    error
}

// Error describes the PartitionError.
func (e *PartitionError) Error() string {
	return fmt.Sprintf("fetch: %s at offset %d: %v", e.TopicPartition, e.Offset, e.Err)
}

// Unwrap returns Err.
func (e *PartitionError) Unwrap() error { return e.Err }

// TruncationError reports log truncation found by OffsetForLeaderEpoch
// after a leader change (KIP-320): the log of the new leader ends at
// EndOffset for the epoch of the last record consumed, below the position.
// Records from EndOffset up to the old position may have been replaced. When
// Reset is true the position was moved back to EndOffset and fetching went
// on; otherwise (reset policy none) the partition is stopped until Seek.
type TruncationError struct {
	Position  int64 // the position before the truncation was found
	Epoch     int32 // the epoch the position was validated with
	EndOffset int64 // where the new leader's log ends for that epoch
	Reset     bool
}

// Error describes the TruncationError.
func (e *TruncationError) Error() string {
	what := "stopped (reset policy none)"
	if e.Reset {
		what = "position moved back to the divergence point"
	}
	return fmt.Sprintf("fetch: log truncation: position %d of epoch %d is past the leader's end offset %d; %s",
		e.Position, e.Epoch, e.EndOffset, what)
}

// Unwrap returns ErrTruncated.
func (e *TruncationError) Unwrap() error { return ErrTruncated }

package rawkafka

import (
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/fetch"
)

// Errors, for errors.Is. Each also matches the fetch package's error of
// the same name (errors.Is(err, fetch.ErrNoOffset) holds for ErrNoOffset).
// Kafka error codes come as the protocol package's values, e.g.
// protocol.ErrOffsetOutOfRange or protocol.ErrTopicAuthorizationFailed.
var (
	// ErrClosed: the Consumer was closed.
	ErrClosed = &mappedError{"rawkafka: consumer closed", fetch.ErrClosed}
	// ErrNotAssigned: the partition is not assigned to the Consumer.
	ErrNotAssigned = &mappedError{"rawkafka: partition not assigned", fetch.ErrNotAssigned}
	// ErrNoOffset: the partition has no start position and
	// auto.offset.reset is none. It stays stopped until Seek.
	ErrNoOffset = &mappedError{"rawkafka: no offset and auto.offset.reset is none", fetch.ErrNoOffset}
	// ErrTruncated: the log was truncated below the position after a
	// leader change (KIP-320); see TruncationError.
	ErrTruncated = &mappedError{"rawkafka: log truncation detected", fetch.ErrTruncated}
	// ErrNoGroup: the call needs a consumer group and Config.GroupID
	// (group.id) is not set: Committed, Commit, CommitConsumed, and Assign
	// or a partition's start with the Committed position.
	ErrNoGroup = &mappedError{"rawkafka: no consumer group (group.id is not set)", fetch.ErrNoGroup}
)

// mappedError is a root error value that stands for one of package
// fetch's, so that errors.Is finds either.
type mappedError struct {
	msg   string
	fetch error
}

// Error returns the message.
func (e *mappedError) Error() string { return e.msg }

// Is reports whether target is the fetch error e stands for.
func (e *mappedError) Is(target error) bool { return target == e.fetch }

var mapped = []*mappedError{ErrClosed, ErrNotAssigned, ErrNoOffset, ErrTruncated, ErrNoGroup}

// PartitionError is an error that concerns one partition, reported once by
// Poll (Fetches.Errors) or returned by a method given the partition. Err
// tells what happened and whether the partition stopped (ErrNoOffset,
// a *TruncationError, a Kafka error code...).
type PartitionError struct {
	TopicPartition
	Offset int64 // the position when the error happened; -1 when none
	Err    error
}

// Error describes the PartitionError.
func (e *PartitionError) Error() string {
	return fmt.Sprintf("rawkafka: %s at offset %d: %v", e.TopicPartition, e.Offset, e.Err)
}

// Unwrap returns Err.
func (e *PartitionError) Unwrap() error { return e.Err }

// rootErr turns an error of package fetch into what the root API returns:
// fetch's sentinels become the root's, a *fetch.PartitionError a
// *PartitionError, and joined errors are turned one by one.
func rootErr(err error) error {
	if err == nil {
		return nil
	}
	for _, m := range mapped {
		if err == m.fetch {
			return m
		}
	}
	if pe, ok := err.(*fetch.PartitionError); ok {
		return &PartitionError{TopicPartition: pe.TopicPartition, Offset: pe.Offset, Err: rootErr(pe.Err)}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = rootErr(e)
		}
		return errors.Join(out...)
	}
	return err
}

// rootErrs turns the errors of a Poll in place.
func rootErrs(errs []error) {
	for i, e := range errs {
		errs[i] = rootErr(e)
	}
}

package rawkafka

import (
	"errors"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// TopicPartition names a partition.
type TopicPartition = protocol.TopicPartition

// Record is one record returned by Poll. Its Key, Value and Headers are
// valid until the next Poll (see the package documentation).
type Record = fetch.Record

// Header is a record header; a nil Value is null.
type Header = record.Header

// Fetches is what one Poll returns: records grouped by partition, and the
// errors of partitions. It is valid until the next Poll.
type Fetches = fetch.Fetches

// PartitionRecords is the records of one partition in a Fetches.
type PartitionRecords = fetch.PartitionRecords

// TruncationError reports log truncation found after a leader change
// (KIP-320).
type TruncationError = fetch.TruncationError

// IsolationLevel is isolation.level.
type IsolationLevel = fetch.IsolationLevel

// The isolation levels.
const (
	ReadUncommitted = fetch.ReadUncommitted
	ReadCommitted   = fetch.ReadCommitted
)

// StartPosition is where a partition begins reading: At an offset,
// Earliest, Latest, AtTime, ByDuration, Committed (the group's committed
// offset), None (an error until Seek), or Default, which applies
// auto.offset.reset.
type StartPosition = fetch.Start

// The start positions that need no argument.
var (
	Default  = fetch.StartDefault
	Earliest = fetch.StartEarliest
	Latest   = fetch.StartLatest
	None     = fetch.StartNone
	// Committed starts at the offset Config.GroupID (group.id) committed,
	// checked against the log with the leader epoch committed with it
	// (KIP-320); where the group committed nothing, auto.offset.reset
	// applies. Assign refuses it without a group id.
	Committed = fetch.StartCommitted
)

// At starts at an offset.
func At(offset int64) StartPosition { return fetch.StartAt(offset) }

// AtEpoch starts at an offset that follows a record of the given leader
// epoch (as a committed offset records it): the position is checked against
// the leader's log before the first fetch, and truncation is reported
// (KIP-320). A negative epoch is At.
func AtEpoch(offset int64, epoch int32) StartPosition { return fetch.StartAtEpoch(offset, epoch) }

// AtTime starts at the first record whose timestamp is at or after t, or
// at the end when there is none.
func AtTime(t time.Time) StartPosition { return fetch.StartAtTime(t) }

// ByDuration starts at the first record at or after d ago.
func ByDuration(d time.Duration) StartPosition { return fetch.StartByDuration(d) }

// ParseStartPosition parses earliest, latest, none, committed,
// by_duration:PnDTnHnMnS, timestamp:<unix ms> or an offset.
func ParseStartPosition(s string) (StartPosition, error) {
	st, err := fetch.ParseStart(s)
	if err != nil {
		return st, errors.New("rawkafka: " + strings.TrimPrefix(err.Error(), "fetch: "))
	}
	return st, nil
}

package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Defaults, named after the Java consumer's settings.
const (
	DefaultMinBytes          = 1                          // fetch.min.bytes
	DefaultMaxBytes          = 52428800                   // fetch.max.bytes
	DefaultPartitionMaxBytes = 1048576                    // max.partition.fetch.bytes
	DefaultMaxWait           = 500 * time.Millisecond     // fetch.max.wait.ms
	DefaultMaxRecords        = 500                        // max.poll.records
	DefaultRequestTimeout    = conn.DefaultRequestTimeout // request.timeout.ms
	DefaultRetryBackoff      = 100 * time.Millisecond     // retry.backoff.ms
	DefaultRetryBackoffMax   = 1000 * time.Millisecond    // retry.backoff.max.ms
	DefaultMetadataMaxAge    = 5 * time.Minute            // metadata.max.age.ms
	// DefaultBufferMaxBytes bounds the record data held in memory: fetched
	// and not yet polled, or handed to the user by the last Poll. It has no
	// Java equivalent (the Java client buffers up to fetch.max.bytes per
	// broker).
	DefaultBufferMaxBytes = 100 << 20
)

// IsolationLevel is isolation.level: which records of transactional
// producers a fetch returns.
type IsolationLevel int8

const (
	// ReadUncommitted returns every data record, aborted transactions
	// included (control records never reach the user).
	ReadUncommitted IsolationLevel = 0
	// ReadCommitted returns records up to the last stable offset and drops
	// those of aborted transactions.
	ReadCommitted IsolationLevel = 1
)

// String returns the IsolationLevel in readable form, for logs and errors.
func (l IsolationLevel) String() string {
	if l == ReadCommitted {
		return "read_committed"
	}
	return "read_uncommitted"
}

// ParseIsolationLevel parses the Java names read_uncommitted and
// read_committed (any case).
func ParseIsolationLevel(s string) (IsolationLevel, error) {
	switch strings.ToLower(s) {
	case "read_uncommitted":
		return ReadUncommitted, nil
	case "read_committed":
		return ReadCommitted, nil
	}
	return 0, fmt.Errorf("fetch: isolation level %q: want read_uncommitted or read_committed", s)
}

// Config configures a Fetcher. Zero values take the defaults above, except
// MinBytes and MaxWait, for which zero is a setting the Java consumer allows
// (fetch.min.bytes=0, fetch.max.wait.ms=0: the broker answers at once): the
// caller sets them, from its resolved configuration (DefaultMinBytes and
// DefaultMaxWait are the Java defaults).
type Config struct {
	MinBytes          int32          // fetch.min.bytes; 0 is sent as 0
	MaxBytes          int32          // fetch.max.bytes
	PartitionMaxBytes int32          // max.partition.fetch.bytes
	MaxWait           time.Duration  // fetch.max.wait.ms; 0 is sent as 0
	IsolationLevel    IsolationLevel // isolation.level
	// Reset is auto.offset.reset: where a partition assigned with
	// StartDefault begins, and where a partition goes after
	// OFFSET_OUT_OF_RANGE or an undefined epoch end. StartDefault here means
	// StartLatest. It cannot be an offset or a fixed timestamp.
	Reset Start
	// Rack is client.rack: when set, brokers may name a preferred read
	// replica in the same rack (KIP-392) and fetches go there.
	Rack string
	// SkipCRC turns off CRC checks of fetched batches (check.crcs=false).
	SkipCRC bool
	// DisableSessions sends every fetch as a full, sessionless fetch
	// instead of using incremental fetch sessions (KIP-227).
	DisableSessions bool
	// BufferMaxBytes bounds the fetched record bytes held in memory; no
	// fetch is sent while it is used up (backpressure), and a fetch asks for
	// at most what is left.
	BufferMaxBytes int64
	// RequestTimeout bounds each request, on top of MaxWait for fetches.
	RequestTimeout time.Duration
	// RetryBackoff and RetryBackoffMax bound the wait before retrying after
	// an error; it doubles with consecutive failures.
	RetryBackoff    time.Duration
	RetryBackoffMax time.Duration
	// MetadataMaxAge is how often leaders are checked against fresh
	// metadata, and how long a preferred read replica is used before the
	// leader is asked again (metadata.max.age.ms).
	MetadataMaxAge time.Duration
	// MaxDecompressed bounds what one batch may decompress to; 0 is the
	// record package's default.
	MaxDecompressed int
	// Committed looks up the offsets a consumer group committed, for
	// partitions that start at StartCommitted; nil (no group) makes such a
	// partition fail with ErrNoGroup. See CommittedFunc.
	Committed CommittedFunc
	// ObserveLatency, when set, is given the round trip of every Fetch
	// request that was sent (answered or not), on the fetch loop's
	// goroutine: once per request, never per record. The Consumer keeps
	// Java's windowed fetch-latency-avg/-max with it; Metrics'
	// FetchLatencyAvg and FetchLatencyMax cover the Fetcher's lifetime.
	ObserveLatency func(time.Duration)
	// Logger receives fetch events with the keys topic, partition and
	// broker; nil discards.
	Logger *slog.Logger
}

// CommittedFunc returns what a consumer group committed for partitions:
// every partition asked for is in the map. An error means no answer at
// all; the lookup is tried again after a backoff, and the error is reported
// to Poll unless it is retriable.
type CommittedFunc func(ctx context.Context, partitions []protocol.TopicPartition) (map[protocol.TopicPartition]protocol.CommittedOffset, error)

// withDefaults returns c with zero values replaced by the defaults, or an
// error naming the first invalid setting.
func (c Config) withDefaults() (Config, error) {
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.PartitionMaxBytes == 0 {
		c.PartitionMaxBytes = DefaultPartitionMaxBytes
	}
	if c.BufferMaxBytes == 0 {
		c.BufferMaxBytes = DefaultBufferMaxBytes
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.RetryBackoffMax == 0 {
		c.RetryBackoffMax = DefaultRetryBackoffMax
	}
	c.RetryBackoffMax = max(c.RetryBackoffMax, c.RetryBackoff)
	if c.MetadataMaxAge == 0 {
		c.MetadataMaxAge = DefaultMetadataMaxAge
	}
	if c.Reset.kind == startDefault {
		c.Reset = StartLatest
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.MinBytes < 0:
		return c, fmt.Errorf("fetch: MinBytes (fetch.min.bytes) %d is negative", c.MinBytes)
	case c.MaxBytes < 0:
		return c, fmt.Errorf("fetch: MaxBytes (fetch.max.bytes) %d is negative", c.MaxBytes)
	case c.PartitionMaxBytes < 0:
		return c, fmt.Errorf("fetch: PartitionMaxBytes (max.partition.fetch.bytes) %d is negative", c.PartitionMaxBytes)
	case c.MaxWait < 0 || c.MaxWait > time.Duration(1<<31-1)*time.Millisecond:
		return c, fmt.Errorf("fetch: MaxWait (fetch.max.wait.ms) %v is out of range", c.MaxWait)
	case c.BufferMaxBytes < 0:
		return c, fmt.Errorf("fetch: BufferMaxBytes %d is negative", c.BufferMaxBytes)
	case c.RequestTimeout < 0 || c.RetryBackoff < 0 || c.MetadataMaxAge < 0:
		return c, fmt.Errorf("fetch: negative timeout or backoff")
	case c.IsolationLevel != ReadUncommitted && c.IsolationLevel != ReadCommitted:
		return c, fmt.Errorf("fetch: IsolationLevel %d is neither read_uncommitted nor read_committed", c.IsolationLevel)
	}
	switch c.Reset.kind {
	case startEarliest, startLatest, startDuration, startNone:
	default:
		return c, fmt.Errorf("fetch: Reset (auto.offset.reset) %s: want earliest, latest, none or by_duration", c.Reset)
	}
	return c, nil
}

// backoff returns the wait after n consecutive failures (n >= 1).
func (c *Config) backoff(n int) time.Duration {
	d := c.RetryBackoff
	for i := 1; i < n && d < c.RetryBackoffMax; i++ {
		d *= 2
	}
	return min(d, c.RetryBackoffMax)
}

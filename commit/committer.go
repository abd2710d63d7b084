package commit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Defaults of Config, named after the Java client's settings.
const (
	DefaultRetryBackoff    = 100 * time.Millisecond  // retry.backoff.ms
	DefaultRetryBackoffMax = 1000 * time.Millisecond // retry.backoff.max.ms
)

// The highest versions rawkafka sends: OffsetCommit v10 and OffsetFetch v10
// name topics by id, and these requests name them.
const (
	MaxOffsetCommitVersion int16 = 9
	MaxOffsetFetchVersion  int16 = 9
)

// Config configures a Committer. The zero value takes the defaults.
type Config struct {
	// RetryBackoff and RetryBackoffMax bound the wait between attempts while
	// the coordinator is unknown, moving or loading: it doubles with each
	// attempt, with ±20% jitter (retry.backoff.ms, retry.backoff.max.ms).
	RetryBackoff    time.Duration
	RetryBackoffMax time.Duration
	// MaxOffsetCommitVersion and MaxOffsetFetchVersion cap the versions sent
	// below the broker's highest (0 means the package's maxima); tests lower
	// them to reach the older layouts on a real broker.
	MaxOffsetCommitVersion int16
	MaxOffsetFetchVersion  int16
	// Logger receives retries and failed commits with the keys group,
	// member_id, generation and coordinator; nil discards.
	Logger *slog.Logger
}

// Member is who commits: the identity the coordinator checks an
// OffsetCommit against. The zero value commits outside any generation
// (generation -1, no member id), as the Java consumer does with manually
// assigned partitions; the coordinator accepts that only while the group has
// no members.
type Member struct {
	// MemberID is the id the coordinator gave the member (classic protocol)
	// or the member chose (consumer protocol); "" outside any generation,
	// and then GenerationID is ignored and -1 is sent.
	MemberID string
	// GenerationID is the generation the member joined (classic protocol)
	// or, with ConsumerProtocol, its member epoch: both travel in the same
	// OffsetCommit field.
	GenerationID int32
	// InstanceID is group.instance.id for a static member (KIP-345,
	// OffsetCommit v7+); nil for a dynamic one.
	InstanceID *string
	// ConsumerProtocol says the group runs the consumer protocol (KIP-848,
	// group.protocol=consumer): GenerationID is a member epoch and
	// OffsetFetch v9+ names the member too, as that coordinator expects.
	ConsumerProtocol bool
}

// generation is the generation id or member epoch sent, -1 outside any.
func (m Member) generation() int32 {
	if m.MemberID == "" {
		return -1
	}
	return m.GenerationID
}

// ErrCommitFailed is what every *GroupError matches with errors.Is: the
// commit failed because the member's place in the group is not what it
// claimed (the Java client's CommitFailedException and
// RebalanceInProgressException). Retrying with the same identity cannot
// succeed; the group layer rejoins or resets its member first.
var ErrCommitFailed = errors.New("commit: the commit failed: the member's generation is not the group's")

// GroupError is a commit (or, in the consumer protocol, an offset fetch)
// the coordinator refused for the member as a whole: ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID or
// STALE_MEMBER_EPOCH. Nothing of the request was committed. It matches
// ErrCommitFailed and the Kafka error (protocol.ErrIllegalGeneration...)
// with errors.Is.
type GroupError struct {
	Group  string
	Member Member
	Err    error // the Kafka error
}

// Error describes the GroupError.
func (e *GroupError) Error() string {
	return fmt.Sprintf("commit: group %q refused member %q (generation %d): %v", e.Group, e.Member.MemberID, e.Member.generation(), e.Err)
}

// Unwrap returns ErrCommitFailed and the Kafka error.
func (e *GroupError) Unwrap() []error { return []error{ErrCommitFailed, e.Err} }

// groupError reports whether a Kafka error concerns the member's identity
// rather than a partition or the coordinator.
func groupError(err error) bool {
	return errors.Is(err, protocol.ErrIllegalGeneration) || errors.Is(err, protocol.ErrUnknownMemberId) ||
		errors.Is(err, protocol.ErrRebalanceInProgress) || errors.Is(err, protocol.ErrFencedInstanceId) ||
		errors.Is(err, protocol.ErrStaleMemberEpoch)
}

// Committer commits and reads one group's offsets through the group's
// coordinator, which it finds through the cluster's coordinator cache
// (conn.Cluster.Coordinator) and reaches on the coordinator's own
// connection. It is safe for concurrent use and holds no state between
// calls but its configuration.
type Committer struct {
	cl    *conn.Cluster
	group string
	cfg   Config
	log   *slog.Logger
}

// New returns a Committer for group, which must not be empty.
func New(cl *conn.Cluster, group string, cfg Config) (*Committer, error) {
	if group == "" {
		return nil, errors.New("commit: offsets need a group id (group.id)")
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.RetryBackoffMax <= 0 {
		cfg.RetryBackoffMax = DefaultRetryBackoffMax
	}
	cfg.RetryBackoffMax = max(cfg.RetryBackoffMax, cfg.RetryBackoff)
	if cfg.MaxOffsetCommitVersion <= 0 {
		cfg.MaxOffsetCommitVersion = MaxOffsetCommitVersion
	}
	if cfg.MaxOffsetFetchVersion <= 0 {
		cfg.MaxOffsetFetchVersion = MaxOffsetFetchVersion
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Committer{cl: cl, group: group, cfg: cfg, log: log.With("group", group)}, nil
}

// Group returns the group id the Committer commits for.
func (c *Committer) Group() string { return c.group }

// backoff returns the wait before attempt n+1 (n from 0).
func (c *Committer) backoff(n int) time.Duration {
	d := c.cfg.RetryBackoff
	for i := 0; i < n && d < c.cfg.RetryBackoffMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.RetryBackoffMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// retry runs once until it succeeds, fails with an error that is not
// retriable, or ctx ends (then the error wraps ctx's and the last retriable
// one), waiting between attempts with exponential backoff.
func (c *Committer) retry(ctx context.Context, what string, once func() error) error {
	var last error // the last retriable error, reported with the deadline
	for attempt := 0; ; attempt++ {
		err := once()
		if err != nil && ctx.Err() != nil && last != nil && (retriable(err) || errors.Is(err, ctx.Err())) {
			// The deadline cut the retries short; an answer that ends them
			// anyway (a *GroupError, a refused partition) is kept as it is.
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), last)
		}
		if err == nil || !retriable(err) {
			return err
		}
		last = err
		wait := c.backoff(attempt)
		c.log.Debug(what+" failed; retrying", "err", err, "attempt", attempt+1, "backoff", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), last)
		case <-t.C:
		}
	}
}

// retriable reports whether err means the coordinator is unknown, moving,
// loading or unreachable, or (OffsetFetch) offsets are pending: asking
// again, after finding the coordinator again where needed, may work.
func retriable(err error) bool {
	var ce *conn.Error
	return errors.Is(err, protocol.ErrCoordinatorNotAvailable) || errors.Is(err, protocol.ErrNotCoordinator) ||
		errors.Is(err, protocol.ErrCoordinatorLoadInProgress) || errors.Is(err, protocol.ErrRequestTimedOut) ||
		errors.Is(err, protocol.ErrUnstableOffsetCommit) || errors.As(err, &ce)
}

// coordinatorError reports whether a partition's error concerns the
// coordinator rather than the partition: the whole request is sent again.
func coordinatorError(err error) bool {
	return errors.Is(err, protocol.ErrCoordinatorNotAvailable) || errors.Is(err, protocol.ErrNotCoordinator) ||
		errors.Is(err, protocol.ErrCoordinatorLoadInProgress) || errors.Is(err, protocol.ErrRequestTimedOut)
}

// failed tells the coordinator cache about an error from cn: NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, a dead connection, and (as the Java client
// does for commits) REQUEST_TIMED_OUT forget the coordinator.
func (c *Committer) failed(cn *conn.Conn, err error) {
	if !c.cl.CoordinatorFailed(c.group, cn, err) && errors.Is(err, protocol.ErrRequestTimedOut) {
		c.cl.InvalidateCoordinator(c.group, cn)
	}
}

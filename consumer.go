package rawkafka

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
	"github.com/rawkafka/rawkafka/group"
)

// Consumer reads records from Kafka partitions. Its methods are safe for
// concurrent use; Poll calls are serialised.
type Consumer struct {
	cfg Config
	log *slog.Logger
	cl  *conn.Cluster
	f   *fetch.Fetcher

	auto      *autoCommit       // nil without a group or with enable.auto.commit=false
	committer *commit.Committer // nil without a group

	// events carries work for the user's goroutine: Poll runs each event
	// posted (post), before looking at fetched data again: CommitAsync's
	// callbacks. The group's rebalances come from the driver instead
	// (groupActions), also run inside Poll.
	evMu    sync.Mutex
	evQueue []func()
	evSig   chan struct{} // signaled when evQueue gets work
	pollMu  sync.Mutex    // one Poll at a time; held while rebalance actions run
	unsubMu sync.Mutex    // one Unsubscribe or Close at a time
	polled  atomic.Int64  // when Poll was last called, in unix ns (max.poll.interval.ms counts from it)

	// sub is the running subscription, nil without one. It is set and
	// cleared under mu; read without a lock.
	sub atomic.Pointer[subscription]

	mu         sync.Mutex
	closed     bool
	closeCh    chan struct{} // closed when Close starts: wakes Poll
	manual     bool          // partitions assigned with Assign; guarded by mu
	commitTail chan struct{} // the commit queue's last ticket; guarded by mu
	finished   atomic.Bool   // Close is done: commits fail with ErrClosed
	commits    atomic.Int64  // commits the coordinator accepted

	// testFind and testAssign, when set, replace the group driver's
	// coordinator lookup and leader assignment (unit tests with a scripted
	// coordinator).
	testFind   group.FindFunc
	testAssign group.AssignFunc

	generation atomic.Int32 // the group metrics
	rebalances atomic.Int64
	revokedN   atomic.Int64
	lostN      atomic.Int64
	gs         groupStats // the coordinator metrics' timings (metrics_group.go)
	hist       history    // the last rebalances' timelines (rebalance.go)
}

// New returns a Consumer. It checks the configuration but connects to no
// broker until partitions are assigned.
func New(cfg Config) (*Consumer, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cc, err := cfg.clusterConfig(log) // validates cfg as a whole
	if err != nil {
		return nil, err
	}
	cl, err := conn.NewCluster(cc)
	if err != nil {
		return nil, err
	}
	c := &Consumer{cfg: cfg, log: log, cl: cl, evSig: make(chan struct{}, 1), closeCh: make(chan struct{})}
	c.gs.created = time.Now()
	fc := cfg.fetchConfig(log)
	fc.ObserveLatency = func(d time.Duration) { c.gs.fetch.record(time.Now(), d.Seconds()) }
	if cfg.GroupID != "" {
		// A group member reads committed offsets with require_stable, as
		// the Java client does, so that an offset a transaction is still
		// committing is waited for (KIP-447); manual assignment only under
		// read_committed, as before.
		fc.Committed = func(ctx context.Context, tps []TopicPartition) (map[TopicPartition]CommittedOffset, error) {
			stable := cfg.IsolationLevel == ReadCommitted || c.sub.Load() != nil
			return commit.Committed(ctx, cl, cfg.GroupID, tps, stable)
		}
		c.committer, err = commit.New(cl, cfg.GroupID, commit.Config{
			RetryBackoff: cfg.RetryBackoff, RetryBackoffMax: cfg.RetryBackoffMax, Logger: log})
		if err != nil {
			cl.Close()
			return nil, err
		}
	}
	f, err := fetch.New(cl, fc)
	if err != nil {
		cl.Close()
		return nil, err
	}
	c.f = f
	if cfg.GroupID != "" && !cfg.DisableAutoCommit {
		c.auto = &autoCommit{interval: cfg.AutoCommitInterval, last: time.Now()}
	}
	return c, nil
}

// Close commits the consumed positions under auto-commit (waiting at most
// 5 s), stops fetching, closes the fetch sessions the brokers hold for this
// consumer (waiting at most 5 s for each answer) and closes every
// connection. Poll and Records return ErrClosed afterwards; a Poll running
// on another goroutine returns ErrClosed at once.
//
// Under a subscription it first ends the membership, as the Java client
// does: the commit of the consumed positions (auto-commit) is made in the
// member's generation, OnRevoked is called for the owned partitions (on
// Close's goroutine), then a dynamic member sends LeaveGroup (unless
// internal.leave.group.on.close=false), so that the group rebalances at
// once; a static member (group.instance.id) does not leave (see
// CloseLeave) and gets its partitions back if it returns within
// session.timeout.ms. All of this waits at most 5 s (or request.timeout.ms
// if shorter) for a coordinator that does not answer. CommitAsync
// callbacks still due run inside Close.
func (c *Consumer) Close() error { return c.close(leaveDefault) }

func (c *Consumer) close(mode leaveMode) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.closeCh)
	c.mu.Unlock()
	if c.sub.Load() != nil {
		c.unsubscribe(mode)
	} else {
		c.closeAutoCommit()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.closeTimeout())
	c.waitCommits(ctx) // CommitAsync in flight
	cancel()
	c.f.Close()
	c.finished.Store(true)
	err := c.cl.Close()
	if c.pollMu.TryLock() { // not when Close was called inside Poll (a listener)
		c.runEvents() // CommitAsync callbacks
		c.pollMu.Unlock()
	}
	return err
}

// Assign sets the partitions to read, each from its start position (the
// manual assignment of the Java client's assign()). Partitions no longer
// listed stop; partitions that stay keep their position and pause state
// (use Seek to move them); the others keep fetching throughout. The change
// is one step in the fetch engine, which alone keeps the assignment: a Poll
// running meanwhile returns records of a removed partition only if it
// returns before Assign does. Manual assignment commits nothing on the
// change; an auto-commit in flight may still commit a removed partition's
// position from before it.
//
// Assign and Subscribe exclude each other: Assign fails with
// ErrAssignAndSubscribe while a subscription runs; Assign with no
// partitions ends a manual assignment, so that Subscribe may follow.
func (c *Consumer) Assign(partitions map[TopicPartition]StartPosition) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if c.sub.Load() != nil {
		return ErrAssignAndSubscribe
	}
	for tp, s := range partitions {
		if tp.Topic == "" || tp.Partition < 0 {
			return errors.New("rawkafka: assign: empty topic or negative partition")
		}
		if off, ok := s.Offset(); ok && off < 0 {
			return &PartitionError{TopicPartition: tp, Offset: off, Err: errors.New("rawkafka: negative start offset")}
		}
		if s == Committed && c.cfg.GroupID == "" {
			return &PartitionError{TopicPartition: tp, Offset: -1, Err: ErrNoGroup}
		}
	}
	c.f.Assign(partitions)
	c.manual = len(partitions) > 0
	return nil
}

// Assignment returns the assigned partitions, sorted.
func (c *Consumer) Assignment() []TopicPartition { return c.f.Assigned() }

// Poll returns the records fetched since the last Poll (at most
// max.poll.records), grouped by partition, and the errors of partitions. It
// waits until there is at least one record or partition error, or until ctx
// ends, when it returns an empty Fetches and ctx's error. With a group.id
// and enable.auto.commit (the default then, as in the Java client), it
// first commits, in the background, the positions past the records of
// earlier Polls when auto.commit.interval.ms has passed.
//
// The Fetches and the records in it are valid until the next Poll: copy
// what must live longer. Returning records moves the positions past them.
// Calls are serialised; the consumer's own events (a group's rebalance and
// its listener callbacks, CommitAsync's callbacks) run inside Poll, on its
// caller's goroutine.
//
// Under a subscription, Poll also tells the group that the application is
// alive (max.poll.interval.ms counts from the last Poll) and performs the
// rebalances: the commit before a revocation (auto-commit), OnRevoked,
// OnLost, the new assignment and OnAssigned, in the order the group
// decided them. It returns the group's fatal error (ErrGroupFailed:
// another instance uses the same group.instance.id, not authorized...),
// then and on every later call; and, once, ErrPollIntervalExceeded when
// the member fell out of its group because Poll was not called in time
// (it rejoins meanwhile: keep polling). Fetching continues through a
// rebalance only for partitions still assigned, and with the eager
// protocol none are: between OnRevoked and OnAssigned Poll returns no
// records. Poll may outlast ctx while it commits before a revocation (by
// at most request.timeout.ms), so that the commit is not cut short.
func (c *Consumer) Poll(ctx context.Context) (*Fetches, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	c.polled.Store(time.Now().UnixNano())
	if s := c.sub.Load(); s != nil && s.started.Load() && !c.isClosed() {
		s.driver.Send(group.Poll{})
	}
	for first := true; ; first = false {
		if c.isClosed() {
			return &Fetches{}, ErrClosed
		}
		s := c.sub.Load()
		var ready <-chan struct{}
		if s != nil {
			ready = s.driver.Ready()
			// The commit before a revocation must not be cut short by a
			// short Poll: it is bounded by request.timeout.ms instead.
			if err := c.groupActions(context.WithoutCancel(ctx), s); err != nil {
				return &Fetches{}, err
			}
		}
		if first {
			// After the rebalance actions, so that an auto-commit never
			// carries a generation this Poll has just given up.
			c.maybeAutoCommit()
		}
		c.runEvents()
		fs, wait, err := c.f.TryPoll(c.cfg.MaxPollRecords)
		if err != nil {
			return &Fetches{}, rootErr(err)
		}
		if wait == nil {
			rootErrs(fs.Errors)
			return fs, nil
		}
		select {
		case <-wait:
		case <-c.evSig:
		case <-ready:
		case <-c.closeCh:
		case <-ctx.Done():
			return &Fetches{}, ctx.Err()
		}
	}
}

// post queues f to run on the goroutine that calls Poll (or Close).
func (c *Consumer) post(f func()) {
	c.evMu.Lock()
	c.evQueue = append(c.evQueue, f)
	c.evMu.Unlock()
	select {
	case c.evSig <- struct{}{}:
	default:
	}
}

// runEvents runs the events already posted, without waiting. The caller
// holds pollMu.
func (c *Consumer) runEvents() {
	for {
		c.evMu.Lock()
		q := c.evQueue
		c.evQueue = nil
		c.evMu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, ev := range q {
			ev()
		}
	}
}

// lastPoll returns when Poll was last called; the zero time before the
// first. A group member that has not polled within max.poll.interval.ms
// leaves its group.
func (c *Consumer) lastPoll() time.Time {
	ns := c.polled.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Records returns an iterator over the records of the assigned partitions,
// polling as it goes. It yields (record, nil) for each record, (nil, err)
// for each partition error (the iteration goes on after it), and finally
// (nil, err) once when ctx ends or the consumer closes.
//
// A record's Key, Value and Headers are valid only until the loop body
// returns: the iterator may poll again for the next record.
func (c *Consumer) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			fs, err := c.Poll(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, e := range fs.Errors {
				if !yield(nil, e) {
					return
				}
			}
			for r := range fs.Records() {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// Position returns the offset of the next record Poll will return for tp,
// waiting while its start position is looked up, unless ctx ends first.
func (c *Consumer) Position(ctx context.Context, tp TopicPartition) (int64, error) {
	pos, err := c.f.Position(ctx, tp)
	return pos, rootErr(err)
}

// Seek moves tp to a new start position: the next record Poll returns for
// it is the one there. Records of tp fetched but not yet returned are
// dropped. A partition stopped by an error starts again.
func (c *Consumer) Seek(tp TopicPartition, to StartPosition) error {
	return rootErr(c.f.Seek(tp, to))
}

// Pause stops fetching and returning records of the partitions until
// Resume. Records already fetched are kept for after Resume.
func (c *Consumer) Pause(tps ...TopicPartition) error { return rootErr(c.f.Pause(tps...)) }

// Resume undoes Pause.
func (c *Consumer) Resume(tps ...TopicPartition) error { return rootErr(c.f.Resume(tps...)) }

// Paused returns the paused partitions, sorted.
func (c *Consumer) Paused() []TopicPartition { return c.f.Paused() }

// Metrics returns a snapshot of the counters (records and bytes consumed,
// fetch latency, resets, truncations) and of every assigned partition
// (position, high watermark, lag).
func (c *Consumer) Metrics() Metrics {
	m := Metrics{Metrics: c.f.Metrics()}
	m.Group.Commits = c.commits.Load()
	m.Group.Generation = c.generation.Load()
	m.Group.Rebalances = c.rebalances.Load()
	m.Group.Revoked = c.revokedN.Load()
	m.Group.Lost = c.lostN.Load()
	c.timingMetrics(&m)
	return m
}

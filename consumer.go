package rawkafka

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/fetch"
)

// Consumer reads records from Kafka partitions. Its methods are safe for
// concurrent use; Poll calls are serialised.
type Consumer struct {
	cfg Config
	log *slog.Logger
	cl  *conn.Cluster
	f   *fetch.Fetcher

	auto *autoCommit // nil without a group or with enable.auto.commit=false

	// events carries work for the user's goroutine: Poll runs each event
	// it receives, before looking at fetched data again. Consumer groups
	// (package group) post rebalances to run and listener callbacks
	// (OnAssigned, OnRevoked, OnLost) here, so that they run inside Poll.
	events chan func()
	pollMu sync.Mutex   // one Poll at a time
	polled atomic.Int64 // when Poll was last called, in unix ns (max.poll.interval.ms counts from it)

	mu      sync.Mutex
	closed  bool
	commit  commitSlot   // guarded by mu
	commits atomic.Int64 // commits the coordinator accepted
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
	fc := cfg.fetchConfig(log)
	if cfg.GroupID != "" {
		fc.Committed = committedFunc(cl, cfg.GroupID, cfg.IsolationLevel == ReadCommitted)
	}
	f, err := fetch.New(cl, fc)
	if err != nil {
		cl.Close()
		return nil, err
	}
	c := &Consumer{cfg: cfg, log: log, cl: cl, f: f, events: make(chan func(), 16)}
	if cfg.GroupID != "" && !cfg.DisableAutoCommit {
		c.auto = &autoCommit{interval: cfg.AutoCommitInterval, last: time.Now()}
	}
	return c, nil
}

// Close commits the consumed positions under auto-commit (waiting at most
// 5 s), stops fetching, closes the fetch sessions the brokers hold for this
// consumer (waiting at most 5 s for each answer) and closes every
// connection. Poll and Records return ErrClosed afterwards.
func (c *Consumer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.closeAutoCommit()
	c.f.Close()
	return c.cl.Close()
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
func (c *Consumer) Assign(partitions map[TopicPartition]StartPosition) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
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
// its listener callbacks) run inside Poll, on its caller's goroutine.
func (c *Consumer) Poll(ctx context.Context) (*Fetches, error) {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	c.polled.Store(time.Now().UnixNano())
	c.maybeAutoCommit()
	for {
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
		case ev := <-c.events:
			ev()
		case <-ctx.Done():
			return &Fetches{}, ctx.Err()
		}
	}
}

// runEvents runs the events already posted, without waiting.
func (c *Consumer) runEvents() {
	for {
		select {
		case ev := <-c.events:
			ev()
		default:
			return
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
	return m
}

package fetch

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Fetcher fetches records of a changing set of partitions. See the package
// documentation. Its methods are safe for concurrent use, except that Poll
// calls are serialised.
type Fetcher struct {
	cl  *conn.Cluster
	cfg Config
	log *slog.Logger

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	parts     map[protocol.TopicPartition]*partition
	b         *board            // indexes of parts, and Poll's wake-up
	queue     []*completedFetch // fetched, not yet fully polled, in arrival order
	draining  *completedFetch   // the completed fetch Poll is decoding outside mu
	buffered  int64             // bytes in queue plus handedOut
	handedOut int64             // bytes of fetches drained by the last Poll, released at the next
	reserved  int64             // MaxBytes of fetches in flight
	loops     map[int32]*brokerLoop
	maintWake chan struct{}
	fetchSeq  uint64
	metaAsked time.Time     // when a partition last asked for fresh metadata
	watches   []*fetchWatch // FetchedAfter's open watches (stall.go)
	ms        maintState

	pollMu  sync.Mutex // one Poll at a time
	out     output     // Poll's reusable record storage
	visited map[*partition]bool

	m metrics
}

// New returns a Fetcher that reaches brokers through cl. It fetches nothing
// until partitions are added. Close stops it; cl stays open.
func New(cl *conn.Cluster, cfg Config) (*Fetcher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fetcher{
		cl:        cl,
		cfg:       cfg,
		log:       cfg.Logger,
		ctx:       ctx,
		cancel:    cancel,
		parts:     make(map[protocol.TopicPartition]*partition),
		b:         newBoard(),
		loops:     make(map[int32]*brokerLoop),
		maintWake: make(chan struct{}, 1),
	}
	f.wg.Add(1)
	go f.maintain()
	return f, nil
}

// Close stops every fetch loop and waits for them; each loop first closes
// its broker's fetch session (waiting at most 5 s, or RequestTimeout if
// shorter, for the answer). Poll and Position return ErrClosed afterwards.
func (f *Fetcher) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.cancel()
	f.b.wakePoll()
	f.b.wakeState()
	f.notify()
	f.mu.Unlock()
	f.wg.Wait()
	return nil
}

// Add starts fetching partitions from the given start positions; the others
// keep fetching. A partition already assigned keeps its position (use Seek
// to move it). A new partition is looked up by maintenance and fetched by
// its leader's loop from then on; nothing of it was handed out before.
func (f *Fetcher) Add(starts map[protocol.TopicPartition]Start) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add(starts)
	f.notify()
}

// Remove stops fetching partitions and hands back, for those whose position
// is known and valid, the position past the last record Poll handed out:
// what committing them on revocation stores. Removal and the positions are
// one step under the Fetcher's lock, so a concurrent Poll either returned
// a partition's records before (they are below its position) or returns
// none of them; no record of a removed partition is handed out after
// Remove returns. Buffered data is dropped, fetches in flight are ignored
// when they return, and sessions forget the partitions with the next
// request. The other partitions keep fetching.
//
// After Remove returns, for the removed partitions: a fetch loop may
// still have a Fetch in flight (its answer is dropped), maintenance may
// still await a lookup (its answer is dropped), and a Poll in progress
// drops their records before it returns. Nothing here commits: the caller
// commits the positions it got back.
func (f *Fetcher) Remove(tps ...protocol.TopicPartition) map[protocol.TopicPartition]protocol.OffsetEpoch {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[protocol.TopicPartition]protocol.OffsetEpoch, len(tps))
	for _, tp := range tps {
		f.remove(tp, out)
	}
	f.notify()
	return out
}

// Assign makes starts the assigned partitions in one step: the partitions
// not in it are removed, and their positions handed back as Remove does;
// those not yet assigned are added; those that stay keep their position
// and pause state.
func (f *Fetcher) Assign(starts map[protocol.TopicPartition]Start) map[protocol.TopicPartition]protocol.OffsetEpoch {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[protocol.TopicPartition]protocol.OffsetEpoch{}
	for tp := range f.parts {
		if _, keep := starts[tp]; !keep {
			f.remove(tp, out)
		}
	}
	f.add(starts)
	f.notify()
	return out
}

// add adds the partitions not yet assigned. Called with mu held.
func (f *Fetcher) add(starts map[protocol.TopicPartition]Start) {
	for tp, s := range starts {
		if _, ok := f.parts[tp]; ok {
			continue
		}
		if s.kind == startDefault {
			s = f.cfg.Reset
		}
		f.parts[tp] = newPartition(f.b, tp, s)
		f.log.Debug("partition added", "topic", tp.Topic, "partition", tp.Partition, "start", s.String())
	}
}

// remove removes tp, adding its position to out when it is known and
// valid. Called with mu held.
func (f *Fetcher) remove(tp protocol.TopicPartition, out map[protocol.TopicPartition]protocol.OffsetEpoch) {
	p, ok := f.parts[tp]
	if !ok {
		return
	}
	if oe, ok := p.consumed(); ok {
		out[tp] = oe
	}
	delete(f.parts, tp)
	f.dropBuffered(p)
	p.drop()
	f.log.Debug("partition removed", "topic", tp.Topic, "partition", tp.Partition)
}

// Assigned returns the assigned partitions, sorted.
func (f *Fetcher) Assigned() []protocol.TopicPartition {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]protocol.TopicPartition, 0, len(f.parts))
	for tp := range f.parts {
		out = append(out, tp)
	}
	slices.SortFunc(out, protocol.TopicPartition.Compare)
	return out
}

// Pause stops fetching and returning records of the partitions until
// Resume; data already buffered for them is kept for after Resume.
func (f *Fetcher) Pause(tps ...protocol.TopicPartition) error {
	return f.setPaused(tps, true)
}

// Resume undoes Pause.
func (f *Fetcher) Resume(tps ...protocol.TopicPartition) error {
	return f.setPaused(tps, false)
}

func (f *Fetcher) setPaused(tps []protocol.TopicPartition, paused bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, tp := range tps {
		p, ok := f.parts[tp]
		if !ok {
			errs = append(errs, &PartitionError{TopicPartition: tp, Offset: -1, Err: ErrNotAssigned})
			continue
		}
		p.setPaused(paused)
	}
	f.notify()
	return errors.Join(errs...)
}

// Paused returns the paused partitions, sorted.
func (f *Fetcher) Paused() []protocol.TopicPartition {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []protocol.TopicPartition
	for tp, p := range f.parts {
		if p.paused {
			out = append(out, tp)
		}
	}
	slices.SortFunc(out, protocol.TopicPartition.Compare)
	return out
}

// Seek moves a partition to start: the next record Poll returns for it is
// the one at the new position. Buffered data of the partition is dropped. A
// partition stopped by an error fetches again.
func (f *Fetcher) Seek(tp protocol.TopicPartition, start Start) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.parts[tp]
	if !ok {
		return &PartitionError{TopicPartition: tp, Offset: -1, Err: ErrNotAssigned}
	}
	if start.kind == startDefault {
		start = f.cfg.Reset
	}
	if off, ok := start.Offset(); ok && off < 0 {
		return &PartitionError{TopicPartition: tp, Offset: off, Err: errors.New("fetch: negative offset")}
	}
	f.dropBuffered(p)
	p.setStart(start)
	p.clearErrs()
	f.log.Info("seek", "topic", tp.Topic, "partition", tp.Partition, "start", start.String())
	f.notify()
	return nil
}

// Position returns the offset of the next record Poll will return for tp,
// waiting until it is known (a start position being looked up) unless ctx
// ends first. A partition stopped by an error returns that error.
func (f *Fetcher) Position(ctx context.Context, tp protocol.TopicPartition) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if f.closed {
			return -1, ErrClosed
		}
		p, ok := f.parts[tp]
		if !ok {
			return -1, &PartitionError{TopicPartition: tp, Offset: -1, Err: ErrNotAssigned}
		}
		switch p.state {
		case posReady, posValidate:
			return p.position, nil
		case posFailed:
			return p.position, &PartitionError{TopicPartition: tp, Offset: p.position, Err: p.stopErr}
		}
		ch := f.b.stateWait() // every state change wakes it, where it is made
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			f.mu.Lock()
			return -1, ctx.Err()
		}
		f.mu.Lock()
	}
}

// Consumed returns the positions of the assigned partitions whose position
// is known and valid (not being looked up or validated after a leader
// change), as the Java consumer commits them: what committing the records
// Poll has handed out stores.
func (f *Fetcher) Consumed() map[protocol.TopicPartition]protocol.OffsetEpoch {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[protocol.TopicPartition]protocol.OffsetEpoch, len(f.parts))
	for tp, p := range f.parts {
		if oe, ok := p.consumed(); ok {
			out[tp] = oe
		}
	}
	return out
}

// dropBuffered removes the partition's queued data and releases its bytes;
// data Poll is decoding right now is dropped when Poll sees the new gen.
func (f *Fetcher) dropBuffered(p *partition) {
	f.queue = slices.DeleteFunc(f.queue, func(cf *completedFetch) bool {
		if cf.p == p && cf != f.draining {
			f.buffered -= cf.size
			cf.release()
			return true
		}
		return false
	})
	p.buffered = false
	p.inflight = 0
}

// notify wakes the fetch loops and maintenance (Poll and Position have
// their own wake-ups, made where the change is recorded: board.wakePoll and
// board.wakeState), and starts loops for brokers that gained partitions.
// Called with mu held.
func (f *Fetcher) notify() {
	if !f.closed {
		for id := range f.b.byBroker {
			if f.loops[id] == nil {
				l := newBrokerLoop(f, id)
				f.loops[id] = l
				f.wg.Add(1)
				go l.run()
			}
		}
	}
	for _, l := range f.loops {
		l.poke()
	}
	select {
	case f.maintWake <- struct{}{}:
	default:
	}
}

// sleep waits d unless the Fetcher closes first; false means it closed.
func (f *Fetcher) sleep(d time.Duration) bool {
	if d <= 0 {
		return f.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-f.ctx.Done():
		return false
	}
}

package fetch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestNoOffsetWakesWaitingPoll: a partition assigned with StartNone stops
// with ErrNoOffset, and a Poll already waiting sees the error at once. The
// stop used to wake nobody unless the same maintenance round sent a
// request, so a waiting Poll slept until its context ended.
func TestNoOffsetWakesWaitingPoll(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	f := newTestFetcher(t, fc, Config{})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	for i := range 40 {
		type result struct {
			fs  *Fetches
			err error
		}
		done := make(chan result, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		go func() {
			fs, err := f.Poll(ctx, 0) // waits: nothing is assigned yet
			done <- result{fs, err}
		}()
		if i%2 == 1 {
			time.Sleep(time.Millisecond) // varies the interleaving; either order must pass
		}
		f.Assign(map[protocol.TopicPartition]Start{tp: StartNone})
		r := <-done
		cancel()
		if r.err != nil || !errors.Is(r.fs.Err(), ErrNoOffset) {
			t.Fatalf("round %d: poll: %v, errors %v; want ErrNoOffset at once", i, r.err, r.fs.Err())
		}
		f.Assign(nil)
	}
}

// TestTryPollWakeUp: TryPoll with nothing ready returns a channel that the
// next fetched data closes, and nil when it returns something.
func TestTryPollWakeUp(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	f := newTestFetcher(t, fc, Config{})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	fs, wait, err := f.TryPoll(0)
	if err != nil || !fs.Empty() || wait == nil {
		t.Fatalf("TryPoll with nothing assigned: %v, %+v, wait %v", err, fs, wait)
	}
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	select {
	case <-wait:
	case <-time.After(10 * time.Second):
		t.Fatalf("not woken by fetched data\n%s", f.state())
	}
	fs, wait, err = f.TryPoll(0)
	if err != nil || fs.NumRecords() != 3 || wait != nil {
		t.Fatalf("TryPoll after the wake-up: %v, %d records, wait %v", err, fs.NumRecords(), wait)
	}
	_, wait, _ = f.TryPoll(0)
	f.Close()
	select {
	case <-wait:
	case <-time.After(10 * time.Second):
		t.Fatal("not woken by Close")
	}
	if _, _, err := f.TryPoll(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("TryPoll after Close: %v", err)
	}
}

// TestRemoveHandsBackPositions removes and re-adds partitions, each time
// at the position Remove handed back (as commit-on-revoke and a later
// assignment do), while another goroutine polls without pause. Every
// record of each partition must arrive exactly once and in order: a
// record handed out at or past the position Remove returned would arrive
// twice, one below it that was never handed out would be missing. After
// the last Remove nothing of the partition arrives.
//
// Who runs meanwhile: the polling goroutine (Poll decodes outside the
// Fetcher's lock, so Remove can land between its decoding and its
// return), the fetch loops (responses for a removed partition arrive
// later and are dropped by gen) and maintenance.
func TestRemoveHandsBackPositions(t *testing.T) {
	fc := newFakeCluster(t, 2)
	const parts, total = 4, 1500
	fc.addTopic("t", parts)
	var tps []protocol.TopicPartition
	for p := range int32(parts) {
		for i := 0; i < total; i += 10 {
			fc.appendBatch("t", p, -1, recs("v", i, 10)...)
		}
		tps = append(tps, protocol.TopicPartition{Topic: "t", Partition: p})
	}
	f := newTestFetcher(t, fc, Config{PartitionMaxBytes: 700}) // a few batches per fetch

	// Each record is logged with the number of the Poll call that returned
	// it; each Remove with the number of Poll calls begun before it
	// returned. A record below the position a Remove handed back must come
	// from a Poll begun before that Remove returned.
	type logged struct {
		offset int64
		poll   int64
	}
	type removal struct {
		pos, polls int64
	}
	var started atomic.Int64
	var mu sync.Mutex
	log := map[protocol.TopicPartition][]logged{}
	removals := map[protocol.TopicPartition][]removal{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			n := started.Add(1)
			fs, err := f.Poll(ctx, 25) // several partitions per Poll, some cut short
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("poll: %v", err)
				return
			}
			mu.Lock()
			for r := range fs.Records() {
				tp := protocol.TopicPartition{Topic: r.Topic, Partition: r.Partition}
				log[tp] = append(log[tp], logged{r.Offset, n})
			}
			mu.Unlock()
		}
	}()

	next := map[protocol.TopicPartition]int64{}
	starts := map[protocol.TopicPartition]Start{}
	for _, tp := range tps {
		starts[tp] = StartAt(0)
	}
	f.Add(starts)
	behind := func() bool {
		for _, tp := range tps {
			if next[tp] < total {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for round := 0; behind(); round++ {
		if time.Now().After(deadline) {
			t.Fatalf("no progress: positions %v\n%s", next, f.state())
		}
		tp := tps[round%parts]
		if round%4 == 0 {
			time.Sleep(time.Millisecond) // varies the interleaving; any order must pass
		}
		got := f.Remove(tp)
		polls := started.Load()
		pos, ok := got[tp]
		if !ok || pos.Offset < next[tp] {
			t.Fatalf("round %d: Remove(%s) = %v, had %d", round, tp, got, next[tp])
		}
		next[tp] = pos.Offset
		mu.Lock()
		removals[tp] = append(removals[tp], removal{pos.Offset, polls})
		mu.Unlock()
		f.Add(map[protocol.TopicPartition]Start{tp: StartAt(pos.Offset)})
	}
	f.checkBoard(t)
	final := f.Remove(tps...)
	f.checkBoard(t)
	// Polls go on: nothing more may arrive (an absence: a late record would
	// only escape this check, never fail it wrongly).
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, tp := range tps {
		offs := log[tp]
		if final[tp].Offset != total || int64(len(offs)) != total {
			t.Fatalf("%s: final position %v, %d records; want %d", tp, final[tp], len(offs), total)
		}
		for i, o := range offs {
			if o.offset != int64(i) {
				t.Fatalf("%s: record %d has offset %d (duplicate or gap): %v", tp, i, o.offset, offs[max(i-5, 0):min(i+5, len(offs))])
			}
			for _, r := range removals[tp] {
				if o.offset < r.pos && o.poll > r.polls {
					t.Fatalf("%s: record %d came from Poll %d, begun after the Remove that handed back %d returned (%d Polls begun)",
						tp, o.offset, o.poll, r.pos, r.polls)
				}
			}
		}
	}
}

// TestAssignReplacesAtomically: Assign removes what it does not list,
// handing back positions, keeps what stays, and adds the rest.
func TestAssignReplacesAtomically(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 3)
	for p := range int32(3) {
		fc.appendBatch("t", p, -1, recs("v", 0, 4)...)
	}
	f := newTestFetcher(t, fc, Config{})
	p0, p1, p2 := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}, protocol.TopicPartition{Topic: "t", Partition: 2}
	if got := f.Assign(map[protocol.TopicPartition]Start{p0: StartEarliest, p1: StartAt(2)}); len(got) != 0 {
		t.Fatalf("first Assign handed back %v", got)
	}
	rs, _ := pollUntil(t, f, 6, 0)
	by := split(rs)
	checkSeq(t, by[p0], p0, 0, "v")
	checkSeq(t, by[p1], p1, 2, "v")
	got := f.Assign(map[protocol.TopicPartition]Start{p1: StartEarliest, p2: StartAt(1)})
	if len(got) != 1 || got[p0].Offset != 4 {
		t.Fatalf("Assign handed back %v; want %s at 4", got, p0)
	}
	rs, _ = pollUntil(t, f, 3, 0)
	checkSeq(t, rs, p2, 1, "v") // p1 kept its position (4): nothing new
	if a := f.Assigned(); len(a) != 2 || a[0] != p1 || a[1] != p2 {
		t.Fatalf("assigned %v", a)
	}
}

// TestZeroMinBytesAndMaxWaitSent: zero means zero (fetch.min.bytes=0,
// fetch.max.wait.ms=0), not the default.
func TestZeroMinBytesAndMaxWaitSent(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	fc.appendBatch("t", 0, -1, recs("v", 0, 1)...)
	f := newExactFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	pollUntil(t, f, 1, 0)
	for _, ff := range fc.fetchLog() {
		if ff.req.MinBytes != 0 || ff.req.MaxWaitMs != 0 {
			t.Fatalf("fetch sent min bytes %d, max wait %d ms; want 0 and 0", ff.req.MinBytes, ff.req.MaxWaitMs)
		}
	}
}

// TestPositionWokenByStop: Position waiting for a start position returns
// the partition's error as soon as it stops (StartNone), and Remove wakes
// it too.
func TestPositionWokenByStop(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	f := newTestFetcher(t, fc, Config{})
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f.Assign(map[protocol.TopicPartition]Start{tp: StartNone})
		_, err := f.Position(ctx, tp)
		cancel()
		if !errors.Is(err, ErrNoOffset) {
			t.Fatalf("round %d: Position: %v; want ErrNoOffset at once", i, err)
		}
		f.Assign(nil)
	}
	// A lookup that never answers: only Remove ends the wait.
	fc.onListOffsets = func(int32, *protocol.ListOffsetsRequest) *protocol.ListOffsetsResponse {
		fc.mu.Unlock()
		time.Sleep(time.Second) // the scripted broker plays a lookup that hangs
		fc.mu.Lock()
		return nil
	}
	f.Add(map[protocol.TopicPartition]Start{tp: StartEarliest})
	go func() {
		// Remove while the lookup hangs, or before it starts: either way it
		// must end Position's wait.
		time.Sleep(50 * time.Millisecond)
		f.Remove(tp)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.Position(ctx, tp); !errors.Is(err, ErrNotAssigned) {
		t.Fatalf("Position across Remove: %v; want ErrNotAssigned", err)
	}
}

// TestMaintenanceDoesNotSpin: with nothing assigned, and with a partition
// and periodic refreshes, the maintenance loop sleeps until it has work
// instead of going round without pause.
func TestMaintenanceDoesNotSpin(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 1)
	f := newTestFetcher(t, fc, Config{MetadataMaxAge: 20 * time.Millisecond})
	rounds := func() int64 {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.ms.rounds
	}
	check := func(what string) {
		t.Helper()
		before := rounds()
		// A window to count rounds in: a slower machine counts fewer, so
		// only a spinning loop (millions) can exceed the bound.
		time.Sleep(300 * time.Millisecond)
		if n := rounds() - before; n > 100 { // ~15 periodic checks; a spinning loop makes millions
			t.Fatalf("%s: %d maintenance rounds in 300 ms", what, n)
		}
	}
	check("nothing assigned")
	f.Add(map[protocol.TopicPartition]Start{{Topic: "t", Partition: 0}: StartEarliest})
	waitFor(t, "a position", func() bool {
		return f.Metrics().Partitions[protocol.TopicPartition{Topic: "t", Partition: 0}].State == "ready"
	})
	check("one partition, refreshes answered")
}

package fetch

import (
	"context"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestFetchedTimes: First, Last and MaxGap from responses at given times;
// taking the gaps restarts MaxGap, never First or Last.
func TestFetchedTimes(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	f := &Fetcher{parts: map[protocol.TopicPartition]*partition{}, b: newBoard()}
	tp := protocol.TopicPartition{Topic: "t", Partition: 0}
	p := newPartition(f.b, tp, StartAt(0))
	f.parts[tp] = p
	other := protocol.TopicPartition{Topic: "t", Partition: 9}

	if got := f.FetchTimes([]protocol.TopicPartition{tp, other}, false); len(got) != 1 || got[tp] != (FetchTimes{}) {
		t.Fatalf("before any response: %+v", got)
	}
	for _, at := range []int{100, 150, 400, 450} { // gaps 50, 250, 50
		p.fetched(ms(at))
	}
	got := f.FetchTimes([]protocol.TopicPartition{tp}, true)[tp]
	if want := (FetchTimes{First: ms(100), Last: ms(450), MaxGap: 250 * time.Millisecond}); got != want {
		t.Fatalf("after four responses: %+v, want %+v", got, want)
	}
	p.fetched(ms(480))
	got = f.FetchTimes([]protocol.TopicPartition{tp}, false)[tp]
	if want := (FetchTimes{First: ms(100), Last: ms(480), MaxGap: 30 * time.Millisecond}); got != want {
		t.Fatalf("after the take and one more: %+v, want %+v", got, want)
	}
}

// TestFetchedAfterWatch: a watch closes once every partition has a
// response after since, not before; one for a partition not assigned never
// does, and stopping it drops it.
func TestFetchedAfterWatch(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	f := &Fetcher{parts: map[protocol.TopicPartition]*partition{}, b: newBoard()}
	a, b := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
	pa, pb := newPartition(f.b, a, StartAt(0)), newPartition(f.b, b, StartAt(0))
	f.parts[a], f.parts[b] = pa, pb
	pa.fetched(ms(50)) // before since: does not count

	done, stop := f.FetchedAfter([]protocol.TopicPartition{a, b}, ms(100))
	defer stop()
	never, stopNever := f.FetchedAfter([]protocol.TopicPartition{{Topic: "gone", Partition: 0}}, ms(100))
	isClosed := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	pa.fetched(ms(120))
	f.mu.Lock()
	f.checkWatches()
	f.mu.Unlock()
	if isClosed(done) {
		t.Fatal("closed with b not fetched yet")
	}
	pb.fetched(ms(130))
	f.mu.Lock()
	f.checkWatches()
	n := len(f.watches)
	f.mu.Unlock()
	if !isClosed(done) {
		t.Fatal("not closed after both were fetched")
	}
	if n != 1 || isClosed(never) {
		t.Fatalf("watches left %d (want the one of a partition not assigned), closed %v", n, isClosed(never))
	}
	stopNever()
	f.mu.Lock()
	n = len(f.watches)
	f.mu.Unlock()
	if n != 0 {
		t.Fatalf("watches left after stop: %d", n)
	}
	// A watch already met when it starts is closed at once.
	met, stopMet := f.FetchedAfter([]protocol.TopicPartition{a}, ms(100))
	defer stopMet()
	if !isClosed(met) {
		t.Fatal("a watch already met is not closed")
	}
}

// TestFetchedAfterFetching: through the fetch loop, against the fake
// broker, a caught-up partition's empty responses count as fetches.
func TestFetchedAfterFetching(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	tps := []protocol.TopicPartition{{Topic: "t", Partition: 0}, {Topic: "t", Partition: 1}}
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	f := newTestFetcher(t, fc, Config{})
	since := time.Now()
	f.Add(map[protocol.TopicPartition]Start{tps[0]: StartEarliest, tps[1]: StartEarliest})
	done, stop := f.FetchedAfter(tps, since)
	defer stop()
	pollUntil(t, f, 3, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("no fetch of both partitions: %+v", f.FetchTimes(tps, false))
	}
	for tp, ft := range f.FetchTimes(tps, false) {
		if ft.First.Before(since) || ft.Last.Before(ft.First) {
			t.Errorf("%s: %+v (since %v)", tp, ft, since)
		}
	}
}

// TestFetchedIdleInSession: a partition added to an established fetch
// session with nothing to read is left out of the incremental responses
// (KIP-227, as the fake broker and Kafka 4.4 do): it was fetched all the
// same, and its fetch times say so.
func TestFetchedIdleInSession(t *testing.T) {
	fc := newFakeCluster(t, 1)
	fc.addTopic("t", 2)
	busy, idle := protocol.TopicPartition{Topic: "t", Partition: 0}, protocol.TopicPartition{Topic: "t", Partition: 1}
	fc.appendBatch("t", 0, -1, recs("v", 0, 3)...)
	f := newTestFetcher(t, fc, Config{})
	f.Add(map[protocol.TopicPartition]Start{busy: StartEarliest})
	pollUntil(t, f, 3, 0)
	since := time.Now()
	f.Add(map[protocol.TopicPartition]Start{idle: StartEarliest})
	done, stop := f.FetchedAfter([]protocol.TopicPartition{idle}, since)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("the idle partition never counted as fetched: %+v", f.FetchTimes([]protocol.TopicPartition{idle}, false))
	}
	if ft := f.FetchTimes([]protocol.TopicPartition{idle}, false)[idle]; ft.First.Before(since) {
		t.Errorf("fetch times %+v, before %v", ft, since)
	}
}

package rawkafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/fetch"
)

// newOfflineConsumer returns a Consumer whose bootstrap address answers
// nothing: enough for everything that needs no broker.
func newOfflineConsumer(t *testing.T, group string) *Consumer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.BootstrapServers, cfg.GroupID = []string{"127.0.0.1:1"}, group
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestErrorsMatchBothPackages(t *testing.T) {
	for _, tc := range []struct{ root, fetch error }{
		{ErrClosed, fetch.ErrClosed}, {ErrNotAssigned, fetch.ErrNotAssigned}, {ErrNoOffset, fetch.ErrNoOffset},
		{ErrTruncated, fetch.ErrTruncated}, {ErrNoGroup, fetch.ErrNoGroup},
	} {
		got := rootErr(&fetch.PartitionError{TopicPartition: TopicPartition{Topic: "t", Partition: 1}, Offset: 5, Err: tc.fetch})
		var pe *PartitionError
		if !errors.As(got, &pe) || !errors.Is(got, tc.root) || !errors.Is(got, tc.fetch) || pe.Offset != 5 {
			t.Errorf("%v: mapped to %#v", tc.fetch, got)
		}
		if msg := got.Error(); msg[:9] != "rawkafka:" {
			t.Errorf("%v: message %q", tc.fetch, msg)
		}
		if rootErr(tc.fetch) != tc.root || !errors.Is(tc.root, tc.fetch) {
			t.Errorf("%v: sentinel not mapped", tc.fetch)
		}
	}
	joined := rootErr(errors.Join(&fetch.PartitionError{Err: fetch.ErrNotAssigned}, errors.New("other")))
	if !errors.Is(joined, ErrNotAssigned) {
		t.Errorf("joined: %v", joined)
	}
	if rootErr(nil) != nil {
		t.Error("nil mapped to non-nil")
	}
}

func TestRootMethodsReturnRootErrors(t *testing.T) {
	c := newOfflineConsumer(t, "")
	tp := TopicPartition{Topic: "t", Partition: 0}
	var pe *PartitionError
	if err := c.Seek(tp, Earliest); !errors.As(err, &pe) || !errors.Is(err, ErrNotAssigned) {
		t.Errorf("Seek: %v", err)
	}
	if err := c.Pause(tp); !errors.Is(err, ErrNotAssigned) || err.Error()[:9] != "rawkafka:" {
		t.Errorf("Pause: %v", err)
	}
	if _, err := c.Position(context.Background(), tp); !errors.Is(err, ErrNotAssigned) {
		t.Errorf("Position: %v", err)
	}
	ctx := context.Background()
	for name, err := range map[string]error{
		"Assign(Committed)": c.Assign(map[TopicPartition]StartPosition{tp: Committed}),
		"Commit":            c.Commit(ctx, nil),
		"CommitConsumed":    c.CommitConsumed(ctx),
	} {
		if !errors.Is(err, ErrNoGroup) {
			t.Errorf("%s without group.id: %v", name, err)
		}
	}
	if _, err := c.Committed(ctx, tp); !errors.Is(err, ErrNoGroup) {
		t.Errorf("Committed without group.id: %v", err)
	}
	c.Close()
	if _, err := c.Poll(ctx); err != ErrClosed {
		t.Errorf("Poll after Close: %v", err)
	}
}

// TestPollRunsEvents: an event posted while Poll waits runs inside Poll,
// on its goroutine, and Poll goes on waiting; Poll records when it was
// called.
func TestPollRunsEvents(t *testing.T) {
	c := newOfflineConsumer(t, "")
	before := time.Now()
	ran := make(chan bool, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	polling := make(chan struct{})
	go func() {
		<-polling
		c.post(func() {
			// Poll holds pollMu while events run: they are inside Poll.
			ran <- !c.pollMu.TryLock()
		})
	}()
	close(polling)
	fs, err := c.Poll(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !fs.Empty() {
		t.Fatalf("Poll: %v, %+v", err, fs)
	}
	select {
	case inside := <-ran:
		if !inside {
			t.Fatal("the event ran outside Poll")
		}
	default:
		t.Fatal("the event did not run")
	}
	if last := c.lastPoll(); last.Before(before) || last.After(time.Now()) {
		t.Fatalf("lastPoll %v, Poll called after %v", last, before)
	}
}

// TestCommitsSerialised: a synchronous commit waits for the commit in
// flight (an auto-commit) before it takes its offsets, so the earlier one
// cannot land after it.
func TestCommitsSerialised(t *testing.T) {
	c := newOfflineConsumer(t, "g")
	c.mu.Lock()
	release := c.holdCommit() // an auto-commit in flight
	c.mu.Unlock()
	taken := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.commitSync(context.Background(), func() map[TopicPartition]CommittedOffset {
			close(taken)
			return nil
		})
	}()
	select {
	case <-taken:
		t.Fatal("the synchronous commit took its offsets while another commit was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	<-taken
	c.maybeAutoCommit() // not due (interval): must leave the slot free
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r, err := c.acquireCommit(ctx)
	if err != nil {
		t.Fatalf("slot not free after the commits: %v", err)
	}
	r()
	c.mu.Lock()
	release = c.holdCommit()
	c.mu.Unlock()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if err := c.commitSync(ctx2, func() map[TopicPartition]CommittedOffset { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("commitSync behind a commit that never ends: %v", err)
	}
	release()
}

func TestStartPositions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want StartPosition
	}{
		{"earliest", Earliest}, {"LATEST", Latest}, {"none", None}, {"committed", Committed}, {"42", At(42)},
		{"by_duration:PT1H", ByDuration(time.Hour)}, {"timestamp:1700000000000", AtTime(time.UnixMilli(1700000000000))},
	} {
		got, err := ParseStartPosition(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseStartPosition(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "-1", "by_duration:1h", "timestamp:x", "earliest!"} {
		if _, err := ParseStartPosition(in); err == nil || err.Error()[:9] != "rawkafka:" {
			t.Errorf("ParseStartPosition(%q): %v; want a rawkafka: error", in, err)
		}
	}
	s := AtEpoch(10, 3)
	if off, ok := s.Offset(); !ok || off != 10 || s.Epoch() != 3 || s.String() != "10@epoch3" {
		t.Errorf("AtEpoch(10, 3) = %v (offset %d %v, epoch %d)", s, off, ok, s.Epoch())
	}
	if AtEpoch(10, -1) != At(10) {
		t.Errorf("AtEpoch with a negative epoch is not At")
	}
}

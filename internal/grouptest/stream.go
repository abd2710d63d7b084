package grouptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Stream produces records with unique ids at a steady rate, in the
// background, with kcat -P (librdkafka, idempotent, acks=all): values
// "<prefix><n>" for n from 0, no key, spread over the topic's partitions by
// librdkafka's partitioner. kcat -P reads its input with fread, which
// waits for a full buffer or the end of input, so one long-lived kcat would
// send everything at the end: the stream runs one kcat per batch instead,
// a batch being the ids due since the last one, at most every
// StreamBatchEvery. Idempotence keeps a retry from writing an id twice;
// Consume tells duplicate deliveries by offset anyway.
type Stream struct {
	t     testing.TB
	topic string
	mu    sync.Mutex
	ids   []string // acknowledged
	done  chan struct{}
	err   error
	// gate is held while a batch is written, and by Pause until Resume.
	gate     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
}

// StreamBatchEvery is the shortest time between two kcat -P runs of a
// Stream.
const StreamBatchEvery = 200 * time.Millisecond

// StartStream starts writing n records to topic, one every interval on
// average, with values prefix+"0", prefix+"1", ... ("id-" when prefix is
// ""). Wait for them with Wait.
func StartStream(t testing.TB, brokers, topic, prefix string, n int, interval time.Duration) *Stream {
	t.Helper()
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		require(t, "kcat not found (run scripts/deps)")
	}
	if prefix == "" {
		prefix = "id-"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	s := &Stream{t: t, topic: topic, done: make(chan struct{}), gate: make(chan struct{}, 1), stop: make(chan struct{})}
	go func() {
		defer close(s.done)
		begin := time.Now()
		for next := 0; next < n; {
			select {
			case s.gate <- struct{}{}:
			case <-s.stop: // paused, then stopped
				return
			case <-ctx.Done():
				s.err = ctx.Err()
				return
			}
			select {
			case <-s.stop:
				<-s.gate
				return
			default:
			}
			due := min(n, int(time.Since(begin)/interval)+1)
			var in bytes.Buffer
			batch := make([]string, 0, due-next)
			for i := next; i < due; i++ {
				id := fmt.Sprintf("%s%d", prefix, i)
				batch = append(batch, id)
				in.WriteString(id + "\n")
			}
			cmd := exec.CommandContext(ctx, kcat, "-P", "-b", brokers, "-t", topic,
				"-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=5")
			cmd.Stdin = &in
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			<-s.gate
			if err == nil && strings.Contains(out.String(), "ERROR") {
				err = errors.New("kcat reported errors")
			}
			if err != nil {
				s.err = fmt.Errorf("kcat -P: %v\n%s", err, out.String())
				return
			}
			s.mu.Lock()
			s.ids = append(s.ids, batch...)
			s.mu.Unlock()
			next = due
			if next < n {
				select {
				case <-ctx.Done():
					s.err = ctx.Err()
					return
				case <-s.stop:
					return
				case <-time.After(max(StreamBatchEvery, time.Until(begin.Add(time.Duration(next)*interval)))):
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// Written returns the ids written and acknowledged so far.
func (s *Stream) Written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// Wait waits until every record is written and acknowledged (each kcat
// exited with status 0 and printed no error) and returns the ids; any
// failure fails the test.
func (s *Stream) Wait() []string {
	s.t.Helper()
	<-s.done
	if s.err != nil {
		s.t.Fatalf("grouptest: stream to %s: %v", s.topic, s.err)
	}
	return s.Written()
}

// Pause waits for the batch in flight to be acknowledged and holds the
// stream until Resume: from its return until Resume, Written is every
// record the topic will get. A batch due meanwhile is written at Resume.
// The tests pause the stream before they stop a kcat member, which loses
// a record it has polled but not printed at SIGTERM (see TestMixedGroup).
func (s *Stream) Pause() { s.gate <- struct{}{} }

// Resume lets a paused stream go on.
func (s *Stream) Resume() { <-s.gate }

// Stop ends the stream after the batch in flight, before n records when
// it has not written them all yet, and returns what Wait returns.
func (s *Stream) Stop() []string {
	s.t.Helper()
	s.stopOnce.Do(func() { close(s.stop) })
	return s.Wait()
}

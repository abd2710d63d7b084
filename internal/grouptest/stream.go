package grouptest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Stream produces records with unique ids at a steady rate, in the
// background, with kcat -P (librdkafka, idempotent, acks=all): values
// "<prefix><n>" for n from 0, no key, spread over the topic's partitions by
// librdkafka's partitioner. Idempotence keeps a retry from writing an id
// twice; Consume tells duplicate deliveries by offset anyway.
type Stream struct {
	t      testing.TB
	topic  string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    bytes.Buffer
	mu     sync.Mutex
	ids    []string
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

// StartStream starts writing n records to topic, one every interval, with
// values prefix+"0", prefix+"1", ... ("id-" when prefix is ""). Wait for
// them with Wait.
func StartStream(t testing.TB, brokers, topic, prefix string, n int, interval time.Duration) *Stream {
	t.Helper()
	if _, err := exec.LookPath("kcat"); err != nil {
		require(t, "kcat not found (run scripts/deps)")
	}
	if prefix == "" {
		prefix = "id-"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	s := &Stream{t: t, topic: topic, done: make(chan struct{}), cancel: cancel}
	s.cmd = exec.CommandContext(ctx, "kcat", "-P", "-b", brokers, "-t", topic,
		"-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=0")
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	stdin, err := s.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.stdin = stdin
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("grouptest: start kcat -P: %v", err)
	}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		var werr error
		for i := 0; i < n && werr == nil; i++ {
			id := fmt.Sprintf("%s%d", prefix, i)
			if _, werr = io.WriteString(stdin, id+"\n"); werr == nil {
				s.mu.Lock()
				s.ids = append(s.ids, id)
				s.mu.Unlock()
			}
			if i < n-1 {
				<-tick.C
			}
		}
		stdin.Close() // kcat flushes, waits for every acknowledgement and exits
		err := s.cmd.Wait()
		if werr != nil && err == nil {
			err = werr
		}
		if err == nil && strings.Contains(s.out.String(), "ERROR") {
			err = fmt.Errorf("kcat reported errors")
		}
		s.err = err
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// Written returns the ids handed to kcat so far.
func (s *Stream) Written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// Wait waits until every record is written and acknowledged (kcat exited
// with status 0 and printed no error) and returns the ids; any failure
// fails the test.
func (s *Stream) Wait() []string {
	s.t.Helper()
	<-s.done
	if s.err != nil {
		s.t.Fatalf("grouptest: stream to %s: %v\n%s", s.topic, s.err, s.out.String())
	}
	return s.Written()
}

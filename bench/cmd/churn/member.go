package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// A member is this binary re-executed with -member NAME: one consumer of
// one client library in its own process, so that it can be killed alone.
// It writes what it sees to stdout as JSON lines (one event each) and
// closes (with LeaveGroup) when the driver writes "close" to its stdin.

// event is one line a member writes. Times are Unix nanoseconds of the
// member's wall clock (the driver's too: one machine).
type event struct {
	T    int64  `json:"t"`
	Kind string `json:"ev"` // start, assigned, revoked, lost, rec, close, closed, error
	// Parts are the partitions an assigned, revoked or lost event names:
	// the ones added or taken away (eager: the whole assignment).
	Parts []int32 `json:"p,omitempty"`
	// Arrivals are, per partition, when a poll returned records of it
	// since the last rec line (one time per poll, not per record).
	Arrivals map[int32][]int64 `json:"arr,omitempty"`
	Err      string            `json:"err,omitempty"`
}

// Event kinds.
const (
	evStart    = "start"    // just before the client is made and subscribes (it joins)
	evAssigned = "assigned" // the client's assigned callback
	evRevoked  = "revoked"  // the client's revoked callback, a valid generation
	evLost     = "lost"     // the client's lost callback
	evRecords  = "rec"      // arrivals since the last rec line
	evClose    = "close"    // just before Close (which leaves the group)
	evClosed   = "closed"   // Close returned
	evError    = "error"    // the consumer failed; the member exits
)

// memberSettings are what every client gets (Java names in the flags).
type memberSettings struct {
	name, client, strategy string
	brokers                []string
	group, topic           string
	session, heartbeat     time.Duration
	maxWait                time.Duration
	debug                  bool
}

// out writes a member's events. Arrivals are gathered and written every
// flushEvery, so a line per record never limits the record rate.
type out struct {
	mu  sync.Mutex
	w   *bufio.Writer
	enc *json.Encoder
	arr map[int32][]int64
}

const flushEvery = 20 * time.Millisecond

func newOut(w io.Writer) *out {
	bw := bufio.NewWriterSize(w, 1<<16)
	o := &out{w: bw, enc: json.NewEncoder(bw), arr: map[int32][]int64{}}
	go func() {
		for range time.Tick(flushEvery) {
			o.flushArrivals()
		}
	}()
	return o
}

// note writes an event at once (the arrivals before it first, so that
// the driver reads them in order).
func (o *out) note(kind string, parts []int32, err error) {
	at := time.Now().UnixNano()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writeArrivalsLocked()
	e := event{T: at, Kind: kind, Parts: parts}
	if parts == nil && (kind == evAssigned || kind == evRevoked || kind == evLost) {
		e.Parts = []int32{}
	}
	if err != nil {
		e.Err = err.Error()
	}
	o.enc.Encode(e)
	o.w.Flush()
}

// arrived notes that a poll returned records of partition p at t.
func (o *out) arrived(p int32, t time.Time) {
	o.mu.Lock()
	o.arr[p] = append(o.arr[p], t.UnixNano())
	o.mu.Unlock()
}

func (o *out) flushArrivals() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writeArrivalsLocked()
	o.w.Flush()
}

func (o *out) writeArrivalsLocked() {
	if len(o.arr) == 0 {
		return
	}
	o.enc.Encode(event{T: time.Now().UnixNano(), Kind: evRecords, Arrivals: o.arr})
	o.arr = map[int32][]int64{}
}

// members are the client libraries a member can run: each consumes until
// closing is closed, then writes evClose, closes its consumer (leaving
// the group) and returns.
var members = map[string]func(s memberSettings, o *out, closing <-chan struct{}) error{}

func runMember(s memberSettings) error {
	run, ok := members[s.client]
	if !ok {
		return fmt.Errorf("member %s: unknown client %q (have rawkafka, franz, librdkafka)", s.name, s.client)
	}
	o := newOut(os.Stdout)
	closing := make(chan struct{})
	go func() {
		// "close" or the end of stdin (the driver went away) ends the member.
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() && sc.Text() != "close" {
		}
		close(closing)
	}()
	if err := run(s, o, closing); err != nil {
		o.note(evError, nil, err)
		return err
	}
	o.note(evClosed, nil, nil)
	return nil
}

func int32s[T any](ps []T, part func(T) int32) []int32 {
	out := make([]int32, 0, len(ps))
	for _, p := range ps {
		out = append(out, part(p))
	}
	return out
}

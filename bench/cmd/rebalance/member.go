package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka"
)

// member is one Consumer and its poll loop, with the times of what it saw.
type member struct {
	name string
	c    *rawkafka.Consumer
	tr   *tracker

	mu       sync.Mutex
	assigned []time.Time // OnAssigned calls
	revoked  []time.Time // OnRevoked and OnLost calls
	records  []time.Time // Polls that returned records
	err      error       // the Poll error that ended the loop

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func newMember(c *rawkafka.Consumer, name string, tr *tracker) *member {
	ctx, cancel := context.WithCancel(context.Background())
	return &member{name: name, c: c, tr: tr, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

func (m *member) listener() *rawkafka.RebalanceListener {
	note := func(to *[]time.Time) {
		at := time.Now()
		m.mu.Lock()
		*to = append(*to, at)
		m.mu.Unlock()
	}
	return &rawkafka.RebalanceListener{
		OnAssigned: func(*rawkafka.Consumer, []rawkafka.TopicPartition) { note(&m.assigned) },
		OnRevoked:  func(*rawkafka.Consumer, []rawkafka.TopicPartition) { note(&m.revoked) },
		OnLost:     func(*rawkafka.Consumer, []rawkafka.TopicPartition) { note(&m.revoked) },
	}
}

// poll calls Poll until close, noting when records came, per partition in
// the tracker.
func (m *member) poll() {
	defer close(m.done)
	for m.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(m.ctx, *pollTimeout)
		fs, err := m.c.Poll(ctx)
		cancel()
		at := time.Now()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				continue
			}
			m.mu.Lock()
			m.err = err
			m.mu.Unlock()
			return
		}
		if fs.NumRecords() == 0 {
			continue
		}
		for i := range fs.Partitions {
			if len(fs.Partitions[i].Records) > 0 {
				m.tr.record(fs.Partitions[i].Partition, at, fs.Partitions[i].Records[0].Timestamp)
			}
		}
		m.mu.Lock()
		m.records = append(m.records, at)
		m.mu.Unlock()
	}
}

// close ends the poll loop and closes the Consumer (once).
func (m *member) close() {
	m.once.Do(func() {
		m.cancel()
		<-m.done
		m.c.Close()
	})
}

func (m *member) failed() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

func (m *member) revokes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.revoked)
}

func firstAfter(ts []time.Time, t time.Time) (time.Time, bool) {
	for _, at := range ts {
		if at.After(t) {
			return at, true
		}
	}
	return time.Time{}, false
}

// assignedAfter returns the first OnAssigned after t.
func (m *member) assignedAfter(t time.Time) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return firstAfter(m.assigned, t)
}

// revokedAfter returns the first OnRevoked (or OnLost) after t.
func (m *member) revokedAfter(t time.Time) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return firstAfter(m.revoked, t)
}

// firstRecordAfterAssign returns when the first Poll with records came
// after the first OnAssigned after t.
func (m *member) firstRecordAfterAssign(t time.Time) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := firstAfter(m.assigned, t)
	if !ok {
		return time.Time{}, false
	}
	return firstAfter(m.records, a)
}

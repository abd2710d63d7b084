// Package stream is what bench/'s group benchmarks share: a topic made
// and deleted with franz-go's admin requests, and a steady record stream
// written to every partition in turn.
package stream

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Producer writes rate records/s to every partition in turn (franz-go,
// acks=1, no linger), in ticks of 10 ms, until stop.
type Producer struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
	slow   []slowAck // acknowledgements that took longer than 100 ms
}

// slowAck is a record whose acknowledgement took long.
type slowAck struct {
	at   time.Time // the record's timestamp
	took time.Duration
}

// StartProducer starts writing rate records/s to topic's partitions
// (0..partitions-1) in turn.
func StartProducer(bs []string, topic string, partitions, rate int) (*Producer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(), kgo.ProducerLinger(0))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Producer{cl: cl, cancel: cancel, done: make(chan struct{})}
	value := []byte("rebalance-bench-record")
	go func() {
		defer close(p.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		begin := time.Now()
		sent, next := 0, 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			due := int(time.Since(begin).Seconds() * float64(rate))
			for ; sent < due; sent++ {
				r := &kgo.Record{Partition: int32(next), Value: value}
				next = (next + 1) % partitions
				cl.Produce(ctx, r, func(r *kgo.Record, err error) {
					took := time.Since(r.Timestamp)
					if (err != nil && ctx.Err() == nil) || took > 100*time.Millisecond {
						p.mu.Lock()
						if err != nil && ctx.Err() == nil {
							p.err = err
						} else if err == nil {
							p.slow = append(p.slow, slowAck{r.Timestamp, took})
						}
						p.mu.Unlock()
					}
				})
			}
		}
	}()
	return p, nil
}

// Failed returns the first produce error (none once stopping).
func (p *Producer) Failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Slowest returns the longest acknowledgement over 100 ms of a record
// made in [from, to] (0 when none took that long).
func (p *Producer) Slowest(from, to time.Time) (longest time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.slow {
		if !s.at.Before(from) && !s.at.After(to) {
			longest = max(longest, s.took)
		}
	}
	return longest
}

// Stop ends the stream and closes the client.
func (p *Producer) Stop() {
	p.cancel()
	<-p.done
	p.cl.Close()
}

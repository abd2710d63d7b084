package main

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// producer writes rate records/s to every partition in turn (franz-go,
// acks=1, no linger), in ticks of 10 ms, until stop.
type producer struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

func startProducer(bs []string, topic string, partitions, rate int) (*producer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs...), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(), kgo.ProducerLinger(0))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &producer{cl: cl, cancel: cancel, done: make(chan struct{})}
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
				cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
					if err != nil && ctx.Err() == nil {
						p.mu.Lock()
						p.err = err
						p.mu.Unlock()
					}
				})
			}
		}
	}()
	return p, nil
}

func (p *producer) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *producer) stop() {
	p.cancel()
	<-p.done
	p.cl.Close()
}

package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	clients["franz"] = func(ctx context.Context, o options) (counts, error) { return drainFranz(ctx, o, false) }
	clients["franz-pools"] = func(ctx context.Context, o options) (counts, error) { return drainFranz(ctx, o, true) }
}

// drainFranz consumes every partition of the topic without a group
// (ConsumeTopics with no ConsumerGroup is a direct consumer of all
// partitions) from the start. franz-go has no consume-side byte budget:
// what it holds is bounded by one buffered fetch per broker (FetchMaxBytes)
// plus the one in flight.
//
// With pools (the franz-pools client) records and decompression buffers are
// recycled through kgo.WithPools, franz-go's own knob for lower garbage.
func drainFranz(ctx context.Context, o options, pools bool) (counts, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(o.brokers...),
		kgo.ConsumeTopics(o.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxBytes(o.fetchMaxBytes),
		kgo.FetchMaxPartitionBytes(o.partitionMaxBytes),
		kgo.FetchMaxWait(o.maxWait),
	}
	if o.fetchMaxBytes > 100<<20 {
		// The default BrokerMaxReadBytes (100 MiB) would refuse such responses.
		opts = append(opts, kgo.BrokerMaxReadBytes(o.fetchMaxBytes+1<<20))
	}
	if !o.checkCRC {
		opts = append(opts, kgo.DisableFetchCRCValidation())
	}
	if pools {
		opts = append(opts, kgo.WithPools(&franzPool{}))
	}
	if o.verbose {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelInfo, nil)))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return counts{}, err
	}
	defer cl.Close()

	var c counts
	recycle := pools
	for c.records < o.records {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return c, err
		}
		if fs.IsClientClosed() {
			return c, fmt.Errorf("franz: client closed")
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			ferr = fmt.Errorf("franz: %s/%d: %w", t, p, err)
		})
		if ferr != nil {
			return c, ferr
		}
		fs.EachRecord(func(r *kgo.Record) {
			c.records++
			c.bytes += int64(len(r.Key) + len(r.Value))
			if recycle {
				r.Recycle()
			}
		})
	}
	return c, nil
}

// franzPool hands kgo reusable record slices and decompression buffers.
type franzPool struct {
	recs, bufs sync.Pool
}

func (p *franzPool) GetRecords(n int) []kgo.Record {
	if s, ok := p.recs.Get().(*[]kgo.Record); ok && cap(*s) >= n {
		return (*s)[:0]
	}
	return make([]kgo.Record, 0, n)
}

func (p *franzPool) PutRecords(s []kgo.Record) { p.recs.Put(&s) }

func (p *franzPool) GetDecompressBytes(compressed []byte, _ kgo.CompressionCodecType) []byte {
	if b, ok := p.bufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 4*len(compressed))
}

func (p *franzPool) PutDecompressBytes(b []byte) { p.bufs.Put(&b) }

package fetch

import (
	"context"
	"fmt"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// BenchmarkPoll measures handing out fetched records: decoding, read
// position bookkeeping and Poll's output, without the network.
func BenchmarkPoll(b *testing.B) {
	for _, codec := range []record.Codec{record.CodecNone, record.CodecLZ4} {
		b.Run(codec.String(), func(b *testing.B) {
			var data []byte
			var off int64
			for range 10 {
				var rs []record.Record
				for i := range 100 {
					rs = append(rs, record.Record{Offset: off + int64(i), Timestamp: 1700000000000, Key: []byte(fmt.Sprintf("key-%d", i)),
						Value: make([]byte, 200), Headers: []record.Header{{Key: []byte("h"), Value: []byte("v")}}})
				}
				var err error
				data, err = record.AppendBatch(data, record.Batch{BaseOffset: off, LastOffset: off + 99, Magic: 2, FirstTimestamp: 1700000000000,
					MaxTimestamp: 1700000000000, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, rs, codec)
				if err != nil {
					b.Fatal(err)
				}
				off += 100
			}
			cfg, _ := Config{}.withDefaults()
			f := &Fetcher{cfg: cfg, log: cfg.Logger, parts: map[protocol.TopicPartition]*partition{}, b: newBoard(),
				maintWake: make(chan struct{}, 1), loops: map[int32]*brokerLoop{}}
			tp := protocol.TopicPartition{Topic: "t", Partition: 0}
			p := newPartition(f.b, tp, StartAt(0))
			p.setNeedMeta(false)
			f.parts[tp] = p
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for range b.N {
				p.position, p.buffered = 0, true
				f.mu.Lock()
				cf := newCompletedFetch(p, 0, data, nil, 0)
				f.queue = append(f.queue, cf)
				f.buffered += cf.size
				f.mu.Unlock()
				for n := 0; n < 1000; {
					fs, err := f.Poll(ctx, 500)
					if err != nil {
						b.Fatal(err)
					}
					n += fs.NumRecords()
				}
			}
		})
	}
}

// BenchmarkHandle measures applying one Fetch response of 100 caught-up
// partitions (no records): the fetch loop's per-response, per-partition
// bookkeeping, which the rebalance timeline's fetch times add to.
func BenchmarkHandle(b *testing.B) {
	cfg, _ := Config{}.withDefaults()
	f := &Fetcher{cfg: cfg, log: cfg.Logger, parts: map[protocol.TopicPartition]*partition{}, b: newBoard(),
		maintWake: make(chan struct{}, 1), loops: map[int32]*brokerLoop{}}
	l := newBrokerLoop(f, 1)
	pl := &fetchPlan{id: 1, req: protocol.NewFetchRequest(12), parts: map[protocol.TopicPartition]planned{}}
	resp := &protocol.FetchResponse{Responses: []protocol.FetchableTopicResponse{{Topic: "t"}}}
	for i := range int32(100) {
		tp := protocol.TopicPartition{Topic: "t", Partition: i}
		p := newPartition(f.b, tp, StartAt(0))
		p.setNeedMeta(false)
		p.state = posReady
		f.parts[tp] = p
		pl.parts[tp] = planned{p: p, gen: p.gen}
		resp.Responses[0].Partitions = append(resp.Responses[0].Partitions,
			protocol.FetchResponsePartitionData{PartitionIndex: i, HighWatermark: 0, LastStableOffset: 0, PreferredReadReplica: -1})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, pd := range pl.parts {
			pd.p.inflight = pl.id
		}
		l.handle(pl, resp)
	}
}

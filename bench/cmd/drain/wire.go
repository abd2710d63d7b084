package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

func init() { clients["rawkafka-wire"] = drainWire }

// drainWire reads the topic with rawkafka's lower layers only, conn/ and
// protocol/record, without the root Consumer or fetch/: the ceiling of the
// codecs and the connection, and a stand-in until the Consumer exists.
//
// Each leader gets one goroutine with one sessionless Fetch in flight
// (Fetch at the highest version both sides speak, topic ids from v13). It
// finds the next offsets by walking the batch headers, hands the response
// over a channel of one, and asks again, so one response is decoded while
// the next travels, as in franz-go. The calling goroutine decodes the
// records with record.Decoder (CRCs checked unless -check-crc=false).
func drainWire(ctx context.Context, o options) (counts, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cl, err := conn.NewCluster(conn.ClusterConfig{
		Bootstrap: o.brokers,
		Conn:      conn.Config{Logger: logger, MaxResponseSize: o.fetchMaxBytes + 1<<20},
	})
	if err != nil {
		return counts{}, err
	}
	defer cl.Close()
	md, err := cl.Metadata(ctx, o.topic)
	if err != nil {
		return counts{}, err
	}
	t := md.Topics[o.topic]
	if t == nil || t.Err != nil || len(t.Partitions) == 0 {
		return counts{}, fmt.Errorf("rawkafka-wire: topic %s: not found or no partitions (%v)", o.topic, t)
	}
	byLeader := map[int32][]int32{}
	for _, p := range t.Partitions {
		if p.Leader < 0 {
			return counts{}, fmt.Errorf("rawkafka-wire: %s/%d has no leader", o.topic, p.ID)
		}
		byLeader[p.Leader] = append(byLeader[p.Leader], p.ID)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resps := make(chan *protocol.FetchResponse, len(byLeader))
	errs := make(chan error, len(byLeader))
	for leader, parts := range byLeader {
		cn, err := cl.Broker(ctx, leader)
		if err != nil {
			return counts{}, err
		}
		starts, err := earliest(ctx, cn, o.topic, parts)
		if err != nil {
			return counts{}, err
		}
		go func() {
			if err := wireFetchLoop(ctx, cn, t, starts, o, resps); err != nil && ctx.Err() == nil {
				errs <- err
			}
		}()
	}

	var (
		c    counts
		dec  record.Decoder
		opts = record.Options{SkipCRC: !o.checkCRC}
	)
	for c.records < o.records {
		var resp *protocol.FetchResponse
		select {
		case resp = <-resps:
		case err := <-errs:
			return c, err
		case <-ctx.Done():
			return c, ctx.Err()
		}
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				p := &resp.Responses[i].Partitions[j]
				dec.Reset(p.Records, opts)
				for dec.NextBatch() {
					for dec.NextRecord() {
						r := dec.Record()
						c.records++
						c.bytes += int64(len(r.Key) + len(r.Value))
					}
				}
				if err := dec.Err(); err != nil {
					return c, fmt.Errorf("rawkafka-wire: %s/%d: %w", o.topic, p.PartitionIndex, err)
				}
			}
		}
	}
	return c, nil
}

// earliest returns the log start offsets of parts, which cn leads.
func earliest(ctx context.Context, cn *conn.Conn, topic string, parts []int32) (map[int32]int64, error) {
	req := &protocol.ListOffsetsRequest{ReplicaId: -1, TimeoutMs: 30000}
	rt := protocol.ListOffsetsRequestTopic{Name: topic}
	for _, p := range parts {
		rt.Partitions = append(rt.Partitions, protocol.ListOffsetsRequestPartition{
			PartitionIndex: p, CurrentLeaderEpoch: -1, Timestamp: protocol.ListOffsetsEarliest, MaxNumOffsets: 1})
	}
	req.Topics = []protocol.ListOffsetsRequestTopic{rt}
	resp, err := cn.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	for _, t := range resp.(*protocol.ListOffsetsResponse).Topics {
		for _, p := range t.Partitions {
			if err := protocol.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("rawkafka-wire: list offsets %s/%d: %w", topic, p.PartitionIndex, err)
			}
			out[p.PartitionIndex] = p.Offset
		}
	}
	return out, nil
}

// wireFetchLoop fetches parts of t from cn until ctx ends, sending each
// response that carries records to out.
func wireFetchLoop(ctx context.Context, cn *conn.Conn, t *conn.Topic, offsets map[int32]int64, o options, out chan<- *protocol.FetchResponse) error {
	v, ok := cn.Version(protocol.KeyFetch)
	if !ok {
		return fmt.Errorf("rawkafka-wire: broker does not serve Fetch")
	}
	for ctx.Err() == nil {
		req := protocol.NewFetchRequest(v)
		req.MaxWaitMs = int32(o.maxWait.Milliseconds())
		req.MinBytes = 1
		req.MaxBytes = o.fetchMaxBytes
		ft := protocol.FetchTopic{Topic: t.Name, TopicId: t.ID}
		for p, off := range offsets {
			ft.Partitions = append(ft.Partitions, protocol.NewFetchPartition(p, off, o.partitionMaxBytes))
		}
		req.Topics = []protocol.FetchTopic{ft}
		r, err := cn.DoPinned(ctx, req)
		if err != nil {
			return err
		}
		resp := r.(*protocol.FetchResponse)
		if err := protocol.ErrorForCode(resp.ErrorCode); err != nil {
			return fmt.Errorf("rawkafka-wire: fetch: %w", err)
		}
		got := false
		for i := range resp.Responses {
			for j := range resp.Responses[i].Partitions {
				p := &resp.Responses[i].Partitions[j]
				if err := protocol.ErrorForCode(p.ErrorCode); err != nil {
					return fmt.Errorf("rawkafka-wire: fetch %s/%d: %w", t.Name, p.PartitionIndex, err)
				}
				if next, n := nextOffset(p.Records); n > 0 {
					offsets[p.PartitionIndex] = next
					got = true
				}
			}
		}
		if !got {
			continue
		}
		select {
		case out <- resp:
		case <-ctx.Done():
		}
	}
	return nil
}

// nextOffset walks the complete magic-2 batches at the front of records and
// returns the offset after the last one and how many there were. A partial
// batch at the end (the size limit cut it) is fetched again.
func nextOffset(records []byte) (next int64, n int) {
	for len(records) >= 61 { // a v2 batch header
		length := int64(int32(binary.BigEndian.Uint32(records[8:])))
		if length < 49 || 12+length > int64(len(records)) {
			break
		}
		base := int64(binary.BigEndian.Uint64(records))
		lastDelta := int64(int32(binary.BigEndian.Uint32(records[23:])))
		next = base + lastDelta + 1
		n++
		records = records[12+length:]
	}
	return next, n
}

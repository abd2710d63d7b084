package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/conn"
)

var maxPollRecords = flag.Int("max-poll-records", 10000, "rawkafka: max.poll.records (the Java default is 500; franz-go's PollFetches returns all it has buffered)")

func init() { clients["rawkafka"] = drainRawkafka }

// drainRawkafka consumes with the root Consumer: Assign every partition at
// Earliest, then Poll until enough records came. The partitions are listed
// with conn.Cluster first, since the Consumer has no metadata call.
func drainRawkafka(ctx context.Context, o options) (counts, error) {
	parts, err := listPartitions(ctx, o)
	if err != nil {
		return counts{}, err
	}
	cfg := rawkafka.DefaultConfig()
	cfg.BootstrapServers = o.brokers
	cfg.FetchMaxBytes = o.fetchMaxBytes
	cfg.MaxPartitionFetchBytes = o.partitionMaxBytes
	cfg.FetchMaxWait = o.maxWait
	cfg.MaxPollRecords = *maxPollRecords
	cfg.FetchBufferMaxBytes = o.bufferBytes
	cfg.SkipCRCCheck = !o.checkCRC
	cfg.AutoOffsetReset = rawkafka.Earliest
	if o.verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := rawkafka.New(cfg)
	if err != nil {
		return counts{}, err
	}
	defer c.Close()
	assign := map[rawkafka.TopicPartition]rawkafka.StartPosition{}
	for _, p := range parts {
		assign[rawkafka.TopicPartition{Topic: o.topic, Partition: p}] = rawkafka.Earliest
	}
	if err := c.Assign(assign); err != nil {
		return counts{}, err
	}

	var n counts
	start := time.Now()
	for n.records < o.records {
		fs, err := c.Poll(ctx)
		if o.verbose {
			fmt.Fprintf(os.Stderr, "rawkafka: %v poll: %d records, %d so far\n", time.Since(start).Round(time.Microsecond), fs.NumRecords(), n.records)
		}
		if err != nil {
			return n, err
		}
		if len(fs.Errors) > 0 {
			return n, fs.Err()
		}
		for i := range fs.Partitions {
			rs := fs.Partitions[i].Records
			for j := range rs {
				n.bytes += int64(len(rs[j].Key) + len(rs[j].Value))
			}
			n.records += int64(len(rs))
		}
	}
	return n, nil
}

// listPartitions returns the partition ids of o.topic.
func listPartitions(ctx context.Context, o options) ([]int32, error) {
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: o.brokers})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	md, err := cl.Metadata(ctx, o.topic)
	if err != nil {
		return nil, err
	}
	t := md.Topics[o.topic]
	if t == nil || t.Err != nil || len(t.Partitions) == 0 {
		return nil, fmt.Errorf("rawkafka: topic %s: not found or no partitions", o.topic)
	}
	var ids []int32
	for _, p := range t.Partitions {
		ids = append(ids, p.ID)
	}
	return ids, nil
}

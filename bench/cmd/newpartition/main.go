// Command newpartition measures how long a consumer takes from being given
// a new partition to delivering its first record, while a fetch the broker
// holds (a quiet partition, fetch.max.wait.ms) is in flight to the same
// broker: the situation of every partition a rebalance hands to a member.
// It runs rawkafka and franz-go side by side on one topic of two
// partitions: partition 0 stays quiet and is always consumed, partition 1
// holds records and is added (from its start) -runs times, after a wait of
// -settle that leaves a fetch of partition 0 in flight.
//
//	go run ./cmd/newpartition -brokers 127.0.0.1:9092 -runs 20
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/bench/internal/stream"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap brokers, comma-separated")
	runs := flag.Int("runs", 20, "additions of the partition per client")
	maxWait := flag.Duration("max-wait", 500*time.Millisecond, "fetch.max.wait.ms of both clients")
	settle := flag.Duration("settle", 700*time.Millisecond, "wait before each addition (a quiet fetch is then in flight)")
	flag.Parse()
	if err := run(strings.Split(*brokers, ","), *runs, *maxWait, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "newpartition:", err)
		os.Exit(1)
	}
}

// consumer is one client under test: add gives it partition 1 of the
// topic from its start, remove takes it away; first receives the time of
// each first record of partition 1 after an add.
type consumer struct {
	add, remove func()
	first       <-chan time.Time
	close       func()
	state       func() string // the added partition's state, for a failure; nil for none
}

func run(bs []string, runs int, maxWait, settle time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The manual partitioner: the records go to partition 1, as asked.
	admin, err := kgo.NewClient(kgo.SeedBrokers(bs...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	defer admin.Close()
	topic := fmt.Sprintf("newpartition-%d", time.Now().UnixNano())
	if err := stream.CreateTopic(ctx, admin, topic, 2); err != nil {
		return err
	}
	defer stream.DeleteTopic(admin, topic)
	for i := range 10 {
		r := &kgo.Record{Topic: topic, Partition: 1, Value: fmt.Appendf(nil, "r%d", i)}
		if err := admin.ProduceSync(ctx, r).FirstErr(); err != nil {
			return fmt.Errorf("produce: %w", err)
		}
	}
	for _, name := range []string{"rawkafka", "franz-go"} {
		var c *consumer
		if name == "rawkafka" {
			c, err = newRawkafka(bs, topic, maxWait)
		} else {
			c, err = newFranz(bs, topic, maxWait)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var took []time.Duration
		for range runs {
			c.remove()
			time.Sleep(settle)
			for len(c.first) > 0 {
				<-c.first
			}
			t0 := time.Now()
			c.add()
			select {
			case at := <-c.first:
				took = append(took, at.Sub(t0))
			case <-time.After(10 * time.Second):
				state := ""
				if c.state != nil {
					state = c.state()
				}
				c.close()
				return fmt.Errorf("%s: no record of the added partition within 10 s (run %d) %s", name, len(took)+1, state)
			}
		}
		c.close()
		slices.Sort(took)
		fmt.Printf("%-9s add -> first record, %d runs: min %v  median %v  max %v\n", name, len(took),
			took[0].Round(time.Millisecond), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	}
	return nil
}

func newRawkafka(bs []string, topic string, maxWait time.Duration) (*consumer, error) {
	cfg, err := rawkafka.ParseConfig(map[string]string{
		"bootstrap.servers": strings.Join(bs, ","),
		"fetch.max.wait.ms": fmt.Sprint(maxWait.Milliseconds()),
	})
	if err != nil {
		return nil, err
	}
	if os.Getenv("NEWPARTITION_DEBUG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := rawkafka.New(cfg)
	if err != nil {
		return nil, err
	}
	p0, p1 := rawkafka.TopicPartition{Topic: topic, Partition: 0}, rawkafka.TopicPartition{Topic: topic, Partition: 1}
	first, stop := polling(func(ctx context.Context) []int32 {
		fs, _ := c.Poll(ctx)
		var ps []int32
		for r := range fs.Records() {
			ps = append(ps, r.Partition)
		}
		return ps
	})
	assign := func(m map[rawkafka.TopicPartition]rawkafka.StartPosition) {
		if err := c.Assign(m); err != nil {
			fmt.Fprintln(os.Stderr, "rawkafka: assign:", err)
		}
	}
	return &consumer{
		add: func() {
			assign(map[rawkafka.TopicPartition]rawkafka.StartPosition{p0: rawkafka.Latest, p1: rawkafka.Earliest})
		},
		remove: func() { assign(map[rawkafka.TopicPartition]rawkafka.StartPosition{p0: rawkafka.Latest}) },
		first:  first,
		close:  func() { stop(); c.Close() },
		state:  func() string { return fmt.Sprintf("%+v", c.Metrics().Partitions[p1]) },
	}, nil
}

func newFranz(bs []string, topic string, maxWait time.Duration) (*consumer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs...), kgo.FetchMaxWait(maxWait),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtEnd()}}))
	if err != nil {
		return nil, err
	}
	first, stop := polling(func(ctx context.Context) []int32 {
		var ps []int32
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { ps = append(ps, r.Partition) })
		return ps
	})
	return &consumer{
		add: func() {
			cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: {1: kgo.NewOffset().AtStart()}})
		},
		remove: func() { cl.RemoveConsumePartitions(map[string][]int32{topic: {1}}) },
		first:  first,
		close:  func() { stop(); cl.Close() },
	}, nil
}

// polling calls poll (one client's poll, returning the partition of each
// record it returned) in a goroutine until stop, and sends the time of
// each poll that returned a record of partition 1 on first. stop cancels
// the poll under way and waits for the goroutine.
func polling(poll func(context.Context) []int32) (first <-chan time.Time, stop func()) {
	out := make(chan time.Time, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if slices.Contains(poll(ctx), 1) {
				select {
				case out <- time.Now():
				default: // the measurement drains first before each add
				}
			}
		}
	}()
	return out, func() { cancel(); <-done }
}

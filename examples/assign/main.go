// Assign shows the second way to live with rebalances (USE-CASES.md §1): no
// subscription. It reads the partitions named on the command line from where
// its group committed, committing after each record under group.id outside
// any generation: no coordinator assigns anything, so nothing rebalances.
// Run: go run ./examples/assign -b 127.0.0.1:9092 -t mytopic 0 3 5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/rawkafka/rawkafka"
)

func main() {
	bootstrap := flag.String("b", os.Getenv("BOOTSTRAP"), "bootstrap servers (default $BOOTSTRAP)")
	topic := flag.String("t", os.Getenv("TOPIC"), "topic (default $TOPIC)")
	flag.Parse()
	partitions := map[rawkafka.TopicPartition]rawkafka.StartPosition{}
	for _, a := range flag.Args() {
		p, err := strconv.ParseInt(a, 10, 32)
		if err != nil {
			log.Fatalf("partition %q: %v", a, err)
		}
		partitions[rawkafka.TopicPartition{Topic: *topic, Partition: int32(p)}] = rawkafka.Committed
	}
	cfg, err := rawkafka.ParseConfig(map[string]string{"bootstrap.servers": *bootstrap,
		"group.id": "assign-example", "enable.auto.commit": "false", "auto.offset.reset": "earliest"})
	c, err2 := rawkafka.New(cfg)
	if err = errors.Join(err, err2); err == nil {
		err = c.Assign(partitions) // no rebalance will ever change this
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for ctx.Err() == nil {
		fs, err := c.Poll(ctx)
		if err != nil && ctx.Err() == nil {
			log.Fatal(err)
		}
		for r := range fs.Records() {
			fmt.Printf("partition %d offset %d value %s\n", r.Partition, r.Offset, r.Value)
			next := map[rawkafka.TopicPartition]rawkafka.CommittedOffset{{Topic: r.Topic, Partition: r.Partition}: {Offset: r.Offset + 1, LeaderEpoch: r.LeaderEpoch}}
			if err := c.Commit(context.Background(), next); err != nil {
				log.Print(err)
			}
		}
	}
}

// Listener shows the third way to live with rebalances (USE-CASES.md §1): a RebalanceListener saves the
// state (a record count per partition) and commits on revoke, restores it on assign; each record is committed too.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawkafka/rawkafka"
)

func main() {
	bootstrap := flag.String("b", os.Getenv("BOOTSTRAP"), "bootstrap servers (default $BOOTSTRAP)")
	topic := flag.String("t", os.Getenv("TOPIC"), "topic (default $TOPIC)")
	flag.Parse()
	count, saved, next := map[rawkafka.TopicPartition]int{}, map[rawkafka.TopicPartition]int{}, map[rawkafka.TopicPartition]rawkafka.CommittedOffset{} // saved: a store the instances share
	l := &rawkafka.RebalanceListener{OnRevoked: func(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
		fmt.Printf("revoked %v: saving records seen %v\n", tps, count)
		maps.Copy(saved, count)
		if err := c.Commit(context.Background(), next); err != nil { // the generation still holds
			log.Print(err)
		}
		clear(count)
		clear(next)
	}, OnAssigned: func(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
		for _, tp := range tps {
			count[tp] = saved[tp]
		}
		fmt.Printf("assigned %v: restored records seen %v\n", tps, count)
	}}
	cfg, _ := rawkafka.ParseConfig(map[string]string{"bootstrap.servers": *bootstrap, "group.id": "listener-" + *topic, // New checks it
		"enable.auto.commit": "false", "auto.offset.reset": "earliest", "session.timeout.ms": "6000", "heartbeat.interval.ms": "2000",
		"partition.assignment.strategy": "range"}) // eager: every revoke is of everything, as OnRevoked assumes (cooperative-sticky, the default, revokes only what moves)
	c, err := rawkafka.New(cfg)
	if err != nil {
		log.Fatal(err)
	} else if err := c.Subscribe([]string{*topic}, l); err != nil {
		log.Fatal(err)
	}
	defer c.Close() // calls OnRevoked: the last commit
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	for ctx.Err() == nil {
		fs, err := c.Poll(ctx) // the rebalances, and the listener, run inside
		if err != nil && ctx.Err() == nil {
			log.Fatal(err)
		}
		for r := range fs.Records() {
			fmt.Printf("partition %d offset %d value %s\n", r.Partition, r.Offset, r.Value)
			tp := rawkafka.TopicPartition{Topic: r.Topic, Partition: r.Partition}
			count[tp], next[tp] = count[tp]+1, rawkafka.CommittedOffset{Offset: r.Offset + 1, LeaderEpoch: r.LeaderEpoch}
			c.CommitAsync(map[rawkafka.TopicPartition]rawkafka.CommittedOffset{tp: next[tp]}, nil) // in order; OnRevoked's waits for it
		}
	}
}

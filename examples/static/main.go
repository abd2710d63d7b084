// Static shows the first way to live with rebalances (USE-CASES.md §1): a
// static member (group.instance.id) with short timeouts that commits each
// record after printing it; restarted within session.timeout.ms under the
// same id, it gets its partitions back without a rebalance. Run:
// INSTANCE_ID=worker-0 go run ./examples/static -b 127.0.0.1:9092 -t mytopic
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawkafka/rawkafka"
)

func main() {
	bootstrap := flag.String("b", os.Getenv("BOOTSTRAP"), "bootstrap servers (default $BOOTSTRAP)")
	topic := flag.String("t", os.Getenv("TOPIC"), "topic (default $TOPIC)")
	group := flag.String("g", "static-example", "group.id")
	flag.Parse()
	// An id that survives restarts (a host or pod name, an ordinal), not the
	// pid: a new pid makes every restart a new member, and a rebalance.
	host, _ := os.Hostname()
	instance := cmp.Or(os.Getenv("INSTANCE_ID"), host)
	cfg, err := rawkafka.ParseConfig(map[string]string{"bootstrap.servers": *bootstrap, "group.id": *group,
		"group.instance.id": instance, "enable.auto.commit": "false", "auto.offset.reset": "earliest",
		"session.timeout.ms": "6000", "heartbeat.interval.ms": "2000"}) // the default strategy: cooperative-sticky
	c, err2 := rawkafka.New(cfg)
	if err = errors.Join(err, err2); err == nil {
		err = c.Subscribe([]string{*topic}, nil)
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close() // static: no LeaveGroup, the partitions wait for us
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for ctx.Err() == nil {
		fs, err := c.Poll(ctx) // returns with records, or when the signal comes
		if err != nil && ctx.Err() == nil {
			log.Fatal(err) // fenced: another instance took our id, say
		}
		for r := range fs.Records() {
			fmt.Printf("partition %d offset %d value %s\n", r.Partition, r.Offset, r.Value)
			next := map[rawkafka.TopicPartition]rawkafka.CommittedOffset{{Topic: r.Topic, Partition: r.Partition}: {Offset: r.Offset + 1, LeaderEpoch: r.LeaderEpoch}}
			if err := c.Commit(context.Background(), next); err != nil {
				log.Print(err) // a rebalance moved the partition: its new owner reads r again
			}
		}
	}
}

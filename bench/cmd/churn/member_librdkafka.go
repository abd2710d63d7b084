package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func init() { members["librdkafka"] = runLibrdkafka }

func runLibrdkafka(s memberSettings, o *out, closing <-chan struct{}) error {
	switch s.strategy {
	case "cooperative-sticky", "range", "roundrobin":
	default:
		return errUnknownStrategy(s)
	}
	cm := kafka.ConfigMap{
		"bootstrap.servers":             strings.Join(s.brokers, ","),
		"group.id":                      s.group,
		"client.id":                     s.name,
		"auto.offset.reset":             "latest",
		"session.timeout.ms":            int(s.session.Milliseconds()),
		"heartbeat.interval.ms":         int(s.heartbeat.Milliseconds()),
		"fetch.wait.max.ms":             int(s.maxWait.Milliseconds()),
		"partition.assignment.strategy": s.strategy,
	}
	if s.debug {
		cm["debug"] = "cgrp,fetch"
	}
	parts := func(tps []kafka.TopicPartition) []int32 {
		return int32s(tps, func(tp kafka.TopicPartition) int32 { return tp.Partition })
	}
	o.note(evStart, nil, nil)
	c, err := kafka.NewConsumer(&cm)
	if err != nil {
		return err
	}
	// Without Assign or IncrementalAssign in the callback,
	// confluent-kafka-go does the default (incremental for cooperative)
	// after it returns: the callback only notes the event.
	err = c.SubscribeTopics([]string{s.topic}, func(c *kafka.Consumer, ev kafka.Event) error {
		switch e := ev.(type) {
		case kafka.AssignedPartitions:
			o.note(evAssigned, parts(e.Partitions), nil)
		case kafka.RevokedPartitions:
			if c.AssignmentLost() {
				o.note(evLost, parts(e.Partitions), nil)
			} else {
				o.note(evRevoked, parts(e.Partitions), nil)
			}
		}
		return nil
	})
	if err != nil {
		c.Close()
		return err
	}
	for {
		select {
		case <-closing:
			o.note(evClose, nil, nil)
			return c.Close()
		default:
		}
		switch e := c.Poll(50).(type) {
		case *kafka.Message:
			o.arrived(e.TopicPartition.Partition, time.Now())
		case kafka.Error:
			if e.IsFatal() {
				c.Close()
				return e
			}
			fmt.Fprintln(os.Stderr, "librdkafka:", e)
		}
	}
}

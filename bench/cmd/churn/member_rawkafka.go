package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
)

func init() { members["rawkafka"] = runRawkafka }

func runRawkafka(s memberSettings, o *out, closing <-chan struct{}) error {
	cfg, err := rawkafka.ParseConfig(map[string]string{
		"bootstrap.servers":             strings.Join(s.brokers, ","),
		"group.id":                      s.group,
		"client.id":                     s.name,
		"auto.offset.reset":             "latest",
		"session.timeout.ms":            strconv.FormatInt(s.session.Milliseconds(), 10),
		"heartbeat.interval.ms":         strconv.FormatInt(s.heartbeat.Milliseconds(), 10),
		"fetch.max.wait.ms":             strconv.FormatInt(s.maxWait.Milliseconds(), 10),
		"partition.assignment.strategy": s.strategy,
	})
	if err != nil {
		return err
	}
	if s.debug {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	parts := func(tps []rawkafka.TopicPartition) []int32 {
		return int32s(tps, func(tp rawkafka.TopicPartition) int32 { return tp.Partition })
	}
	l := &rawkafka.RebalanceListener{
		OnAssigned: func(_ *rawkafka.Consumer, tps []rawkafka.TopicPartition) { o.note(evAssigned, parts(tps), nil) },
		OnRevoked:  func(_ *rawkafka.Consumer, tps []rawkafka.TopicPartition) { o.note(evRevoked, parts(tps), nil) },
		OnLost:     func(_ *rawkafka.Consumer, tps []rawkafka.TopicPartition) { o.note(evLost, parts(tps), nil) },
	}
	o.note(evStart, nil, nil)
	c, err := rawkafka.New(cfg)
	if err != nil {
		return err
	}
	if err := c.Subscribe([]string{s.topic}, l); err != nil {
		c.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-closing; cancel() }()
	for ctx.Err() == nil {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		fs, err := c.Poll(pctx)
		pcancel()
		at := time.Now()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				continue
			}
			c.Close()
			return err
		}
		for i := range fs.Partitions {
			if len(fs.Partitions[i].Records) > 0 {
				o.arrived(fs.Partitions[i].Partition, at)
			}
		}
	}
	o.note(evClose, nil, nil)
	return c.Close()
}

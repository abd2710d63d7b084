package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func init() { members["franz"] = runFranz }

func runFranz(s memberSettings, o *out, closing <-chan struct{}) error {
	var balancer kgo.GroupBalancer
	switch s.strategy {
	case "cooperative-sticky":
		balancer = kgo.CooperativeStickyBalancer()
	case "range":
		balancer = kgo.RangeBalancer()
	case "sticky":
		balancer = kgo.StickyBalancer()
	case "roundrobin":
		balancer = kgo.RoundRobinBalancer()
	default:
		return errUnknownStrategy(s)
	}
	parts := func(m map[string][]int32) []int32 { return m[s.topic] }
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.brokers...),
		kgo.ClientID(s.name),
		kgo.ConsumerGroup(s.group),
		kgo.ConsumeTopics(s.topic),
		kgo.Balancers(balancer),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()),
		kgo.SessionTimeout(s.session),
		kgo.HeartbeatInterval(s.heartbeat),
		kgo.FetchMaxWait(s.maxWait),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.note(evAssigned, parts(m), nil)
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.note(evRevoked, parts(m), nil)
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			o.note(evLost, parts(m), nil)
		}),
	}
	if s.debug {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelDebug, nil)))
	}
	o.note(evStart, nil, nil)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-closing; cancel() }()
	for ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		now := time.Now()
		fs.EachError(func(t string, p int32, err error) {
			if ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "franz: %s/%d: %v\n", t, p, err)
			}
		})
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			if len(p.Records) > 0 {
				o.arrived(p.Partition, now)
			}
		})
	}
	// Close revokes the partitions (OnPartitionsRevoked), commits and
	// leaves the group.
	o.note(evClose, nil, nil)
	cl.Close()
	return nil
}

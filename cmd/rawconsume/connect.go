package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// fetchMetadata asks the bootstrap brokers, in order, for metadata until one
// answers.
func fetchMetadata(ctx context.Context, opts *options) (*metadata, error) {
	cfg, err := consumerConfig(opts, opts.stderr)
	if err != nil {
		return nil, err
	}
	cc, err := cfg.ConnConfig()
	if err != nil {
		return nil, fmt.Errorf("-X: %w", err)
	}
	timeout := cfg.RequestTimeout
	var errs []error
	for _, addr := range opts.brokers {
		md, err := metadataFrom(ctx, addr, cc, timeout, opts.topic)
		if err == nil {
			return md, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("no broker answered: %w", errors.Join(errs...))
}

func metadataFrom(ctx context.Context, addr string, cc conn.Config, timeout time.Duration, topic string) (*metadata, error) {
	c, err := conn.Dial(ctx, addr, cc)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	req := &protocol.MetadataRequest{}
	if topic != "" {
		req.Topics = []protocol.MetadataRequestTopic{{Name: &topic}}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r, err := c.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", addr, err)
	}
	resp := r.(*protocol.MetadataResponse)
	if err := protocol.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", addr, err)
	}
	// Partitions in id order, as kcat (librdkafka) lists them.
	for i := range resp.Topics {
		slices.SortFunc(resp.Topics[i].Partitions, func(a, b protocol.MetadataResponsePartition) int {
			return cmp.Compare(a.PartitionIndex, b.PartitionIndex)
		})
	}
	md := &metadata{originID: -1, originName: addr + "/bootstrap", resp: resp}
	host, port, _ := net.SplitHostPort(addr)
	for _, b := range resp.Brokers {
		if b.Host == host && strconv.Itoa(int(b.Port)) == port {
			md.originID = b.NodeId
			md.originName = fmt.Sprintf("%s/%d", addr, b.NodeId)
		}
	}
	return md, nil
}

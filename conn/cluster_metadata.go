package conn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Metadata returns the cached metadata, refreshing it when it is older than
// MetadataMaxAge or lacks one of topics. The topics are remembered: every
// later refresh asks for them too.
func (c *Cluster) Metadata(ctx context.Context, topics ...string) (*Metadata, error) {
	c.mu.Lock()
	for _, t := range topics {
		c.topics[t] = struct{}{}
	}
	md := c.md
	c.mu.Unlock()
	for i := 0; ; i++ {
		if md != nil && md.Age() < c.cfg.MetadataMaxAge && covers(md, topics) {
			return md, nil
		}
		if i == 2 {
			return md, nil // topics were added while refreshing; good enough
		}
		var err error
		if md, err = c.Refresh(ctx); err != nil {
			return nil, err
		}
	}
}

func covers(md *Metadata, topics []string) bool {
	if md.AllTopics {
		return true
	}
	for _, t := range topics {
		if _, ok := md.Topics[t]; !ok {
			return false
		}
	}
	return true
}

// Cached returns the cached metadata without any I/O; nil before the first
// refresh.
func (c *Cluster) Cached() *Metadata {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.md
}

// Refresh fetches metadata now (every topic with AllTopics, else the topics
// asked about so far). Concurrent callers share one request; a caller whose
// ctx ends returns at once while the request completes for the others.
func (c *Cluster) Refresh(ctx context.Context) (*Metadata, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errClusterClosed
	}
	r := c.refreshing
	if r == nil {
		r = &refresh{done: make(chan struct{})}
		c.refreshing = r
		var topics []string
		if !c.cfg.AllTopics {
			topics = make([]string, 0, len(c.topics))
			for t := range c.topics {
				topics = append(topics, t)
			}
			slices.Sort(topics)
		}
		c.wg.Add(1)
		go c.refresh(r, topics)
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.md, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cluster) refresh(r *refresh, topics []string) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	md, err := c.fetch(ctx, topics)
	c.mu.Lock()
	if err == nil && (c.md == nil || !md.FetchedAt.Before(c.md.FetchedAt)) {
		c.md = md
	}
	c.refreshing = nil
	r.md, r.err = md, err
	close(r.done)
	c.mu.Unlock()
	if err != nil {
		c.log.Warn("metadata refresh failed", "err", err)
	} else {
		c.log.Debug("metadata refreshed", "brokers", len(md.Brokers), "topics", len(md.Topics), "took", time.Since(start))
	}
}

// fetch asks brokers in turn until one answers.
func (c *Cluster) fetch(ctx context.Context, topics []string) (*Metadata, error) {
	var errs []error
	for _, wait := range []bool{false, true} {
		for _, addr := range c.candidates() {
			cn, err := c.connect(ctx, addr, wait)
			if err == nil {
				var md *Metadata
				if md, err = fetchMetadata(ctx, cn, topics, c.cfg.AutoCreateTopics); err == nil {
					return md, nil
				}
			}
			if ctx.Err() != nil || errors.Is(err, errClusterClosed) {
				return nil, fmt.Errorf("conn: metadata refresh: %w", errors.Join(append(errs, err)...))
			}
			if wait || !errors.Is(err, errInBackoff) {
				errs = append(errs, err)
			}
		}
	}
	return nil, fmt.Errorf("conn: metadata refresh: no broker answered: %w", errors.Join(errs...))
}

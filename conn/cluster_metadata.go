package conn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Metadata returns the cached metadata, refreshing it when it is older than
// MetadataMaxAge, lacks one of topics, or lists only named topics while the
// interest is all topics (SetAllTopics). The topics join the interest: every
// later refresh asks for them too, until SetTopics replaces it.
func (c *Cluster) Metadata(ctx context.Context, topics ...string) (*Metadata, error) {
	c.mu.Lock()
	for _, t := range topics {
		c.topics[t] = struct{}{}
	}
	md, all, reboot := c.md, c.allTopics, c.rebootstrap
	c.mu.Unlock()
	for i := 0; ; i++ {
		if md != nil && !reboot && md.Age() < c.cfg.MetadataMaxAge && (md.AllTopics || !all) && covers(md, topics) {
			return md, nil
		}
		if i == 2 {
			return md, nil // the interest changed while refreshing; good enough
		}
		var err error
		if md, err = c.Refresh(ctx); err != nil {
			return nil, err
		}
		reboot = false
	}
}

// SetTopics replaces the topics refreshes ask for (the interest) with
// topics, so that it can shrink when a subscription drops topics. It does no
// I/O: the next refresh asks for the new set (call Refresh to fetch now),
// and topics named to Metadata later join it again. Under SetAllTopics(true)
// the set is kept for when all-topics is switched off.
func (c *Cluster) SetTopics(topics ...string) {
	m := make(map[string]struct{}, len(topics))
	for _, t := range topics {
		m[t] = struct{}{}
	}
	c.mu.Lock()
	c.topics = m
	c.mu.Unlock()
}

// SetAllTopics switches every later refresh to ask for all topics (a regex
// subscription needs to see topics appear) or back to the named interest;
// it starts as ClusterConfig.AllTopics. It does no I/O; after switching on,
// the next Metadata call refreshes, since the cached snapshot lists only
// the named topics.
func (c *Cluster) SetAllTopics(all bool) {
	c.mu.Lock()
	c.allTopics = all
	c.mu.Unlock()
}

// Interest returns the topics refreshes ask for, sorted, and whether they
// ask for all topics instead.
func (c *Cluster) Interest() (topics []string, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.topics)), c.allTopics
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

// Refresh fetches metadata now (every topic under SetAllTopics(true), else
// the named interest). Concurrent callers share one request; a caller whose
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
		if !c.allTopics {
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
		c.rebootstrap = false
		for w := range c.watchers {
			w.update(md)
		}
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

package rawkafka

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/commit"
	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// subscription is one run of group membership, from Subscribe (or
// SubscribeRegex) to Unsubscribe or Close: the group.Driver that owns the
// member (its goroutine sends heartbeats whatever Poll does) and the
// metadata loop that feeds it MetadataChanged. The rebalance actions the
// driver queues are performed by Poll, on the application's goroutine
// (Consumer.groupActions), or by Close and Unsubscribe when no Poll runs.
type subscription struct {
	driver  *group.Driver
	re      atomic.Pointer[regexp.Regexp] // the pattern (SubscribeRegex); nil for named topics
	cancel  context.CancelFunc            // ends the driver's Run and the metadata loop
	wg      sync.WaitGroup                // the driver's Run and the metadata loop
	poke    chan struct{}                 // the metadata loop recomputes the interest now
	started atomic.Bool                   // the driver's Run was started

	mu     sync.Mutex
	topics []string // the named topics (Subscribe), sorted
	l      *RebalanceListener
	id     identity // the assignment in force; generation -1 without one
	failed error    // the driver's fatal error: every Poll returns it from then on
	commit *group.CommitBeforeRevoke

	tl *timeline // the rebalance records (timeline.go)
}

// identity is the membership the assignment in force belongs to.
type identity struct {
	MemberID   string
	generation int32
	// cooperative: the generation's rebalance protocol is cooperative
	// (from its Assign; an incremental revoke keeps it).
	cooperative bool
}

func (s *subscription) identity() identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

func (s *subscription) setIdentity(id identity) {
	s.mu.Lock()
	s.id = id
	s.mu.Unlock()
}

func (s *subscription) listener() *RebalanceListener {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.l == nil {
		return &RebalanceListener{}
	}
	return s.l
}

func (s *subscription) fatal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

func (s *subscription) pokeMetadata() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// errNoAssignment is a commit under a subscription while no assignment is
// in force (between a revocation and the next assignment).
var errNoAssignment = errors.New("rawkafka: commit: no assignment is in force (the group is rebalancing)")

// member returns who the consumer's commits are from: the zero Member
// (outside any generation) without a subscription; the assignment in
// force's member otherwise, and an error matching ErrCommitFailed when
// there is none.
func (c *Consumer) member() (commit.Member, error) {
	s := c.sub.Load()
	if s == nil {
		return commit.Member{}, nil
	}
	id := s.identity()
	if id.generation < 0 || id.MemberID == "" {
		return commit.Member{}, fmt.Errorf("%w: %w", ErrCommitFailed, errNoAssignment)
	}
	return c.commitMember(id.MemberID, id.generation), nil
}

func (c *Consumer) commitMember(memberID string, generation int32) commit.Member {
	m := commit.Member{MemberID: memberID, GenerationID: generation}
	if c.cfg.GroupInstanceID != "" {
		id := c.cfg.GroupInstanceID
		m.InstanceID = &id
	}
	return m
}

// groupConfig is the machine's configuration from the Consumer's.
func (c *Consumer) groupConfig(match func(string) bool) (group.Config, error) {
	as, err := assignor.ByNames(c.cfg.PartitionAssignmentStrategy)
	if err != nil {
		return group.Config{}, fmt.Errorf("rawkafka: subscribe: partition.assignment.strategy: %w", err)
	}
	return c.groupConfigAssignors(match, as), nil
}

// groupConfigAssignors is groupConfig with the assignors as.
func (c *Consumer) groupConfigAssignors(match func(string) bool, as []assignor.Assignor) group.Config {
	return group.Config{
		Group:             c.cfg.GroupID,
		InstanceID:        c.cfg.GroupInstanceID,
		Assignors:         as,
		SessionTimeout:    c.cfg.SessionTimeout,
		HeartbeatInterval: c.cfg.HeartbeatInterval,
		MaxPollInterval:   c.cfg.MaxPollInterval,
		RetryBackoff:      c.cfg.RetryBackoff,
		RetryBackoffMax:   c.cfg.RetryBackoffMax,
		AutoCommit:        c.auto != nil,
		Match:             match,
		Rack:              c.cfg.ClientRack,
	}
}

// subscribe starts a subscription to topics or re, or changes the running
// one.
func (c *Consumer) subscribe(topics []string, re *regexp.Regexp, l *RebalanceListener) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return ErrClosed
	case c.cfg.GroupID == "":
		return ErrNoGroup
	case c.manual:
		return ErrAssignAndSubscribe
	}
	if s := c.sub.Load(); s != nil {
		if (s.re.Load() != nil) != (re != nil) {
			return ErrAssignAndSubscribe
		}
		if err := s.fatal(); err != nil {
			return err
		}
		s.mu.Lock()
		s.l = l
		if re == nil {
			s.topics = topics
		}
		s.mu.Unlock()
		if re == nil {
			s.driver.Send(group.SubscriptionChanged{Topics: topics})
		} else {
			s.re.Store(re)
		}
		s.pokeMetadata()
		return nil
	}
	s := &subscription{topics: topics, l: l, id: identity{generation: -1}, poke: make(chan struct{}, 1)}
	var match func(string) bool
	if re != nil {
		s.re.Store(re)
		match = func(t string) bool { return s.re.Load().MatchString(t) }
	}
	gcfg, err := c.groupConfig(match)
	if err != nil {
		return err
	}
	m, err := group.New(gcfg)
	if err != nil {
		return fmt.Errorf("rawkafka: subscribe: %w", err)
	}
	dcfg := group.DriverConfig{
		Find:           group.FindFromCluster(c.cl),
		Assign:         group.NewAssignFunc(gcfg.Assignors, group.MetadataFromCluster(c.cl), c.log),
		RequestTimeout: c.cfg.RequestTimeout,
		Logger:         c.log,
	}
	if c.testFind != nil {
		dcfg.Find, dcfg.Assign = c.testFind, c.testAssign
	}
	dcfg.Find = timedFind(dcfg.Find, &c.gs)
	s.tl = newTimeline(c.f, &c.hist, func(r Rebalance) {
		if l := s.listener(); l.OnTimeline != nil {
			c.post(func() { l.OnTimeline(c, r) })
		}
	})
	dcfg.Observe = func(ev group.Event, acts []group.Action, m group.Member) {
		s.tl.observe(time.Now(), ev, acts, m.Trigger(), m.Rebalance().String())
	}
	s.driver = group.NewDriver(m, dcfg)
	if re != nil {
		c.cl.SetAllTopics(true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	if re == nil {
		c.startDriver(ctx, s, topics)
	} // a pattern waits for the first metadata: watchMetadata starts it
	go c.watchMetadata(ctx, s)
	c.sub.Store(s)
	return nil
}

// startDriver runs the driver's goroutine. With a pattern, watchMetadata
// calls it once the first MetadataChanged is queued, so that the first
// JoinGroup already names the matching topics (as the Java client updates
// its metadata before it joins); Poll does not tell the driver about
// itself before (started), since Send would wait for Run.
func (c *Consumer) startDriver(ctx context.Context, s *subscription, topics []string) {
	s.wg.Add(1) // the caller is counted in wg, so wg is not zero here
	s.started.Store(true)
	go func() {
		defer s.wg.Done()
		if err := s.driver.Run(ctx, topics); err != nil && ctx.Err() == nil {
			c.log.Warn("group membership ended", "group", c.cfg.GroupID, "err", err)
		}
	}()
}

// unsubscribe ends the subscription (Unsubscribe, Close): the machine
// revokes what the member owns (with its commit under auto-commit) and
// leaves or not (mode), the actions performed here on the caller's
// goroutine when no Poll runs (a running Poll performs them itself), until
// the driver is done or closeTimeout passes.
func (c *Consumer) unsubscribe(mode leaveMode) error {
	c.unsubMu.Lock()
	defer c.unsubMu.Unlock()
	s := c.sub.Load()
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.closeTimeout())
	defer cancel()
	leave := group.LeaveDefault
	switch {
	case mode == leaveGroup:
		leave = group.LeaveGroup
	case !c.cfg.LeaveGroupOnClose && c.cfg.GroupInstanceID == "":
		leave = group.RemainInGroup
	}
	s.driver.Send(group.Close{Leave: leave}) // queued before Start if Run waits for metadata
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		// Poll selects on the driver's Ready; this loop does not, so that it
		// never takes a wake-up a running Poll needs.
		if c.pollMu.TryLock() {
			c.groupActions(ctx, s)
			c.pollMu.Unlock()
		}
		select {
		case <-s.driver.Done():
			done = true
		case <-tick.C:
		case <-ctx.Done():
			c.log.Warn("the group did not let the member go in time; closing anyway", "group", c.cfg.GroupID, "timeout", c.closeTimeout())
			done = true
		}
	}
	s.cancel()
	s.wg.Wait()
	if c.pollMu.TryLock() {
		c.groupActions(ctx, s) // what the machine queued last (a Lose, a Fail)
		c.pollMu.Unlock()
	}
	s.tl.end(time.Now()) // records still waiting for fetches close incomplete
	// Whatever the machine could not revoke in time stops now; a Poll
	// running meanwhile returns none of it after this.
	c.f.Remove(c.f.Assigned()...)
	c.mu.Lock()
	c.sub.Store(nil)
	c.mu.Unlock()
	c.cl.SetAllTopics(false)
	c.cl.SetTopics()
	return nil
}

// closeTimeout bounds what Close and Unsubscribe wait for the group: the
// commit on revocation and LeaveGroup.
func (c *Consumer) closeTimeout() time.Duration {
	return min(finalCommitTimeout, max(c.cfg.RequestTimeout, time.Second))
}

// watchMetadata keeps the cluster's topic interest at what the
// subscription needs (its topics and, for the leader, every topic it
// assigned from; with a pattern, all topics), refreshes it every
// metadata.max.age.ms and gives the machine the partition counts whenever
// they change (group.MetadataChanged).
func (c *Consumer) watchMetadata(ctx context.Context, s *subscription) {
	defer s.wg.Done()
	w := c.cl.Watch()
	defer w.Stop()
	t := time.NewTicker(c.cfg.metadataMaxAge())
	defer t.Stop()
	refresh := func() {
		rctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
		defer cancel()
		if _, err := c.cl.Refresh(rctx); err != nil && ctx.Err() == nil {
			c.log.Debug("metadata refresh for the subscription failed", "group", c.cfg.GroupID, "err", err)
		}
	}
	c.setInterest(s)
	refresh()
	c.sendCounts(s) // queued before Start when the driver waits for it
	if !s.started.Load() {
		c.startDriver(ctx, s, nil)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.setInterest(s)
			refresh()
		case <-s.poke:
			if c.setInterest(s) {
				refresh()
			}
			c.sendCounts(s)
		case <-w.C():
			w.Changes()
			c.sendCounts(s)
		}
	}
}

// interest returns the topics the subscription needs metadata for, sorted;
// nil with a pattern (all topics).
func (c *Consumer) interest(s *subscription) []string {
	if s.re.Load() != nil {
		return nil
	}
	s.mu.Lock()
	topics := slices.Clone(s.topics)
	s.mu.Unlock()
	for t := range s.driver.Member().AssignedFrom() {
		topics = append(topics, t)
	}
	return normalize(topics)
}

// setInterest sets the cluster's topic interest for s and reports whether
// the cached metadata lacks one of them.
func (c *Consumer) setInterest(s *subscription) bool {
	topics := c.interest(s)
	if topics == nil {
		c.cl.SetAllTopics(true)
		md := c.cl.Cached()
		return md == nil || !md.AllTopics
	}
	c.cl.SetTopics(topics...)
	md := c.cl.Cached()
	if md == nil {
		return true
	}
	for _, t := range topics {
		if _, ok := md.Topics[t]; !ok {
			return true
		}
	}
	return false
}

// sendCounts gives the machine the partition counts the cached metadata
// knows: of the subscription's topics and the leader's, or with a pattern
// of every topic but the internal ones. A topic the snapshot does not
// describe, or describes with a passing error, is left out (unknown, not
// deleted); one it says does not exist counts 0.
func (c *Consumer) sendCounts(s *subscription) {
	md := c.cl.Cached()
	if md == nil {
		return
	}
	topics := c.interest(s)
	if topics == nil {
		if !md.AllTopics {
			return
		}
		for name, t := range md.Topics {
			if !t.Internal { // exclude.internal.topics, as Java's default
				topics = append(topics, name)
			}
		}
	}
	counts := make(map[string]int32, len(topics))
	for _, name := range topics {
		t, ok := md.Topics[name]
		switch {
		case !ok:
		case t.Err == nil:
			counts[name] = int32(len(t.Partitions))
		case errors.Is(t.Err, protocol.ErrUnknownTopicOrPartition):
			counts[name] = 0
		}
	}
	s.driver.Send(group.MetadataChanged{PartitionCounts: counts})
}

package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// Defaults of ClusterConfig, named after the Java client's settings.
const (
	DefaultMetadataMaxAge      = 300000 * time.Millisecond // metadata.max.age.ms
	DefaultReconnectBackoff    = 50 * time.Millisecond     // reconnect.backoff.ms
	DefaultReconnectBackoffMax = 1000 * time.Millisecond   // reconnect.backoff.max.ms
	DefaultRequestTimeout      = 30000 * time.Millisecond  // request.timeout.ms
)

// ClusterConfig configures a Cluster. Zero durations take the defaults.
type ClusterConfig struct {
	// Bootstrap lists host:port addresses to learn the cluster from
	// (bootstrap.servers). At least one is needed.
	Bootstrap []string
	// Conn configures every connection (TLS, SASL, client id, logger...).
	Conn Config
	// MetadataMaxAge is how old the metadata cache may grow before a read
	// refreshes it (metadata.max.age.ms).
	MetadataMaxAge time.Duration
	// ReconnectBackoff and ReconnectBackoffMax bound the wait before dialing
	// a broker again after a failed dial: it doubles with each failure, with
	// ±20% jitter (reconnect.backoff.ms, reconnect.backoff.max.ms).
	ReconnectBackoff    time.Duration
	ReconnectBackoffMax time.Duration
	// RequestTimeout bounds a metadata refresh that callers share (one
	// refresh serves every caller waiting at the time).
	RequestTimeout time.Duration
	// AllTopics makes every refresh ask for all topics (for regex
	// subscriptions and listings); otherwise only the topics asked for
	// through Metadata (or set by SetTopics) are fetched. It is the initial
	// value: SetAllTopics switches it at runtime.
	AllTopics bool
	// AutoCreateTopics lets metadata requests create missing topics when the
	// broker allows it (allow.auto.create.topics; the Java consumer defaults
	// to true, rawkafka to false).
	AutoCreateTopics bool
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// ErrUnknownBroker is returned (wrapped) when a broker id is not in the
// metadata, even after a refresh.
var ErrUnknownBroker = errors.New("broker not in metadata")

// purpose says what a connection carries. A broker reads one request per
// connection at a time, so a request it holds (a fetch long-poll for
// fetch.max.wait.ms, a JoinGroup for the rebalance timeout) delays everything
// queued behind it on that socket; each purpose therefore has a connection
// of its own to each broker, as the Java client keeps its coordinator
// connection apart from the fetch connection to the same node.
type purpose int8

const (
	// forData is the connection for metadata and offset lookups
	// (ListOffsets, OffsetForLeaderEpoch): Broker, Any.
	forData purpose = iota
	// forCoordination is the connection to a group coordinator for group
	// membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and
	// FindCoordinator; Coordinator returns it.
	forCoordination
	// forOffsets is the connection to a group coordinator for offsets
	// (OffsetCommit, OffsetFetch); OffsetsCoordinator returns it. The
	// coordinator holds a JoinGroup until every member has joined (up to
	// the rebalance timeout): on the membership connection a commit of the
	// partitions a cooperative member keeps consuming through the rebalance,
	// or the commit of a member closing mid-rebalance, would wait behind it.
	forOffsets
	// forFetch is the connection that carries fetches to a broker, and
	// nothing else (FetchBroker). The broker holds a fetch for up to
	// fetch.max.wait.ms when it has no data; on the data connection a
	// newly assigned partition's offset lookup (OffsetForLeaderEpoch,
	// ListOffsets) or a metadata refresh would wait behind it, and the
	// partition would miss the next fetch too: 770 ms from Assign to its
	// first record at fetch.max.wait.ms=500, measured, where it needs one
	// fetch. franz-go keeps fetches on a connection of their own for the
	// same reason.
	forFetch
)

// String names the purpose, for logs.
func (p purpose) String() string {
	switch p {
	case forCoordination:
		return "coordination"
	case forOffsets:
		return "offsets"
	case forFetch:
		return "fetch"
	}
	return "data"
}

// Cluster is the client's view of a Kafka cluster: a metadata cache, the
// group coordinators found so far, and connections to brokers, one per
// broker and purpose (data, fetch, coordination, offsets), opened on demand, reused while they live, and
// redialed with exponential backoff after a failed dial. It is safe for
// concurrent use.
type Cluster struct {
	cfg ClusterConfig
	log *slog.Logger

	ctx    context.Context // ends at Close; background dials and refreshes use it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	closed       bool
	slots        map[slotKey]*slot
	md           *Metadata
	topics       map[string]struct{} // the topics refreshes ask for, unless allTopics
	allTopics    bool
	rebootstrap  bool             // a broker answered REBOOTSTRAP_REQUIRED: refresh from the bootstrap addresses only
	apiVersions  map[string]int16 // by address: the highest ApiVersions version the broker served
	refreshing   *refresh
	coordinators map[string]*coordinator // by group id
	watchers     map[*Watcher]struct{}
}

// slotKey names one connection: a broker's address and what it carries.
type slotKey struct {
	addr    string
	purpose purpose
}

// slot is the connection to one address and its dial history.
type slot struct {
	conn     *Conn
	dialing  *attempt
	failures int
	retryAt  time.Time
	lastErr  error
}

// attempt is one dial, shared by everyone waiting for it.
type attempt struct {
	done chan struct{}
	conn *Conn
	err  error
}

// refresh is one metadata request, shared by everyone waiting for it.
type refresh struct {
	done chan struct{}
	md   *Metadata
	err  error
}

// NewCluster returns a Cluster; it does no I/O until asked for something.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	if len(cfg.Bootstrap) == 0 {
		return nil, errors.New("conn: no bootstrap addresses")
	}
	cfg.MetadataMaxAge = orDefault(cfg.MetadataMaxAge, DefaultMetadataMaxAge)
	cfg.ReconnectBackoff = orDefault(cfg.ReconnectBackoff, DefaultReconnectBackoff)
	cfg.ReconnectBackoffMax = max(orDefault(cfg.ReconnectBackoffMax, DefaultReconnectBackoffMax), cfg.ReconnectBackoff)
	cfg.RequestTimeout = orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	ctx, cancel := context.WithCancel(context.Background())
	return &Cluster{
		cfg:    cfg,
		log:    cfg.Conn.logger(),
		ctx:    ctx,
		cancel: cancel,
		slots:  make(map[slotKey]*slot),
		topics: make(map[string]struct{}),

		allTopics:    cfg.AllTopics,
		coordinators: make(map[string]*coordinator),
		apiVersions:  make(map[string]int16),
		watchers:     make(map[*Watcher]struct{}),
	}, nil
}

// Close closes every connection; calls in progress and later fail.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.cancel()
	var conns []*Conn
	for _, s := range c.slots {
		if s.conn != nil {
			conns = append(conns, s.conn)
		}
	}
	c.mu.Unlock()
	for _, cn := range conns {
		cn.Close()
	}
	c.wg.Wait()
	return nil
}

var errClusterClosed = errors.New("conn: cluster closed")

// backoff returns the wait after n consecutive failed dials.
func (c *Cluster) backoff(n int) time.Duration {
	d := c.cfg.ReconnectBackoff
	for i := 1; i < n && d < c.cfg.ReconnectBackoffMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.ReconnectBackoffMax)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// errInBackoff: the address failed recently and its backoff has not passed.
var errInBackoff = errors.New("in reconnect backoff")

// connect returns the live data connection to addr, dialing one if needed.
// With wait, it sleeps out the address's backoff (unless ctx ends first);
// otherwise it fails at once with the last dial error.
func (c *Cluster) connect(ctx context.Context, addr string, wait bool) (*Conn, error) {
	return c.connectFor(ctx, slotKey{addr, forData}, wait, c.cfg.Conn)
}

// connectFor is connect for any slot; cfg is what a new dial uses. Each slot
// has its own backoff, as each Java node (the coordinator's included) has.
func (c *Cluster) connectFor(ctx context.Context, key slotKey, wait bool, cfg Config) (*Conn, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, errClusterClosed
		}
		s := c.slots[key]
		if s == nil {
			s = &slot{}
			c.slots[key] = s
		}
		if s.conn != nil && s.conn.Err() == nil {
			c.mu.Unlock()
			return s.conn, nil
		}
		if a := s.dialing; a != nil {
			c.mu.Unlock()
			select {
			case <-a.done:
				return a.conn, a.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if d := time.Until(s.retryAt); d > 0 {
			lastErr := s.lastErr
			c.mu.Unlock()
			dl, hasDL := ctx.Deadline()
			if !wait || (hasDL && time.Until(dl) < d) {
				return nil, fmt.Errorf("%w (next dial in %v): %w", errInBackoff, d.Round(time.Millisecond), lastErr)
			}
			t := time.NewTimer(d)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-c.ctx.Done():
				t.Stop()
				return nil, errClusterClosed
			}
		}
		a := &attempt{done: make(chan struct{})}
		s.dialing = a
		c.wg.Add(1)
		c.mu.Unlock()
		// The dial belongs to the cluster, not to this caller: a caller that
		// gives up does not waste it for the others.
		go c.dial(key, cfg, s, a)
		select {
		case <-a.done:
			return a.conn, a.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Cluster) dial(key slotKey, cfg Config, s *slot, a *attempt) {
	defer c.wg.Done()
	c.mu.Lock()
	cfg.apiVersionsMax = c.apiVersions[key.addr]
	c.mu.Unlock()
	cn, err := Dial(c.ctx, key.addr, cfg)
	c.mu.Lock()
	if err == nil {
		if _, hi, ok := cn.BrokerVersions(protocol.KeyApiVersions); ok {
			c.apiVersions[key.addr] = hi
		}
	}
	if err == nil && c.closed {
		cn.Close()
		cn, err = nil, errClusterClosed
	}
	if err != nil {
		if errors.Is(err, protocol.ErrRebootstrapRequired) && !c.rebootstrap {
			// KIP-1242: the address now belongs to another node or cluster,
			// so the cached broker list is wrong. Learn the cluster again
			// from the bootstrap addresses alone.
			c.rebootstrap = true
			c.log.Warn("broker is not the node the metadata named; re-bootstrapping", "addr", key.addr, "err", err)
		}
		s.failures++
		s.lastErr = err
		wait := c.backoff(s.failures)
		s.retryAt = time.Now().Add(wait)
		c.log.Debug("dial failed", "addr", key.addr, "purpose", key.purpose, "err", err, "failures", s.failures, "backoff", wait)
	} else {
		s.failures, s.lastErr, s.retryAt = 0, nil, time.Time{}
		s.conn = cn
	}
	s.dialing = nil
	a.conn, a.err = cn, err
	close(a.done)
	c.mu.Unlock()
}

// candidates lists addresses to ask for metadata: those with a live data
// connection first, then the known brokers, then the bootstrap addresses,
// each group shuffled.
func (c *Cluster) candidates() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var live, known, boot []string
	if c.rebootstrap {
		boot = slices.Clone(c.cfg.Bootstrap)
		rand.Shuffle(len(boot), func(i, j int) { boot[i], boot[j] = boot[j], boot[i] })
		return boot
	}
	for key, s := range c.slots {
		if key.purpose == forData && s.conn != nil && s.conn.Err() == nil {
			live = append(live, key.addr)
			seen[key.addr] = true
		}
	}
	if c.md != nil {
		for _, b := range c.md.Brokers {
			if a := b.Addr(); !seen[a] {
				known = append(known, a)
				seen[a] = true
			}
		}
	}
	for _, a := range c.cfg.Bootstrap {
		if !seen[a] {
			boot = append(boot, a)
			seen[a] = true
		}
	}
	var out []string
	for _, g := range [][]string{live, known, boot} {
		rand.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		out = append(out, g...)
	}
	return out
}

// Any returns a live data connection to some broker of the cluster, dialing
// one if there is none (for requests any broker can answer: FindCoordinator,
// Metadata, ListGroups).
func (c *Cluster) Any(ctx context.Context) (*Conn, error) {
	return c.anyFor(ctx, forData)
}

// anyFor is Any for connections of purpose p. For coordination, the
// brokers with a live coordination connection come first (the coordinator
// itself, usually), then the usual candidates.
func (c *Cluster) anyFor(ctx context.Context, p purpose) (*Conn, error) {
	addrs := c.candidates()
	if p != forData {
		addrs = c.liveFirst(addrs, p)
	}
	var errs []error
	for _, wait := range []bool{false, true} {
		for _, addr := range addrs {
			cn, err := c.connectFor(ctx, slotKey{addr, p}, wait, c.cfg.Conn)
			if err == nil {
				return cn, nil
			}
			if ctx.Err() != nil || errors.Is(err, errClusterClosed) {
				return nil, err
			}
			if wait || !errors.Is(err, errInBackoff) {
				errs = append(errs, err)
			}
		}
	}
	return nil, fmt.Errorf("conn: no broker reachable: %w", errors.Join(errs...))
}

// liveFirst reorders addrs so that those with a live connection of purpose
// p come first, keeping the order otherwise.
func (c *Cluster) liveFirst(addrs []string, p purpose) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	live := func(a string) bool {
		s := c.slots[slotKey{a, p}]
		return s != nil && s.conn != nil && s.conn.Err() == nil
	}
	slices.SortStableFunc(addrs, func(a, b string) int {
		la, lb := live(a), live(b)
		switch {
		case la && !lb:
			return -1
		case lb && !la:
			return 1
		}
		return 0
	})
	return addrs
}

// Broker returns the data connection to the broker with the given id,
// dialing it if needed; an id missing from the metadata triggers one
// refresh. Group and commit traffic goes over Coordinator's connection
// instead.
func (c *Cluster) Broker(ctx context.Context, id int32) (*Conn, error) {
	return c.brokerFor(ctx, id, forData)
}

// FetchBroker returns the connection for fetches to broker id, as Broker
// does, but a connection of its own that carries nothing else: a fetch
// the broker holds (fetch.max.wait.ms) then delays no other request to
// that broker. The fetch engine sends its fetches here and every other
// request through Broker.
func (c *Cluster) FetchBroker(ctx context.Context, id int32) (*Conn, error) {
	return c.brokerFor(ctx, id, forFetch)
}

// brokerFor is Broker for connections of purpose p.
func (c *Cluster) brokerFor(ctx context.Context, id int32, p purpose) (*Conn, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	b, ok := md.Brokers[id]
	if !ok {
		if md, err = c.Refresh(ctx); err != nil {
			return nil, err
		}
		if b, ok = md.Brokers[id]; !ok {
			return nil, fmt.Errorf("conn: broker %d: %w", id, ErrUnknownBroker)
		}
	}
	return c.connectFor(ctx, slotKey{b.Addr(), p}, true, c.connConfigFor(md, id))
}

// connConfigFor is the configuration a dial to broker id uses: once the
// cluster id is known, the dial asks the broker to confirm it is that node
// of that cluster (KIP-1242).
func (c *Cluster) connConfigFor(md *Metadata, id int32) Config {
	cfg := c.cfg.Conn
	if md != nil && md.ClusterID != "" && id >= 0 {
		cfg.Expect = &Node{ClusterID: md.ClusterID, NodeID: id}
	}
	return cfg
}

// Leader returns the connection to the leader of a partition and the
// partition's metadata. A partition without a leader returns its error
// (e.g. protocol.ErrLeaderNotAvailable); callers refresh and retry.
func (c *Cluster) Leader(ctx context.Context, topic string, partition int32) (*Conn, Partition, error) {
	md, err := c.Metadata(ctx, topic)
	if err != nil {
		return nil, Partition{}, err
	}
	if t := md.Topics[topic]; t != nil && t.Err != nil {
		return nil, Partition{}, fmt.Errorf("conn: topic %s: %w", topic, t.Err)
	}
	p, ok := md.Partition(topic, partition)
	if !ok {
		return nil, Partition{}, fmt.Errorf("conn: %s/%d is not in the metadata", topic, partition)
	}
	if p.Leader < 0 {
		err := p.Err
		if err == nil {
			err = errors.New("no leader")
		}
		return nil, p, fmt.Errorf("conn: %s/%d: %w", topic, partition, err)
	}
	cn, err := c.Broker(ctx, p.Leader)
	return cn, p, err
}

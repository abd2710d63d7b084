package conn

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// fakeCluster runs n fake brokers (ids 1..n) that answer Metadata with
// themselves and topic "t" (partition p led by broker p%n+1).
type fakeCluster struct {
	addrs    []string
	dials    []atomic.Int32                            // connections accepted per broker
	metadata atomic.Int32                              // Metadata requests answered
	hook     func(id int, f *fakeConn, r request) bool // optional: return false to stop serving
	delay    time.Duration
}

func newFakeCluster(t *testing.T, n, partitions int) *fakeCluster {
	fc := &fakeCluster{dials: make([]atomic.Int32, n)}
	for i := range n {
		fb := newFake(t, func(f *fakeConn) {
			fc.dials[i].Add(1)
			if !f.handshake() {
				return
			}
			for {
				r, ok := f.read()
				if !ok {
					return
				}
				if fc.hook != nil && !fc.hook(i+1, f, r) {
					return
				}
				if r.header.APIKey != protocol.KeyMetadata {
					continue
				}
				time.Sleep(fc.delay)
				fc.metadata.Add(1)
				req := &protocol.MetadataRequest{Version: r.header.APIVersion}
				req.Decode(r.body)
				resp := fc.response(n, partitions)
				for _, t := range req.Topics {
					if *t.Name != "t" { // a real broker answers for each topic asked
						resp.Topics = append(resp.Topics, protocol.MetadataResponseTopic{ErrorCode: 3, Name: t.Name,
							Partitions: []protocol.MetadataResponsePartition{}, TopicAuthorizedOperations: protocol.AuthorizedOperationsOmitted})
					}
				}
				f.reply(r, resp)
			}
		})
		fc.addrs = append(fc.addrs, fb.addr)
	}
	return fc
}

func (fc *fakeCluster) response(n, partitions int) *protocol.MetadataResponse {
	id := "fake-cluster"
	name := "t"
	resp := &protocol.MetadataResponse{ClusterId: &id, ControllerId: 1,
		ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted}
	for i, a := range fc.addrs {
		host, port, _ := net.SplitHostPort(a)
		p, _ := strconv.Atoi(port)
		resp.Brokers = append(resp.Brokers, protocol.MetadataResponseBroker{NodeId: int32(i + 1), Host: host, Port: int32(p)})
	}
	topic := protocol.MetadataResponseTopic{Name: &name, TopicAuthorizedOperations: protocol.AuthorizedOperationsOmitted}
	for p := partitions - 1; p >= 0; p-- { // out of order on purpose
		leader := int32(p%n + 1)
		topic.Partitions = append(topic.Partitions, protocol.MetadataResponsePartition{
			PartitionIndex: int32(p), LeaderId: leader, LeaderEpoch: 7, ReplicaNodes: []int32{leader}, IsrNodes: []int32{leader}, OfflineReplicas: []int32{}})
	}
	resp.Topics = []protocol.MetadataResponseTopic{topic}
	return resp
}

func newTestCluster(t *testing.T, cfg ClusterConfig) *Cluster {
	t.Helper()
	c, err := NewCluster(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClusterMetadataAndLeaders(t *testing.T) {
	fc := newFakeCluster(t, 3, 6)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{fc.addrs[0]}})
	ctx := context.Background()
	md, err := c.Metadata(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if md.ClusterID != "fake-cluster" || md.ControllerID != 1 || len(md.Brokers) != 3 || len(md.Topics["t"].Partitions) != 6 {
		t.Fatalf("metadata %+v", md)
	}
	for p := int32(0); p < 6; p++ {
		cn, part, err := c.Leader(ctx, "t", p)
		if err != nil {
			t.Fatal(err)
		}
		want := fc.addrs[p%3]
		if cn.Addr() != want || part.ID != p || part.LeaderEpoch != 7 {
			t.Fatalf("leader of t/%d: %s %+v, want %s", p, cn.Addr(), part, want)
		}
	}
	for i := range fc.dials {
		if n := fc.dials[i].Load(); n != 1 {
			t.Errorf("broker %d dialed %d times, want 1 (connections reused)", i+1, n)
		}
	}
	if n := fc.metadata.Load(); n != 1 {
		t.Errorf("%d metadata requests, want 1 (cached)", n)
	}
	if _, err := c.Broker(ctx, 99); !errors.Is(err, ErrUnknownBroker) {
		t.Errorf("unknown broker: %v", err)
	}
}

func TestClusterRefreshIsShared(t *testing.T) {
	fc := newFakeCluster(t, 1, 1)
	fc.delay = 50 * time.Millisecond
	c := newTestCluster(t, ClusterConfig{Bootstrap: fc.addrs})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Metadata(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fc.metadata.Load(); n != 1 {
		t.Fatalf("%d metadata requests for 50 concurrent callers, want 1", n)
	}
}

func TestClusterMetadataMaxAge(t *testing.T) {
	fc := newFakeCluster(t, 1, 1)
	c := newTestCluster(t, ClusterConfig{Bootstrap: fc.addrs, MetadataMaxAge: 30 * time.Millisecond})
	c.Metadata(context.Background())
	c.Metadata(context.Background())
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Metadata(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := fc.metadata.Load(); n != 2 {
		t.Fatalf("%d metadata requests, want 2 (one cached read, one refresh by age)", n)
	}
	// A topic not in the cache forces a refresh too.
	md, _ := c.Metadata(context.Background(), "other")
	if n := fc.metadata.Load(); n != 3 {
		t.Fatalf("%d metadata requests, want 3", n)
	}
	if tp := md.Topics["other"]; tp == nil || !errors.Is(tp.Err, protocol.ErrUnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %+v", tp)
	}
	if _, _, err := c.Leader(context.Background(), "other", 0); !errors.Is(err, protocol.ErrUnknownTopicOrPartition) {
		t.Fatalf("leader of an unknown topic: %v", err)
	}
}

func TestClusterBootstrapFailover(t *testing.T) {
	fc := newFakeCluster(t, 1, 1)
	dead := deadAddr(t)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{dead, fc.addrs[0]}})
	for range 5 { // whatever the shuffle picks first
		c.mu.Lock()
		c.md = nil
		c.mu.Unlock()
		if _, err := c.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// deadAddr returns an address nothing listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestClusterReconnectBackoff(t *testing.T) {
	dead := deadAddr(t)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{dead}, ReconnectBackoff: 20 * time.Millisecond, ReconnectBackoffMax: 80 * time.Millisecond})
	ctx := context.Background()
	var times []time.Time
	for range 5 {
		_, err := c.connect(ctx, dead, true)
		if err == nil {
			t.Fatal("dial to a dead address succeeded")
		}
		times = append(times, time.Now())
	}
	// Waits before attempts 2..5: ~20, ~40, ~80, ~80 ms (±20%).
	want := []time.Duration{20, 40, 80, 80}
	for i := 1; i < len(times); i++ {
		got := times[i].Sub(times[i-1])
		lo := want[i-1] * time.Millisecond * 8 / 10
		if got < lo || got > want[i-1]*time.Millisecond*3 {
			t.Errorf("wait before attempt %d: %v, want about %dms", i+1, got, want[i-1])
		}
	}
	// Without waiting: the last error at once.
	if _, err := c.connect(ctx, dead, false); !errors.Is(err, errInBackoff) {
		t.Errorf("no-wait connect in backoff: %v", err)
	}
	if _, err := c.Refresh(ctx); err == nil {
		t.Error("refresh with no broker succeeded")
	}
}

func TestBackoffBounds(t *testing.T) {
	c, _ := NewCluster(ClusterConfig{Bootstrap: []string{"x:1"}})
	for _, tc := range []struct {
		n      int
		lo, hi time.Duration
	}{{1, 40, 60}, {2, 80, 120}, {3, 160, 240}, {5, 640, 960}, {6, 800, 1200}, {50, 800, 1200}} {
		for range 100 {
			if d := c.backoff(tc.n); d < tc.lo*time.Millisecond || d > tc.hi*time.Millisecond {
				t.Fatalf("backoff(%d) = %v, want %d-%dms", tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestClusterRedialsDeadConnection(t *testing.T) {
	fc := newFakeCluster(t, 1, 1)
	var kill atomic.Bool
	fc.hook = func(id int, f *fakeConn, r request) bool { return !kill.Load() }
	c := newTestCluster(t, ClusterConfig{Bootstrap: fc.addrs})
	ctx := context.Background()
	cn, err := c.Broker(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	kill.Store(true)
	if _, err := cn.Do(ctx, &protocol.MetadataRequest{AllowAutoTopicCreation: true}); err == nil {
		t.Fatal("request on a killed connection succeeded")
	}
	kill.Store(false)
	cn2, err := c.Broker(ctx, 1)
	if err != nil || cn2 == cn || cn2.Err() != nil {
		t.Fatalf("redial: %v (same conn: %v)", err, cn2 == cn)
	}
	if n := fc.dials[0].Load(); n != 2 {
		t.Fatalf("%d dials, want 2", n)
	}
}

func TestClusterClose(t *testing.T) {
	fc := newFakeCluster(t, 1, 1)
	c := newTestCluster(t, ClusterConfig{Bootstrap: fc.addrs})
	cn, err := c.Any(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !errors.Is(cn.Err(), ErrClosed) {
		t.Fatalf("connection after Close: %v", cn.Err())
	}
	if _, err := c.Metadata(context.Background()); err == nil {
		t.Fatal("Metadata after Close succeeded")
	}
}

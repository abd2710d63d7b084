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

// coordFake is one scripted broker that is also every group's coordinator.
// Like a real broker it answers the requests of one connection one at a
// time, in order, so a request it holds delays everything behind it on
// that socket. It answers FindCoordinator with the next code of findCodes
// (itself once they run out), holds each JoinGroup until release is closed,
// and answers Fetch and Metadata at once.
type coordFake struct {
	addr  string
	port  int32
	conns atomic.Int32 // connections accepted
	finds atomic.Int32 // FindCoordinator requests answered

	mu        sync.Mutex
	findCodes []int16

	joined  chan struct{} // receives when a JoinGroup arrives
	release chan struct{} // closed to answer the held JoinGroups

	// holdFetches makes Fetches wait, like JoinGroups, for release;
	// fetched receives when one arrives.
	holdFetches atomic.Bool
	fetched     chan struct{}
	hangup      atomic.Bool // close the next connection that sends a request
}

var coordVersions = []protocol.ApiVersionsKey{
	{ApiKey: int16(protocol.KeyFetch), MinVersion: 4, MaxVersion: 12},
	{ApiKey: int16(protocol.KeyMetadata), MaxVersion: 12},
	{ApiKey: int16(protocol.KeyFindCoordinator), MaxVersion: 6},
	{ApiKey: int16(protocol.KeyJoinGroup), MaxVersion: 9},
	{ApiKey: int16(protocol.KeyOffsetCommit), MaxVersion: 9},
	{ApiKey: int16(protocol.KeyApiVersions), MaxVersion: 4},
}

func newCoordFake(t *testing.T) *coordFake {
	cf := &coordFake{joined: make(chan struct{}, 10), release: make(chan struct{}), fetched: make(chan struct{}, 10)}
	fb := newFake(t, func(f *fakeConn) {
		cf.conns.Add(1)
		r, ok := f.read()
		if !ok || r.header.APIKey != protocol.KeyApiVersions {
			return
		}
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: coordVersions, FinalizedFeaturesEpoch: -1})
		for {
			r, ok := f.read()
			if !ok || cf.hangup.CompareAndSwap(true, false) {
				return
			}
			f.reply(r, cf.answer(t, f, r))
		}
	})
	cf.addr = fb.addr
	_, port, _ := net.SplitHostPort(fb.addr)
	p, _ := strconv.Atoi(port)
	cf.port = int32(p)
	t.Cleanup(func() {
		select {
		case <-cf.release:
		default:
			close(cf.release)
		}
	})
	return cf
}

func (cf *coordFake) answer(t *testing.T, f *fakeConn, r request) protocol.Message {
	switch r.header.APIKey {
	case protocol.KeyMetadata:
		return &protocol.MetadataResponse{ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
			Brokers: []protocol.MetadataResponseBroker{{NodeId: 1, Host: "127.0.0.1", Port: cf.port}}}
	case protocol.KeyFindCoordinator:
		cf.finds.Add(1)
		req := &protocol.FindCoordinatorRequest{Version: r.header.APIVersion}
		if err := req.Decode(r.body); err != nil {
			t.Errorf("fake: FindCoordinator: %v", err)
		}
		cf.mu.Lock()
		var code int16
		if len(cf.findCodes) > 0 {
			code, cf.findCodes = cf.findCodes[0], cf.findCodes[1:]
		}
		cf.mu.Unlock()
		c := protocol.FindCoordinatorResponseCoordinator{Key: req.CoordinatorKeys[0], NodeId: 1, Host: "127.0.0.1", Port: cf.port, ErrorCode: code}
		if code != 0 {
			c.NodeId, c.Host, c.Port = -1, "", -1
		}
		return &protocol.FindCoordinatorResponse{Coordinators: []protocol.FindCoordinatorResponseCoordinator{c}}
	case protocol.KeyJoinGroup:
		cf.joined <- struct{}{}
		<-cf.release
		name := "range"
		return &protocol.JoinGroupResponse{GenerationId: 1, ProtocolName: &name, MemberId: "m", Leader: "m"}
	case protocol.KeyOffsetCommit:
		return &protocol.OffsetCommitResponse{Topics: []protocol.OffsetCommitResponseTopic{}}
	case protocol.KeyFetch:
		if cf.holdFetches.Load() {
			cf.fetched <- struct{}{}
			<-cf.release
		}
		return &protocol.FetchResponse{}
	}
	t.Errorf("fake: unexpected %s", r.header.APIKey)
	return &protocol.MetadataResponse{}
}

// coordSetup is a cluster on a coordFake, a context for the test (10 s)
// and the connection to group g's coordinator.
func coordSetup(t *testing.T) (*coordFake, *Cluster, context.Context, *Conn) {
	t.Helper()
	cf := newCoordFake(t)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{cf.addr}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	coord, err := c.Coordinator(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	return cf, c, ctx, coord
}

// twoToOne checks that a and b are two connections to one broker.
func twoToOne(t *testing.T, aName string, a *Conn, bName string, b *Conn) {
	t.Helper()
	if a == b || a.Addr() != b.Addr() {
		t.Fatalf("%s connection %p at %s, %s connection %p at %s: want two connections to one broker", aName, a, a.Addr(), bName, b, b.Addr())
	}
}

// holdJoin sends a JoinGroup on coord, which cf holds, and returns once
// it reached cf; release checks it is still held, lets it go and checks
// its answer.
func holdJoin(ctx context.Context, t *testing.T, cf *coordFake, coord *Conn) (release func()) {
	t.Helper()
	return holdRequest(ctx, t, cf, coord, cf.joined, "JoinGroup", &protocol.JoinGroupRequest{GroupId: "g", SessionTimeoutMs: 45000,
		RebalanceTimeoutMs: 300000, ProtocolType: "consumer", Protocols: []protocol.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{}}}})
}

// holdFetch is holdJoin for a fetch (cf.holdFetches set).
func holdFetch(ctx context.Context, t *testing.T, cf *coordFake, cn *Conn) (release func()) {
	t.Helper()
	return holdRequest(ctx, t, cf, cn, cf.fetched, "fetch", &protocol.FetchRequest{ReplicaId: -1, MaxWaitMs: 500, MaxBytes: 1 << 20,
		SessionEpoch: -1, Topics: []protocol.FetchTopic{}, ForgottenTopicsData: []protocol.FetchRequestForgottenTopic{}})
}

// holdRequest sends req on cn and returns once arrived says cf holds it;
// release checks it is still held, lets every held request go and checks
// its answer.
func holdRequest(ctx context.Context, t *testing.T, cf *coordFake, cn *Conn, arrived <-chan struct{}, what string, req protocol.Request) (release func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := cn.Do(ctx, req)
		done <- err
	}()
	select {
	case <-arrived:
	case <-ctx.Done():
		t.Fatalf("the %s never reached the broker", what)
	}
	return func() {
		t.Helper()
		select {
		case err := <-done:
			t.Fatalf("the %s was answered before its release: %v", what, err)
		default:
		}
		close(cf.release)
		if err := <-done; err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// TestCoordinatorConnectionApartFromFetches: a JoinGroup the coordinator
// holds (as it does for up to the rebalance timeout while it waits for the
// other members) delays no fetch to the same broker, because group traffic
// travels on the coordination connection and fetches on the data one.
func TestCoordinatorConnectionApartFromFetches(t *testing.T) {
	cf, c, ctx, coord := coordSetup(t)
	data, err := c.Broker(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	twoToOne(t, "coordinator", coord, "data", data)
	release := holdJoin(ctx, t, cf, coord)
	for i := range 3 {
		start := time.Now()
		fctx, fcancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := data.Do(fctx, &protocol.FetchRequest{ReplicaId: -1, MaxBytes: 1 << 20, SessionEpoch: -1,
			Topics: []protocol.FetchTopic{}, ForgottenTopicsData: []protocol.FetchRequestForgottenTopic{}})
		fcancel()
		if err != nil {
			t.Fatalf("fetch %d while a JoinGroup is held: %v (after %v)", i, err, time.Since(start))
		}
	}
	release()
	if n := cf.conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (data and coordination)", n)
	}
}

// TestOffsetsApartFromMembership: an OffsetCommit goes out on the offsets
// connection, so a JoinGroup the coordinator holds on the membership
// connection (until the other members join) does not delay it; both
// connections go to the one coordinator of the one cached lookup.
func TestOffsetsApartFromMembership(t *testing.T) {
	cf, c, ctx, coord := coordSetup(t)
	release := holdJoin(ctx, t, cf, coord)
	offsets, err := c.OffsetsCoordinator(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	twoToOne(t, "offsets", offsets, "membership", coord)
	cctx, ccancel := context.WithTimeout(ctx, 3*time.Second)
	defer ccancel()
	if _, err := offsets.Do(cctx, &protocol.OffsetCommitRequest{GroupId: "g", GenerationIdOrMemberEpoch: 1, MemberId: "m",
		RetentionTimeMs: -1, Topics: []protocol.OffsetCommitRequestTopic{}}); err != nil {
		t.Fatalf("OffsetCommit while a JoinGroup is held: %v", err)
	}
	release()
	if n := cf.finds.Load(); n != 1 {
		t.Fatalf("%d FindCoordinator requests, want 1 (one cached lookup for both connections)", n)
	}
}

// TestFindCoordinatorNotBehindFetches: the coordinator lookup goes out on
// a coordination connection, so a fetch long-poll the broker holds on the
// fetch connection does not delay it (here the fetch is held until the end
// of the test: a lookup sent behind it would never be answered in time).
func TestFindCoordinatorNotBehindFetches(t *testing.T) {
	cf, c, ctx, fc, release := heldFetchSetup(t)
	lctx, lcancel := context.WithTimeout(ctx, 3*time.Second)
	defer lcancel()
	coord, err := c.Coordinator(lctx, "g")
	if err != nil {
		t.Fatalf("coordinator lookup while a fetch is held: %v", err)
	}
	if coord == fc {
		t.Fatal("the coordinator connection is the fetch connection")
	}
	if n := cf.finds.Load(); n != 1 {
		t.Fatalf("%d FindCoordinator requests, want 1", n)
	}
	release()
}

// TestCoordinatorCached: one FindCoordinator serves every later call and
// every concurrent one; NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and a
// dead connection forget it, COORDINATOR_LOAD_IN_PROGRESS does not, and an
// invalidation that names an old connection leaves a newer answer alone.
func TestCoordinatorCached(t *testing.T) {
	cf := newCoordFake(t)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{cf.addr}, ReconnectBackoff: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	conns := make([]*Conn, 20)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if conns[i], err = c.Coordinator(ctx, "g"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, cn := range conns[1:] {
		if cn != conns[0] {
			t.Fatal("concurrent callers got different coordinator connections")
		}
	}
	cn := conns[0]
	if b, ok := c.CachedCoordinator("g"); !ok || b.ID != 1 || b.Addr() != cf.addr {
		t.Fatalf("CachedCoordinator = %+v, %v; want broker 1 at %s", b, ok, cf.addr)
	}
	if _, ok := c.CachedCoordinator("other"); ok {
		t.Fatal("a group never looked up has a cached coordinator")
	}
	for range 5 {
		if got, err := c.Coordinator(ctx, "g"); err != nil || got != cn {
			t.Fatalf("cached coordinator: %v (same conn: %v)", err, got == cn)
		}
	}
	if n := cf.finds.Load(); n != 1 {
		t.Fatalf("%d FindCoordinator requests, want 1", n)
	}

	for _, tc := range []struct {
		err    error
		forget bool
	}{
		{protocol.ErrNotCoordinator, true},
		{protocol.ErrorWithMessage(protocol.ErrCoordinatorNotAvailable.Code, ptr("moving")), true},
		{&Error{Broker: cf.addr, Op: "read", Err: errors.New("reset")}, true},
		{protocol.ErrCoordinatorLoadInProgress, false},
		{protocol.ErrIllegalGeneration, false},
	} {
		before := cf.finds.Load()
		if got := c.CoordinatorFailed("g", cn, tc.err); got != tc.forget {
			t.Errorf("CoordinatorFailed(%v) = %v, want %v", tc.err, got, tc.forget)
		}
		if _, err := c.Coordinator(ctx, "g"); err != nil {
			t.Fatal(err)
		}
		want := before
		if tc.forget {
			want++
		}
		if n := cf.finds.Load(); n != want {
			t.Errorf("after %v: %d FindCoordinator requests, want %d", tc.err, n, want)
		}
	}

	// Another group has an entry of its own.
	if _, err := c.Coordinator(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	before := cf.finds.Load()
	if before != 5 {
		t.Fatalf("%d FindCoordinator requests, want 5", before)
	}
	// An invalidation from a connection to another address leaves the entry.
	other := &Conn{addr: "127.0.0.1:1"}
	c.InvalidateCoordinator("g", other)
	c.Coordinator(ctx, "g")
	if n := cf.finds.Load(); n != before {
		t.Fatalf("invalidation naming another broker: %d FindCoordinator requests, want %d", n, before)
	}
	c.InvalidateCoordinator("g", nil)
	if _, ok := c.CachedCoordinator("g"); ok {
		t.Fatal("a forgotten coordinator is still cached")
	}
	c.Coordinator(ctx, "g")
	if n := cf.finds.Load(); n != before+1 {
		t.Fatalf("invalidation without a connection: %d FindCoordinator requests, want %d", n, before+1)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCoordinatorErrorsNotCached: a FindCoordinator error is returned and
// nothing is cached, so the next call asks again; a coordinator whose
// connection died is redialed.
func TestCoordinatorErrorsNotCached(t *testing.T) {
	cf := newCoordFake(t)
	cf.findCodes = []int16{protocol.ErrCoordinatorNotAvailable.Code, protocol.ErrGroupAuthorizationFailed.Code}
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{cf.addr}, ReconnectBackoff: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Coordinator(ctx, "g"); !errors.Is(err, protocol.ErrCoordinatorNotAvailable) {
		t.Fatalf("err = %v, want COORDINATOR_NOT_AVAILABLE", err)
	}
	if _, err := c.Coordinator(ctx, "g"); !errors.Is(err, protocol.ErrGroupAuthorizationFailed) {
		t.Fatalf("err = %v, want GROUP_AUTHORIZATION_FAILED", err)
	}
	cn, err := c.Coordinator(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	if n := cf.finds.Load(); n != 3 {
		t.Fatalf("%d FindCoordinator requests, want 3", n)
	}
	// The broker hangs up the coordinator connection: the request fails
	// with a connection error, which forgets the coordinator.
	cf.hangup.Store(true)
	_, err = cn.Do(ctx, &protocol.JoinGroupRequest{GroupId: "g", ProtocolType: "consumer", Protocols: []protocol.JoinGroupRequestProtocol{}})
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a connection error", err)
	}
	if !c.CoordinatorFailed("g", cn, err) {
		t.Fatal("a connection error does not forget the coordinator")
	}
	cn2, err := c.Coordinator(ctx, "g")
	if err != nil || cn2 == cn || cn2.Err() != nil {
		t.Fatalf("after the connection died: %v (same conn: %v)", err, cn2 == cn)
	}
	if n := cf.finds.Load(); n != 4 {
		t.Fatalf("%d FindCoordinator requests, want 4", n)
	}
}

// TestCoordinatorClosed: Close closes the coordinator connections too, and
// later lookups fail.
func TestCoordinatorClosed(t *testing.T) {
	cf := newCoordFake(t)
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{cf.addr}})
	cn, err := c.Coordinator(context.Background(), "g")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !errors.Is(cn.Err(), ErrClosed) {
		t.Fatalf("coordinator connection after Close: %v", cn.Err())
	}
	if _, err := c.Coordinator(context.Background(), "g"); err == nil {
		t.Fatal("Coordinator after Close succeeded")
	}
}

// TestDataNotBehindFetches: fetches go out on a connection of their own
// (FetchBroker), so a fetch the broker holds delays no request on the data
// connection to the same broker (Broker: metadata, a new partition's
// offset lookup). Here the fetch is held until the end of the test: a
// request sent behind it would never be answered in time.
func TestDataNotBehindFetches(t *testing.T) {
	_, c, ctx, fc, release := heldFetchSetup(t)
	data, err := c.Broker(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	twoToOne(t, "data", data, "fetch", fc)
	if again, err := c.FetchBroker(ctx, 1); err != nil || again != fc {
		t.Fatalf("FetchBroker again: %p, %v; want the same connection %p", again, err, fc)
	}
	mctx, mcancel := context.WithTimeout(ctx, 3*time.Second)
	defer mcancel()
	if _, err := data.Do(mctx, &protocol.MetadataRequest{Version: 12}); err != nil {
		t.Fatalf("metadata on the data connection while a fetch is held: %v", err)
	}
	release()
}

// heldFetchSetup is a cluster on a coordFake with a fetch held on the
// fetch connection to broker 1 (fc); release lets it go (holdFetch).
func heldFetchSetup(t *testing.T) (cf *coordFake, c *Cluster, ctx context.Context, fc *Conn, release func()) {
	t.Helper()
	cf = newCoordFake(t)
	cf.holdFetches.Store(true)
	c = newTestCluster(t, ClusterConfig{Bootstrap: []string{cf.addr}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	fc, err := c.FetchBroker(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return cf, c, ctx, fc, holdFetch(ctx, t, cf, fc)
}

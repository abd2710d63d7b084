package group

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/fakebroker"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestFindFromCluster: the coordinator comes from the cluster's cache, and
// an answer saying it moved (NOT_COORDINATOR) forgets it, so that the next
// lookup asks FindCoordinator again; a plain answer keeps it.
func TestFindFromCluster(t *testing.T) {
	ln := fakebroker.Listen(t)
	port := ln.Port()
	var mu sync.Mutex
	finds := 0
	hbCodes := []int16{protocol.ErrNotCoordinator.Code, 0}
	answer := func(req protocol.Request) protocol.Response {
		mu.Lock()
		defer mu.Unlock()
		switch r := req.(type) {
		case *protocol.ApiVersionsRequest:
			return &protocol.ApiVersionsResponse{FinalizedFeaturesEpoch: -1, ApiKeys: []protocol.ApiVersionsKey{
				{ApiKey: int16(protocol.KeyApiVersions), MaxVersion: 3},
				{ApiKey: int16(protocol.KeyMetadata), MaxVersion: 12},
				{ApiKey: int16(protocol.KeyFindCoordinator), MaxVersion: 6},
				{ApiKey: int16(protocol.KeyHeartbeat), MaxVersion: 4},
			}}
		case *protocol.MetadataRequest:
			return &protocol.MetadataResponse{ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
				Brokers: []protocol.MetadataResponseBroker{{NodeId: 1, Host: "127.0.0.1", Port: port}}}
		case *protocol.FindCoordinatorRequest:
			finds++
			return &protocol.FindCoordinatorResponse{Coordinators: []protocol.FindCoordinatorResponseCoordinator{
				{Key: r.CoordinatorKeys[0], NodeId: 1, Host: "127.0.0.1", Port: port}}}
		case *protocol.HeartbeatRequest:
			code := hbCodes[0]
			hbCodes = hbCodes[1:]
			return &protocol.HeartbeatResponse{ErrorCode: code}
		}
		t.Errorf("unexpected %s", req.Key())
		return nil
	}
	ln.Serve(answer)
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: []string{ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	find := FindFromCluster(cl)
	hb := func() {
		co, err := find(ctx, "g")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := co.Version(protocol.KeyHeartbeat)
		if _, err := co.DoPinned(ctx, &protocol.HeartbeatRequest{Version: v, GroupId: "g", GenerationId: 1, MemberId: "m"}); err != nil {
			t.Fatal(err)
		}
	}
	hb() // NOT_COORDINATOR: forgotten
	if _, ok := cl.CachedCoordinator("g"); ok {
		t.Error("the coordinator is still cached after NOT_COORDINATOR")
	}
	hb() // found again; a plain answer keeps it
	if _, ok := cl.CachedCoordinator("g"); !ok {
		t.Error("the coordinator is not cached after a plain answer")
	}
	mu.Lock()
	defer mu.Unlock()
	if finds != 2 {
		t.Errorf("%d FindCoordinator requests; want 2", finds)
	}
}

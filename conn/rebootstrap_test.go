package conn

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestRebootstrapRequired: once the cluster id is known, dials to brokers
// carry it with the node id (ApiVersions v5, KIP-1242); a broker that is
// some other node answers REBOOTSTRAP_REQUIRED, the dial fails with that
// error, and the next metadata refresh goes to the bootstrap address alone,
// not to the brokers the stale metadata named.
func TestRebootstrapRequired(t *testing.T) {
	var asked atomic.Pointer[protocol.ApiVersionsRequest]
	var strangerMetadata atomic.Int32
	// stranger is at the address the metadata gives broker 2, but belongs
	// to another cluster.
	stranger := newFake(t, func(f *fakeConn) {
		r, ok := f.read()
		if !ok {
			return
		}
		req := &protocol.ApiVersionsRequest{Version: r.header.APIVersion}
		if err := req.Decode(r.body); err != nil {
			t.Errorf("ApiVersions v%d: %v", r.header.APIVersion, err)
			return
		}
		asked.Store(req)
		if req.ClusterId != nil && *req.ClusterId != "other-cluster" {
			f.reply(r, &protocol.ApiVersionsResponse{ErrorCode: protocol.ErrRebootstrapRequired.Code, ApiKeys: fakeVersions5, FinalizedFeaturesEpoch: -1})
			return
		}
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: fakeVersions5, FinalizedFeaturesEpoch: -1})
		for {
			r, ok := f.read()
			if !ok {
				return
			}
			if r.header.APIKey == protocol.KeyMetadata {
				strangerMetadata.Add(1)
			}
		}
	})
	var bootMetadata atomic.Int32
	var boot *fakeBroker
	boot = newFake(t, func(f *fakeConn) {
		r, ok := f.read()
		if !ok {
			return
		}
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: fakeVersions5, FinalizedFeaturesEpoch: -1})
		for {
			r, ok := f.read()
			if !ok {
				return
			}
			if r.header.APIKey != protocol.KeyMetadata {
				continue
			}
			bootMetadata.Add(1)
			id := "fake-cluster"
			resp := &protocol.MetadataResponse{ClusterId: &id, ControllerId: 1, ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted}
			for i, a := range []string{boot.addr, stranger.addr} {
				host, port, _ := net.SplitHostPort(a)
				p, _ := strconv.Atoi(port)
				resp.Brokers = append(resp.Brokers, protocol.MetadataResponseBroker{NodeId: int32(i + 1), Host: host, Port: int32(p)})
			}
			f.reply(r, resp)
		}
	})
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{boot.addr}, ReconnectBackoff: time.Millisecond, ReconnectBackoffMax: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Metadata(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := c.Broker(ctx, 2)
	if !errors.Is(err, protocol.ErrRebootstrapRequired) {
		t.Fatalf("dial to broker 2: %v, want REBOOTSTRAP_REQUIRED", err)
	}
	req := asked.Load()
	if req == nil || req.Version != 5 || req.ClusterId == nil || *req.ClusterId != "fake-cluster" || req.NodeId != 2 {
		t.Fatalf("ApiVersions to broker 2: %+v, want v5 naming node 2 of fake-cluster", req)
	}
	before := bootMetadata.Load()
	if _, err := c.Metadata(ctx); err != nil {
		t.Fatal(err)
	}
	if bootMetadata.Load() != before+1 || strangerMetadata.Load() != 0 {
		t.Fatalf("after REBOOTSTRAP_REQUIRED: %d metadata requests to the bootstrap address (want %d), %d to the stranger (want 0)",
			bootMetadata.Load(), before+1, strangerMetadata.Load())
	}
	// The bootstrap dial itself named no node: the cluster id was unknown.
	if _, err := c.Broker(ctx, 1); err != nil {
		t.Fatal(err)
	}
}

// fakeVersions5 is fakeVersions with ApiVersions up to v5, as Kafka 4.4 serves.
var fakeVersions5 = func() []protocol.ApiVersionsKey {
	out := append([]protocol.ApiVersionsKey(nil), fakeVersions...)
	for i := range out {
		if out[i].ApiKey == int16(protocol.KeyApiVersions) {
			out[i].MaxVersion = 5
		}
	}
	return out
}()

// TestRedialAsksServedApiVersions: a broker before Kafka 4.4 answers
// ApiVersions v5 with UNSUPPORTED_VERSION; the Cluster remembers the version
// it then served, so a redial of that address asks for it at once.
func TestRedialAsksServedApiVersions(t *testing.T) {
	versions := make(chan int16, 8)
	fb := newFake(t, func(f *fakeConn) {
		for {
			r, ok := f.read()
			if !ok {
				return
			}
			versions <- r.header.APIVersion
			if r.header.APIVersion > 4 {
				// UNSUPPORTED_VERSION in a v0 body, ApiVersions 0-4.
				f.Write([]byte{0, 0, 0, 16, 0, 0, 0, byte(r.header.CorrelationID), 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4})
				continue
			}
			f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: fakeVersions, FinalizedFeaturesEpoch: -1})
			f.read()
			return
		}
	})
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{fb.addr}, ReconnectBackoff: time.Millisecond, ReconnectBackoffMax: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cn, err := c.Any(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := <-versions, <-versions; a != 5 || b != 4 {
		t.Fatalf("first dial asked v%d then v%d, want v5 then v4", a, b)
	}
	cn.Close()
	if _, err := c.Any(ctx); err != nil {
		t.Fatal(err)
	}
	if v := <-versions; v != 4 {
		t.Fatalf("redial asked v%d, want v4 at once", v)
	}
}

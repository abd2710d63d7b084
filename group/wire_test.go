package group

import (
	"context"
	"sync"
	"testing"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/fakebroker"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestDriverOverConn wires the driver to a real *conn.Conn talking to a
// scripted broker over TCP (internal/fakebroker): join, sync, heartbeat and
// leave go through conn's framing and version choice, at the versions the
// broker advertises (JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup
// v3: the oldest that carry static membership).
func TestDriverOverConn(t *testing.T) {
	ln := fakebroker.Listen(t)
	var mu sync.Mutex
	var seen []string
	answer := func(req protocol.Request) protocol.Response {
		mu.Lock()
		seen = append(seen, req.Key().String())
		mu.Unlock()
		switch r := req.(type) {
		case *protocol.ApiVersionsRequest:
			return &protocol.ApiVersionsResponse{FinalizedFeaturesEpoch: -1, ApiKeys: []protocol.ApiVersionsKey{
				{ApiKey: int16(protocol.KeyApiVersions), MaxVersion: 3},
				{ApiKey: int16(protocol.KeyJoinGroup), MaxVersion: 5},
				{ApiKey: int16(protocol.KeySyncGroup), MaxVersion: 3},
				{ApiKey: int16(protocol.KeyHeartbeat), MaxVersion: 3},
				{ApiKey: int16(protocol.KeyLeaveGroup), MaxVersion: 3},
			}}
		case *protocol.JoinGroupRequest:
			if r.Version != 5 || r.GroupInstanceId == nil {
				t.Errorf("JoinGroup v%d instance %v", r.Version, r.GroupInstanceId)
			}
			// v5 has no protocol type in the answer: nothing to check.
			return &protocol.JoinGroupResponse{GenerationId: 7, ProtocolName: str("range"), Leader: "m1", MemberId: "m2"}
		case *protocol.SyncGroupRequest:
			return &protocol.SyncGroupResponse{Assignment: assignment("a/0 b/1")}
		case *protocol.HeartbeatRequest:
			if r.GenerationId != 7 || r.MemberId != "m2" {
				t.Errorf("heartbeat %+v", r)
			}
			return &protocol.HeartbeatResponse{}
		case *protocol.LeaveGroupRequest:
			if len(r.Members) != 1 || r.Members[0].MemberId != "m2" || r.Members[0].GroupInstanceId == nil || *r.Members[0].GroupInstanceId != "i1" {
				t.Errorf("leave %+v", r)
			}
			return &protocol.LeaveGroupResponse{}
		}
		t.Errorf("unexpected %s", req.Key())
		return nil
	}
	ln.Serve(answer)

	c, err := conn.Dial(context.Background(), ln.Addr().String(), conn.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := fastConfig()
	cfg.InstanceID = "i1"
	d := NewDriver(newMember(t, cfg), DriverConfig{
		Find: func(context.Context, string) (Coordinator, error) { return c, nil },
	})
	got := make(chan Action, 100)
	go consumer(d, got)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background(), []string{"a", "b"}) }()
	if a := waitFor[Assign](t, got); fmtTPs(a.Partitions) != "[a/0 b/1]" {
		t.Fatalf("assigned %v", a.Partitions)
	}
	d.Send(Close{Leave: LeaveGroup}) // a static member leaving on request
	waitFor[Revoke](t, got)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen[len(seen)-1] != "LeaveGroup" {
		t.Fatalf("requests %v", seen)
	}
}

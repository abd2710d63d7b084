package group

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// *conn.Conn is a Coordinator as it is.
var _ Coordinator = (*conn.Conn)(nil)

// fakeCoord is a scripted coordinator in memory. Every request and
// response goes through the real codecs at the version chosen, so a
// version gate the driver gets wrong fails here as it would on the wire.
type fakeCoord struct {
	t      *testing.T
	v      map[protocol.APIKey]int16
	handle func(req protocol.Request) protocol.Response

	mu   sync.Mutex
	seen []protocol.APIKey
}

func (f *fakeCoord) Version(key protocol.APIKey) (int16, bool) {
	v, ok := f.v[key]
	return v, ok
}

func (f *fakeCoord) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	body, err := req.Encode(nil)
	if err != nil {
		return nil, err
	}
	got := protocol.NewRequest(req.Key(), req.APIVersion())
	if err := got.Decode(body); err != nil {
		f.t.Errorf("fake: %s v%d: %v", req.Key(), req.APIVersion(), err)
		return nil, err
	}
	f.mu.Lock()
	f.seen = append(f.seen, req.Key())
	f.mu.Unlock()
	resp := f.handle(got)
	if resp == nil {
		return nil, errors.New("fake: connection closed")
	}
	resp.SetAPIVersion(req.APIVersion())
	out, err := resp.Encode(nil)
	if err != nil {
		f.t.Errorf("fake: encode %s: %v", req.Key(), err)
		return nil, err
	}
	dec := req.NewResponse()
	if err := dec.Decode(out); err != nil {
		return nil, err
	}
	return dec, nil
}

func (f *fakeCoord) count(key protocol.APIKey) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, k := range f.seen {
		if k == key {
			n++
		}
	}
	return n
}

var newestVersions = map[protocol.APIKey]int16{
	protocol.KeyJoinGroup: 9, protocol.KeySyncGroup: 5, protocol.KeyHeartbeat: 4, protocol.KeyLeaveGroup: 5,
}

func fastConfig() Config {
	c := testConfig()
	c.HeartbeatInterval = 5 * time.Millisecond
	c.SessionTimeout = 5 * time.Second
	c.MaxPollInterval = 10 * time.Second
	c.RetryBackoff = time.Millisecond
	c.RetryBackoffMax = 5 * time.Millisecond
	return c
}

// consumer plays the Consumer: it performs listener actions, answers
// Revoke and Lose with RevokeDone, and records what it saw.
func consumer(d *Driver, got chan<- Action) {
	for {
		select {
		case <-d.Done():
			return
		case <-d.Ready():
			for _, a := range d.Take() {
				got <- a
				switch a.(type) {
				case Revoke, Lose:
					d.Send(RevokeDone{})
				}
			}
		}
	}
}

func waitFor[T Action](t *testing.T, got <-chan Action) T {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case a := <-got:
			if x, ok := a.(T); ok {
				return x
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T", zero)
			return zero
		}
	}
}

func TestDriverLeaderLifecycle(t *testing.T) {
	var mu sync.Mutex
	joins := 0
	fc := &fakeCoord{t: t, v: newestVersions}
	fc.handle = func(req protocol.Request) protocol.Response {
		mu.Lock()
		defer mu.Unlock()
		switch r := req.(type) {
		case *protocol.JoinGroupRequest:
			joins++
			if r.MemberId == "" {
				return &protocol.JoinGroupResponse{ErrorCode: protocol.ErrMemberIdRequired.Code, GenerationId: -1, MemberId: "m1", ProtocolName: str("")}
			}
			var sub protocol.ConsumerProtocolSubscription
			if err := sub.Decode(r.Protocols[0].Metadata); err != nil || len(sub.Topics) != 1 || sub.Topics[0] != "a" {
				t.Errorf("subscription %+v, %v", sub, err)
			}
			return &protocol.JoinGroupResponse{GenerationId: 1, ProtocolType: str("consumer"), ProtocolName: str("range"),
				Leader: "m1", MemberId: "m1", Members: []protocol.JoinGroupResponseMember{{MemberId: "m1", Metadata: r.Protocols[0].Metadata}}}
		case *protocol.SyncGroupRequest:
			if len(r.Assignments) != 1 || r.GenerationId != 1 || r.ProtocolName == nil || *r.ProtocolName != "range" {
				t.Errorf("sync %+v", r)
			}
			return &protocol.SyncGroupResponse{ProtocolType: str("consumer"), ProtocolName: str("range"), Assignment: r.Assignments[0].Assignment}
		case *protocol.HeartbeatRequest:
			return &protocol.HeartbeatResponse{}
		case *protocol.LeaveGroupRequest:
			if len(r.Members) != 1 || r.Members[0].MemberId != "m1" {
				t.Errorf("leave %+v", r)
			}
			return &protocol.LeaveGroupResponse{Members: []protocol.LeaveGroupResponseMemberResponse{{MemberId: "m1"}}}
		}
		t.Errorf("unexpected %T", req)
		return nil
	}
	var logged bytes.Buffer // read once Run has returned
	d := NewDriver(newMember(t, fastConfig()), DriverConfig{
		Find: func(ctx context.Context, group string) (Coordinator, error) { return fc, nil },
		Assign: func(ctx context.Context, a ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
			return []protocol.SyncGroupRequestAssignment{{MemberId: "m1", Assignment: assignment("a/0 a/1")}}, map[string]int32{"a": 2}, nil
		},
		Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	got := make(chan Action, 100)
	go consumer(d, got)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background(), []string{"a"}) }()

	if a := waitFor[Assign](t, got); fmtTPs(a.Partitions) != "[a/0 a/1]" {
		t.Fatalf("assigned %v", a.Partitions)
	}
	deadline := time.Now().Add(5 * time.Second)
	for fc.count(protocol.KeyHeartbeat) < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling, bounded by the deadline
	}
	if n := fc.count(protocol.KeyHeartbeat); n < 3 {
		t.Fatalf("%d heartbeats", n)
	}
	d.Send(Close{})
	waitFor[CommitBeforeRevoke](t, got)
	if a := waitFor[Revoke](t, got); len(a.Partitions) != 2 {
		t.Fatalf("revoked %v", a.Partitions)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if fc.count(protocol.KeyLeaveGroup) != 1 || joins != 2 {
		t.Fatalf("leaves %d, joins %d", fc.count(protocol.KeyLeaveGroup), joins)
	}
	// Every heartbeat answered has its debug line, with the generation
	// and member it was for and its round trip.
	lines := 0
	for _, l := range strings.Split(logged.String(), "\n") {
		if strings.Contains(l, `msg="group: heartbeat"`) {
			lines++
			if !strings.Contains(l, "member_id=m1 generation=1 rtt=") || strings.Contains(l, "err=") {
				t.Errorf("heartbeat line %q", l)
			}
		}
	}
	if n := fc.count(protocol.KeyHeartbeat); lines < 3 || lines > n {
		t.Errorf("%d heartbeat lines for %d heartbeats sent:\n%s", lines, n, logged.String())
	}
}

func TestDriverFencedStaticMember(t *testing.T) {
	fc := &fakeCoord{t: t, v: newestVersions}
	fc.handle = func(req protocol.Request) protocol.Response {
		switch r := req.(type) {
		case *protocol.JoinGroupRequest:
			if r.GroupInstanceId == nil || *r.GroupInstanceId != "i1" {
				t.Errorf("join without the instance id: %+v", r)
			}
			return &protocol.JoinGroupResponse{GenerationId: 3, ProtocolType: str("consumer"), ProtocolName: str("range"), Leader: "m1", MemberId: "m2"}
		case *protocol.SyncGroupRequest:
			return &protocol.SyncGroupResponse{ProtocolType: str("consumer"), ProtocolName: str("range"), Assignment: assignment("a/3")}
		case *protocol.HeartbeatRequest:
			return &protocol.HeartbeatResponse{ErrorCode: protocol.ErrFencedInstanceId.Code}
		}
		t.Errorf("unexpected %T", req)
		return nil
	}
	cfg := fastConfig()
	cfg.InstanceID = "i1"
	d := NewDriver(newMember(t, cfg), DriverConfig{
		Find: func(ctx context.Context, group string) (Coordinator, error) { return fc, nil },
	})
	got := make(chan Action, 100)
	go consumer(d, got)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background(), []string{"a"}) }()
	waitFor[Assign](t, got)
	if l := waitFor[Lose](t, got); fmtTPs(l.Partitions) != "[a/3]" {
		t.Fatalf("lost %v", l.Partitions)
	}
	f := waitFor[Fail](t, got)
	d.Send(Close{})
	err := <-errc
	if !errors.Is(err, protocol.ErrFencedInstanceId) || err != f.Err {
		t.Fatalf("Run: %v; Fail: %v", err, f.Err)
	}
	if fc.count(protocol.KeyLeaveGroup) != 0 {
		t.Fatal("a fenced member sent LeaveGroup")
	}
}

func TestDriverRediscoversAfterConnectionError(t *testing.T) {
	var mu sync.Mutex
	finds, broken := 0, true
	fc := &fakeCoord{t: t, v: newestVersions}
	fc.handle = func(req protocol.Request) protocol.Response {
		mu.Lock()
		defer mu.Unlock()
		switch req.(type) {
		case *protocol.JoinGroupRequest:
			if broken {
				broken = false
				return nil // the connection breaks under the first join
			}
			return &protocol.JoinGroupResponse{GenerationId: 1, ProtocolType: str("consumer"), ProtocolName: str("range"), Leader: "m9", MemberId: "m2"}
		case *protocol.SyncGroupRequest:
			return &protocol.SyncGroupResponse{Assignment: assignment("a/0")}
		case *protocol.HeartbeatRequest:
			return &protocol.HeartbeatResponse{}
		}
		return nil
	}
	d := NewDriver(newMember(t, fastConfig()), DriverConfig{
		Find: func(ctx context.Context, group string) (Coordinator, error) {
			mu.Lock()
			defer mu.Unlock()
			finds++
			if finds == 2 {
				return nil, protocol.ErrCoordinatorNotAvailable
			}
			return fc, nil
		},
	})
	got := make(chan Action, 100)
	go consumer(d, got)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx, []string{"a"}) }()
	waitFor[Assign](t, got)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if finds != 3 {
		t.Fatalf("%d lookups, want 3 (first, failed, found)", finds)
	}
}

func TestDriverOldBrokerRefusesStaticMember(t *testing.T) {
	fc := &fakeCoord{t: t, v: map[protocol.APIKey]int16{protocol.KeyJoinGroup: 4}}
	fc.handle = func(req protocol.Request) protocol.Response { t.Errorf("sent %T", req); return nil }
	cfg := fastConfig()
	cfg.InstanceID = "i1"
	d := NewDriver(newMember(t, cfg), DriverConfig{Find: func(context.Context, string) (Coordinator, error) { return fc, nil }})
	got := make(chan Action, 10)
	go consumer(d, got)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background(), []string{"a"}) }()
	waitFor[Fail](t, got)
	d.Send(Close{})
	if err := <-errc; !errors.Is(err, protocol.ErrUnsupportedVersion) {
		t.Fatal(err)
	}
}

// TestDriverPollIntervalExpiry: a Consumer that stops polling loses its
// membership on the driver's own timer (LeaveGroup as a dynamic member);
// its next Poll reports the partitions lost and rejoins.
func TestDriverPollIntervalExpiry(t *testing.T) {
	var mu sync.Mutex
	gen := int32(0)
	fc := &fakeCoord{t: t, v: newestVersions}
	fc.handle = func(req protocol.Request) protocol.Response {
		mu.Lock()
		defer mu.Unlock()
		switch req.(type) {
		case *protocol.JoinGroupRequest:
			gen++
			return &protocol.JoinGroupResponse{GenerationId: gen, ProtocolType: str("consumer"), ProtocolName: str("range"), Leader: "m9", MemberId: "m2"}
		case *protocol.SyncGroupRequest:
			return &protocol.SyncGroupResponse{Assignment: assignment("a/0")}
		case *protocol.HeartbeatRequest:
			return &protocol.HeartbeatResponse{}
		case *protocol.LeaveGroupRequest:
			return &protocol.LeaveGroupResponse{}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.MaxPollInterval = 30 * time.Millisecond
	d := NewDriver(newMember(t, cfg), DriverConfig{Find: func(context.Context, string) (Coordinator, error) { return fc, nil }})
	got := make(chan Action, 100)
	go consumer(d, got)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(context.Background(), []string{"a"}) }()
	waitFor[Assign](t, got)
	deadline := time.Now().Add(5 * time.Second)
	for fc.count(protocol.KeyLeaveGroup) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling, bounded by the deadline
	}
	if fc.count(protocol.KeyLeaveGroup) != 1 {
		t.Fatal("no LeaveGroup after max.poll.interval.ms")
	}
	d.Send(Poll{})
	if l := waitFor[Lose](t, got); !errors.Is(l.Reason, ErrPollIntervalExceeded) {
		t.Fatalf("lost for %v", l.Reason)
	}
	waitFor[Assign](t, got)
	// Close, without polling: by now the interval may have run out again,
	// so the partition is revoked or lost; either way Run ends.
	d.Send(Close{Leave: RemainInGroup})
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := fc.count(protocol.KeyJoinGroup); n != 2 {
		t.Fatalf("%d joins", n)
	}
}

package rawkafka

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/group"
	"github.com/rawkafka/rawkafka/protocol"
)

// timingCoordinator answers each request with the next of its answers,
// after a delay.
type timingCoordinator struct {
	answers []protocol.Response
	delay   time.Duration
}

func (s *timingCoordinator) Version(protocol.APIKey) (int16, bool) { return 0, true }

func (s *timingCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	time.Sleep(s.delay) // the scripted coordinator's latency, which the metrics measure
	r := s.answers[0]
	s.answers = s.answers[1:]
	if r == nil {
		return nil, errors.New("connection reset")
	}
	return r, nil
}

// TestGroupStatsRebalance: one rebalance spans the MEMBER_ID_REQUIRED
// join, a lost SyncGroup and its retry, as Java's lastRebalanceStartMs
// does; each failed request counts in failed-rebalance-total; join-time
// and sync-time count only the successful ones.
func TestGroupStatsRebalance(t *testing.T) {
	g := &groupStats{created: time.Now()}
	co := &timingCoordinator{delay: 5 * time.Millisecond, answers: []protocol.Response{
		&protocol.JoinGroupResponse{ErrorCode: 79}, // MEMBER_ID_REQUIRED
		&protocol.JoinGroupResponse{},
		nil, // the SyncGroup gets no answer
		&protocol.JoinGroupResponse{},
		&protocol.SyncGroupResponse{},
		&protocol.HeartbeatResponse{},
		&protocol.HeartbeatResponse{ErrorCode: 27}, // REBALANCE_IN_PROGRESS: still an answered heartbeat
	}}
	find := timedFind(func(context.Context, string) (group.Coordinator, error) { return co, nil }, g)
	c, err := find(context.Background(), "g")
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []protocol.Request{
		&protocol.JoinGroupRequest{}, &protocol.JoinGroupRequest{}, &protocol.SyncGroupRequest{},
		&protocol.JoinGroupRequest{}, &protocol.SyncGroupRequest{},
		&protocol.HeartbeatRequest{}, &protocol.HeartbeatRequest{},
	} {
		c.DoPinned(context.Background(), req)
	}
	s := g.snapshot(time.Now())
	if s.rebalance.Total != 1 || s.failed.Total != 2 || s.join.Total != 2 || s.sync.Total != 1 || s.heartbeat.Total != 2 {
		t.Errorf("rebalances %d (want 1), failed %d (want 2), joins %d (want 2), syncs %d (want 1), heartbeats %d (want 2)",
			s.rebalance.Total, s.failed.Total, s.join.Total, s.sync.Total, s.heartbeat.Total)
	}
	if least := 5 * 5 * time.Millisecond; s.rebalance.Max < least.Seconds() {
		t.Errorf("rebalance latency %v s, want at least the 5 requests' %v", s.rebalance.Max, least)
	}
	if s.lastRebalanceSecondsAgo != 0 {
		t.Errorf("last-rebalance-seconds-ago %d, want 0", s.lastRebalanceSecondsAgo)
	}
	// The next rebalance starts at its own first JoinGroup.
	co.answers = []protocol.Response{&protocol.JoinGroupResponse{}, &protocol.SyncGroupResponse{}}
	co.delay = 0
	c.DoPinned(context.Background(), &protocol.JoinGroupRequest{})
	c.DoPinned(context.Background(), &protocol.SyncGroupRequest{})
	s = g.snapshot(time.Now())
	if s.rebalance.Total != 2 || s.rebalance.Sum-s.rebalance.Max > 0.02 {
		t.Errorf("second rebalance: total %d, sum %v s, max %v s: want 2, the second one short", s.rebalance.Total, s.rebalance.Sum, s.rebalance.Max)
	}
}

// TestWindowedRatesAndFetchLatency: rebalance-rate-per-hour and
// failed-rebalance-rate-per-hour are Java's Rate(HOURS) over the windows,
// and fetch-latency-avg/-max forget a Fetch older than the windows.
func TestWindowedRatesAndFetchLatency(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := &Consumer{}
	c.gs.created = t0
	c.gs.rebalance.record(t0.Add(5*time.Second), 0.2)
	c.gs.rebalance.record(t0.Add(10*time.Second), 0.4)
	c.gs.failed.record(t0.Add(10*time.Second), 1)
	c.gs.fetch.record(t0.Add(1*time.Second), 0.5) // expired by t0+70s
	c.gs.fetch.record(t0.Add(40*time.Second), 0.1)
	c.gs.fetch.record(t0.Add(50*time.Second), 0.3)
	now := t0.Add(20 * time.Second)
	var m Metrics
	c.fillTimings(&m, c.gs.snapshot(now), now)
	// 2 rebalances in the at-least-30 s window: 240 per hour.
	if got := m.Group.RebalanceRatePerHour; math.Abs(got-240) > 1e-9 {
		t.Errorf("rebalance-rate-per-hour %v, want 240", got)
	}
	if got := m.Group.FailedRebalanceRatePerHour; math.Abs(got-120) > 1e-9 {
		t.Errorf("failed-rebalance-rate-per-hour %v, want 120", got)
	}
	now = t0.Add(70 * time.Second)
	m = Metrics{}
	c.fillTimings(&m, c.gs.snapshot(now), now)
	if m.FetchLatencyAvg != 200*time.Millisecond || m.FetchLatencyMax != 300*time.Millisecond {
		t.Errorf("fetch latency avg %v max %v, want 200ms and 300ms (the fetch at 1 s is out of the windows)", m.FetchLatencyAvg, m.FetchLatencyMax)
	}
	if want := 2.0 / 30; math.Abs(m.FetchRate-want) > 1e-9 {
		t.Errorf("fetch-rate %v, want %v", m.FetchRate, want)
	}
}

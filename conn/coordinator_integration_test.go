package conn_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// join runs JoinGroup for group on cn until the coordinator answers with
// something other than MEMBER_ID_REQUIRED (KIP-394), and returns the answer.
func join(ctx context.Context, t *testing.T, cn *conn.Conn, group, topic string, rebalance time.Duration) *protocol.JoinGroupResponse {
	t.Helper()
	sub, err := (&protocol.ConsumerProtocolSubscription{Version: 0, Topics: []string{topic}}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	req := &protocol.JoinGroupRequest{GroupId: group, SessionTimeoutMs: int32(rebalance / time.Millisecond),
		RebalanceTimeoutMs: int32(rebalance / time.Millisecond), ProtocolType: "consumer",
		Protocols: []protocol.JoinGroupRequestProtocol{{Name: "range", Metadata: sub}}}
	for {
		resp, err := cn.Do(ctx, req)
		if err != nil {
			t.Fatalf("JoinGroup: %v", err)
		}
		r := resp.(*protocol.JoinGroupResponse)
		if err := protocol.ErrorForCode(r.ErrorCode); errors.Is(err, protocol.ErrMemberIdRequired) {
			req.MemberId = r.MemberId
			continue
		}
		return r
	}
}

// TestIntegrationJoinGroupDelaysNoFetch: on a real broker, a second member's
// JoinGroup is held by the coordinator while it waits for the first member
// to rejoin (up to the first member's rebalance timeout); meanwhile fetches
// from that same broker, through the same Cluster, answer in their own
// fetch.max.wait.ms, because the JoinGroup waits on the coordination
// connection and the fetches travel on the data one.
func TestIntegrationJoinGroupDelaysNoFetch(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	group := kafkatest.TopicName(t) + "-group"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	newCluster := func() *conn.Cluster {
		c, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(brokers, ",")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	// The first member joins and syncs: the group is stable with it alone.
	a := newCluster()
	ca := coordinatorOf(ctx, t, a, group)
	const rebalance = 8 * time.Second
	ja := join(ctx, t, ca, group, topic, rebalance)
	if ja.ErrorCode != 0 || ja.Leader != ja.MemberId {
		t.Fatalf("first join: error %d, leader %q, member %q", ja.ErrorCode, ja.Leader, ja.MemberId)
	}
	assignment, _ := (&protocol.ConsumerProtocolAssignment{AssignedPartitions: []protocol.ConsumerProtocolTopicPartition{
		{Topic: topic, Partitions: []int32{0}}}}).Encode(nil)
	resp, err := ca.Do(ctx, &protocol.SyncGroupRequest{GroupId: group, GenerationId: ja.GenerationId, MemberId: ja.MemberId,
		ProtocolType: ptr("consumer"), ProtocolName: ja.ProtocolName,
		Assignments: []protocol.SyncGroupRequestAssignment{{MemberId: ja.MemberId, Assignment: assignment}}})
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.(*protocol.SyncGroupResponse).ErrorCode; code != 0 {
		t.Fatalf("SyncGroup: %v", protocol.ErrorForCode(code))
	}

	// The second member's JoinGroup is held: the first never rejoins.
	b := newCluster()
	cb, err := b.Coordinator(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	joinCtx, stopJoin := context.WithCancel(ctx)
	defer stopJoin()
	joined := make(chan time.Time, 1)
	rejoining := make(chan struct{}) // closed when the join with a member id goes out
	go func() {
		sub, _ := (&protocol.ConsumerProtocolSubscription{Topics: []string{topic}}).Encode(nil)
		req := &protocol.JoinGroupRequest{GroupId: group, SessionTimeoutMs: int32(rebalance / time.Millisecond),
			RebalanceTimeoutMs: int32(rebalance / time.Millisecond), ProtocolType: "consumer",
			Protocols: []protocol.JoinGroupRequestProtocol{{Name: "range", Metadata: sub}}}
		for {
			resp, err := cb.Do(joinCtx, req)
			if err != nil {
				return
			}
			r := resp.(*protocol.JoinGroupResponse)
			if errors.Is(protocol.ErrorForCode(r.ErrorCode), protocol.ErrMemberIdRequired) && req.MemberId == "" {
				req.MemberId = r.MemberId
				close(rejoining)
				continue
			}
			joined <- time.Now()
			return
		}
	}()
	// Wait until the held JoinGroup is in flight (the MEMBER_ID_REQUIRED
	// round trip comes first).
	select {
	case <-rejoining:
	case at := <-joined:
		t.Fatalf("the second JoinGroup was answered at once (%v), without MEMBER_ID_REQUIRED or a hold", at)
	case <-ctx.Done():
		t.Fatal("no MEMBER_ID_REQUIRED answer")
	}
	for cb.InFlight() == 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond) // polling for the rejoin to be sent, bounded by ctx
	}
	if cb.InFlight() != 1 {
		t.Fatalf("%d requests in flight on the coordinator connection, want the held JoinGroup", cb.InFlight())
	}

	md, err := b.Metadata(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := md.Partition(topic, 0)
	data, err := b.Broker(ctx, p.Leader)
	if err != nil {
		t.Fatal(err)
	}
	if data == cb || data.Addr() != cb.Addr() {
		t.Fatalf("data connection %s, coordinator connection %s: want two connections to the one broker", data.Addr(), cb.Addr())
	}
	const maxWait = 200 * time.Millisecond
	for i := range 3 {
		start := time.Now()
		req := &protocol.FetchRequest{Version: 12, ReplicaId: -1, MaxWaitMs: int32(maxWait / time.Millisecond), MinBytes: 1,
			MaxBytes: 1 << 20, SessionEpoch: -1, Topics: []protocol.FetchTopic{{Topic: topic, Partitions: []protocol.FetchPartition{{
				Partition: 0, CurrentLeaderEpoch: -1, LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20}}}},
			ForgottenTopicsData: []protocol.FetchRequestForgottenTopic{}}
		fctx, fcancel := context.WithTimeout(ctx, 3*time.Second)
		resp, err := data.DoPinned(fctx, req)
		fcancel()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("fetch %d while a JoinGroup is held: %v after %v", i, err, took)
		}
		if code := resp.(*protocol.FetchResponse).ErrorCode; code != 0 {
			t.Fatalf("fetch %d: %v", i, protocol.ErrorForCode(code))
		}
		if took > maxWait+time.Second {
			t.Fatalf("fetch %d took %v with fetch.max.wait.ms %v", i, took, maxWait)
		}
		t.Logf("fetch %d (an empty partition, a long-poll of %v) answered in %v while the JoinGroup is held", i, maxWait, took.Round(time.Millisecond))
	}
	select {
	case at := <-joined:
		t.Fatalf("the second JoinGroup was answered at %v, before the fetches ended: nothing was held", at)
	default:
	}
	if cb.InFlight() != 1 {
		t.Fatalf("%d requests in flight on the coordinator connection after the fetches, want the held JoinGroup", cb.InFlight())
	}
}

func ptr[T any](v T) *T { return &v }

// coordinatorOf asks cl for group's coordinator until it is known: on a
// fresh broker __consumer_offsets is still being created, and the answer
// is COORDINATOR_NOT_AVAILABLE for a while (as the Java client, retry).
func coordinatorOf(ctx context.Context, t *testing.T, cl *conn.Cluster, group string) *conn.Conn {
	t.Helper()
	for {
		cn, err := cl.Coordinator(ctx, group)
		if err == nil {
			return cn
		}
		if !errors.Is(err, protocol.ErrCoordinatorNotAvailable) || ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // retry backoff, bounded by ctx
	}
}

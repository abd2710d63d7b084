package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/fakebroker"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// lostBroker is a one-broker cluster with an empty topic "t" (one
// partition) that can be made to vanish mid-run: a real broker cannot be
// stopped under the other tests.
type lostBroker struct {
	t       *testing.T
	ln      net.Listener
	port    int32
	mu      sync.Mutex
	conns   []net.Conn
	fetches int
}

func startLostBroker(t *testing.T) *lostBroker {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &lostBroker{t: t, ln: ln, port: int32(ln.Addr().(*net.TCPAddr).Port)}
	var wg sync.WaitGroup
	t.Cleanup(func() { b.vanish(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, nc)
			b.mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); defer nc.Close(); fakebroker.Serve(t, nc, b.answer) }()
		}
	}()
	return b
}

// vanish closes the listener and every connection, as a broker that dies.
func (b *lostBroker) vanish() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

func (b *lostBroker) fetched() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fetches
}

func (b *lostBroker) answer(req protocol.Request) protocol.Response {
	switch r := req.(type) {
	case *protocol.ApiVersionsRequest:
		return &protocol.ApiVersionsResponse{FinalizedFeaturesEpoch: -1, ApiKeys: []protocol.ApiVersionsKey{
			{ApiKey: int16(protocol.KeyFetch), MinVersion: 4, MaxVersion: 12},
			{ApiKey: int16(protocol.KeyListOffsets), MinVersion: 1, MaxVersion: 9},
			{ApiKey: int16(protocol.KeyMetadata), MinVersion: 0, MaxVersion: 12},
			{ApiKey: int16(protocol.KeyOffsetForLeaderEpoch), MinVersion: 2, MaxVersion: 4},
			{ApiKey: int16(protocol.KeyApiVersions), MinVersion: 0, MaxVersion: 4},
		}}
	case *protocol.MetadataRequest:
		name := "t"
		return &protocol.MetadataResponse{ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
			Brokers: []protocol.MetadataResponseBroker{{NodeId: 1, Host: "127.0.0.1", Port: b.port}},
			Topics: []protocol.MetadataResponseTopic{{Name: &name, TopicAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
				Partitions: []protocol.MetadataResponsePartition{{PartitionIndex: 0, LeaderId: 1, ReplicaNodes: []int32{1}, IsrNodes: []int32{1}}}}}}
	case *protocol.ListOffsetsRequest:
		resp := &protocol.ListOffsetsResponse{}
		for _, t := range r.Topics {
			rt := protocol.ListOffsetsResponseTopic{Name: t.Name}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, protocol.ListOffsetsResponsePartition{PartitionIndex: p.PartitionIndex, Timestamp: -1})
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *protocol.OffsetForLeaderEpochRequest:
		resp := &protocol.OffsetForLeaderEpochResponse{}
		for _, t := range r.Topics {
			rt := protocol.OffsetForLeaderEpochResponseTopic{Topic: t.Topic}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, protocol.OffsetForLeaderEpochResponsePartition{Partition: p.Partition})
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *protocol.FetchRequest:
		b.mu.Lock()
		b.fetches++
		b.mu.Unlock()
		// The scripted broker plays an empty long poll: its pace, not a wait
		// for a condition.
		time.Sleep(time.Duration(min(r.MaxWaitMs, 100)) * time.Millisecond)
		resp := &protocol.FetchResponse{}
		for _, t := range r.Topics {
			rt := protocol.FetchableTopicResponse{Topic: t.Topic}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, protocol.FetchResponsePartitionData{PartitionIndex: p.Partition,
					DivergingEpoch: protocol.FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1},
					CurrentLeader:  protocol.FetchResponseLeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1},
					SnapshotId:     protocol.FetchResponseSnapshotId{EndOffset: -1, Epoch: -1}, PreferredReadReplica: -1})
			}
			resp.Responses = append(resp.Responses, rt)
		}
		return resp
	}
	b.t.Errorf("lost broker: unexpected %s", req.Key())
	return nil
}

// TestLostBrokerEndsTheRun: a broker that vanishes mid-run ends it, as
// kcat's "all broker connections are down" does, after no fetch has
// succeeded for max(2 × -m, request.timeout.ms + fetch.max.wait.ms); with
// -E it is said once and the run goes on.
func TestLostBrokerEndsTheRun(t *testing.T) {
	for _, keepGoing := range []bool{false, true} {
		b := startLostBroker(t)
		args := []string{"-b", b.ln.Addr().String(), "-t", "t", "-q", "-m", "1", "-X", "request.timeout.ms=1000",
			"-X", "fetch.max.wait.ms=100", "-X", "enable.fetch.sessions=false", "-X", "reconnect.backoff.max.ms=200"}
		if keepGoing {
			args = append(args, "-E")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var out, errOut bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- run(ctx, args, &out, &errOut) }()
		if !kafkatest.Poll(10*time.Second, func() bool { return b.fetched() >= 3 }) {
			t.Fatalf("the fake broker saw %d fetches", b.fetched())
		}
		idle := time.Now()
		// An idle topic for a second: nothing may be said (an absence; the
		// run is a second older at the loss, whatever the machine's speed).
		time.Sleep(time.Second)
		b.vanish()
		lost := time.Now()
		var code int
		if keepGoing {
			// -E keeps going after the loss: it must still run 5 s later (an
			// absence of exit; a slow machine only runs it longer).
			time.Sleep(5 * time.Second)
			cancel()
			code = <-done
		} else {
			code = <-done
			cancel()
		}
		want := "% ERROR: Local: All broker connections are down: no fetch has succeeded for 2s\n"
		switch {
		case !keepGoing && (code != exitError || errOut.String() != want):
			t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, errOut.String(), want)
		case keepGoing && (code != exitOK || errOut.String() != want):
			t.Errorf("-E: exit %d, stderr %q; want exit 0 (interrupted) and %q once", code, errOut.String(), want)
		case !keepGoing && time.Since(lost) > 10*time.Second:
			t.Errorf("the run ended %v after the broker was lost", time.Since(lost))
		}
		if strings.Contains(errOut.String(), "ERROR") && time.Since(idle) < 2*time.Second {
			t.Errorf("an idle topic taken for a lost broker")
		}
	}
}

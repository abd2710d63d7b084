package commit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/fakebroker"
	"github.com/rawkafka/rawkafka/protocol"
)

// scripted is a one-broker cluster on loopback for the error paths a real
// coordinator rarely shows: FindCoordinator and OffsetFetch answer with the
// next error code of their scripts (0 once they run out, with offset 42
// for every partition).
type scripted struct {
	t    *testing.T
	ln   *fakebroker.Listener
	port int32

	mu          sync.Mutex
	findCodes   []int16
	fetchErrs   []int16 // group-level errors of OffsetFetch
	commitCodes []int16 // errors of OffsetCommit, for every partition of a request
	finds       int
	fetches     int
	commits     int
	lastCommit  *protocol.OffsetCommitRequest
	lastFetch   *protocol.OffsetFetchRequest
}

func newScripted(t *testing.T) *scripted {
	ln := fakebroker.Listen(t)
	s := &scripted{t: t, ln: ln, port: ln.Port()}
	ln.Serve(s.answer)
	return s
}

func next(codes *[]int16) int16 {
	if len(*codes) == 0 {
		return 0
	}
	c := (*codes)[0]
	*codes = (*codes)[1:]
	return c
}

func (s *scripted) answer(req protocol.Request) protocol.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r := req.(type) {
	case *protocol.ApiVersionsRequest:
		return &protocol.ApiVersionsResponse{FinalizedFeaturesEpoch: -1, ApiKeys: []protocol.ApiVersionsKey{
			{ApiKey: int16(protocol.KeyMetadata), MaxVersion: 12},
			{ApiKey: int16(protocol.KeyFindCoordinator), MaxVersion: 6},
			{ApiKey: int16(protocol.KeyOffsetFetch), MaxVersion: 9},
			{ApiKey: int16(protocol.KeyOffsetCommit), MaxVersion: 9},
			{ApiKey: int16(protocol.KeyApiVersions), MaxVersion: 4},
		}}
	case *protocol.MetadataRequest:
		return &protocol.MetadataResponse{ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
			Brokers: []protocol.MetadataResponseBroker{{NodeId: 1, Host: "127.0.0.1", Port: s.port}}}
	case *protocol.FindCoordinatorRequest:
		s.finds++
		c := protocol.FindCoordinatorResponseCoordinator{Key: r.CoordinatorKeys[0], NodeId: 1, Host: "127.0.0.1", Port: s.port,
			ErrorCode: next(&s.findCodes)}
		if c.ErrorCode != 0 {
			c.NodeId, c.Host, c.Port = -1, "", -1
		}
		return &protocol.FindCoordinatorResponse{Coordinators: []protocol.FindCoordinatorResponseCoordinator{c}}
	case *protocol.OffsetCommitRequest:
		s.commits++
		s.lastCommit = r
		code := next(&s.commitCodes)
		resp := &protocol.OffsetCommitResponse{}
		for _, t := range r.Topics {
			rt := protocol.OffsetCommitResponseTopic{Name: t.Name}
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, protocol.OffsetCommitResponsePartition{PartitionIndex: p.PartitionIndex, ErrorCode: code})
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp
	case *protocol.OffsetFetchRequest:
		s.fetches++
		s.lastFetch = r
		g := protocol.OffsetFetchResponseGroup{GroupId: r.Groups[0].GroupId, ErrorCode: next(&s.fetchErrs)}
		if g.ErrorCode == 0 {
			for _, t := range r.Groups[0].Topics {
				rt := protocol.OffsetFetchResponseTopics{Name: t.Name}
				for _, p := range t.PartitionIndexes {
					rt.Partitions = append(rt.Partitions, protocol.OffsetFetchResponsePartitions{PartitionIndex: p,
						CommittedOffset: 42, CommittedLeaderEpoch: 3})
				}
				g.Topics = append(g.Topics, rt)
			}
		}
		return &protocol.OffsetFetchResponse{Groups: []protocol.OffsetFetchResponseGroup{g}}
	}
	s.t.Errorf("scripted broker: unexpected %s", req.Key())
	return nil
}

// TestCommittedRetriesAndFails: a coordinator that is not available, then
// loading, then not the coordinator any more is asked again until it
// answers; GROUP_AUTHORIZATION_FAILED ends the lookup at once; a deadline
// ends it with the last error.
func TestCommittedRetriesAndFails(t *testing.T) {
	s := newScripted(t)
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: []string{s.ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tp := protocol.TopicPartition{Topic: "t", Partition: 3}

	s.findCodes = []int16{protocol.ErrCoordinatorNotAvailable.Code}
	s.fetchErrs = []int16{protocol.ErrCoordinatorLoadInProgress.Code, protocol.ErrNotCoordinator.Code}
	got, err := Committed(ctx, cl, "g", []protocol.TopicPartition{tp}, false)
	if err != nil || got[tp] != (protocol.CommittedOffset{Offset: 42, LeaderEpoch: 3}) || len(got) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
	// COORDINATOR_NOT_AVAILABLE from FindCoordinator caches nothing;
	// COORDINATOR_LOAD_IN_PROGRESS keeps the coordinator, NOT_COORDINATOR
	// forgets it.
	if s.finds != 3 || s.fetches != 3 {
		t.Fatalf("%d FindCoordinator and %d OffsetFetch requests, want 3 and 3", s.finds, s.fetches)
	}

	s.mu.Lock()
	s.fetchErrs = []int16{protocol.ErrGroupAuthorizationFailed.Code}
	s.mu.Unlock()
	if _, err := Committed(ctx, cl, "g", []protocol.TopicPartition{tp}, false); !errors.Is(err, protocol.ErrGroupAuthorizationFailed) {
		t.Fatalf("err = %v, want GROUP_AUTHORIZATION_FAILED", err)
	}

	// The coordinator moves (NOT_COORDINATOR) and no new one is known.
	s.mu.Lock()
	s.fetchErrs = []int16{protocol.ErrNotCoordinator.Code}
	s.findCodes = make([]int16, 1000)
	for i := range s.findCodes {
		s.findCodes[i] = protocol.ErrCoordinatorNotAvailable.Code
	}
	s.mu.Unlock()
	short, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	if _, err := Committed(short, cl, "g", []protocol.TopicPartition{tp}, false); !errors.Is(err, context.DeadlineExceeded) ||
		!errors.Is(err, protocol.ErrCoordinatorNotAvailable) {
		t.Fatalf("err = %v, want the deadline and COORDINATOR_NOT_AVAILABLE", err)
	}
}

package commit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

func newScriptedCommitter(t *testing.T, s *scripted, cfg Config) *Committer {
	t.Helper()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: []string{s.ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	c, err := New(cl, "g", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var someOffsets = map[protocol.TopicPartition]protocol.CommittedOffset{
	{Topic: "t", Partition: 0}: {Offset: 10, LeaderEpoch: 1},
	{Topic: "t", Partition: 1}: {Offset: 20, LeaderEpoch: 1},
}

// TestCommitMember: the member's identity is what OffsetCommit carries;
// the zero Member commits outside any generation.
func TestCommitMember(t *testing.T) {
	s := newScripted(t)
	c := newScriptedCommitter(t, s, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Commit(ctx, Member{}, someOffsets); err != nil {
		t.Fatal(err)
	}
	if r := s.lastCommit; r.GenerationIdOrMemberEpoch != -1 || r.MemberId != "" || r.GroupInstanceId != nil || r.Version != 9 {
		t.Fatalf("outside any generation: sent v%d generation %d member %q instance %v", r.Version, r.GenerationIdOrMemberEpoch, r.MemberId, r.GroupInstanceId)
	}
	// A member id-less Member sends -1 whatever its generation says.
	if err := c.Commit(ctx, Member{GenerationID: 7}, someOffsets); err != nil || s.lastCommit.GenerationIdOrMemberEpoch != -1 {
		t.Fatalf("no member id: %v, generation %d sent", err, s.lastCommit.GenerationIdOrMemberEpoch)
	}
	inst := "instance-1"
	m := Member{MemberID: "m-1", GenerationID: 7, InstanceID: &inst}
	if err := c.Commit(ctx, m, someOffsets); err != nil {
		t.Fatal(err)
	}
	if r := s.lastCommit; r.GenerationIdOrMemberEpoch != 7 || r.MemberId != "m-1" || r.GroupInstanceId == nil || *r.GroupInstanceId != inst {
		t.Fatalf("member: sent generation %d member %q instance %v", r.GenerationIdOrMemberEpoch, r.MemberId, r.GroupInstanceId)
	}
	// The consumer protocol: OffsetFetch names the member and its epoch;
	// the classic one does not.
	tps := []protocol.TopicPartition{{Topic: "t", Partition: 0}}
	if _, err := c.Committed(ctx, m, tps, false); err != nil {
		t.Fatal(err)
	}
	if g := s.lastFetch.Groups[0]; g.MemberId != nil || g.MemberEpoch != -1 {
		t.Fatalf("classic member: OffsetFetch names member %v epoch %d", g.MemberId, g.MemberEpoch)
	}
	m.ConsumerProtocol, m.InstanceID = true, nil
	if _, err := c.Committed(ctx, m, tps, false); err != nil {
		t.Fatal(err)
	}
	if g := s.lastFetch.Groups[0]; g.MemberId == nil || *g.MemberId != "m-1" || g.MemberEpoch != 7 {
		t.Fatalf("consumer-protocol member: OffsetFetch names member %v epoch %d", g.MemberId, g.MemberEpoch)
	}
	if s.finds != 1 {
		t.Fatalf("%d FindCoordinator requests for five calls, want 1 (cached)", s.finds)
	}
}

// TestCommitGroupErrors: a refusal of the member is a *GroupError matching
// ErrCommitFailed and the Kafka error, sent once, never retried, and never
// success; the coordinator stays cached.
func TestCommitGroupErrors(t *testing.T) {
	s := newScripted(t)
	c := newScriptedCommitter(t, s, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m := Member{MemberID: "m-1", GenerationID: 3}
	for _, kerr := range []*protocol.Error{protocol.ErrIllegalGeneration, protocol.ErrUnknownMemberId,
		protocol.ErrRebalanceInProgress, protocol.ErrFencedInstanceId, protocol.ErrStaleMemberEpoch} {
		s.mu.Lock()
		s.commitCodes = []int16{kerr.Code}
		before := s.commits
		s.mu.Unlock()
		err := c.Commit(ctx, m, someOffsets)
		var ge *GroupError
		if !errors.As(err, &ge) || !errors.Is(err, ErrCommitFailed) || !errors.Is(err, kerr) {
			t.Fatalf("%s: err = %v, want a *GroupError matching ErrCommitFailed and %s", kerr.Name, err, kerr.Name)
		}
		if ge.Group != "g" || ge.Member.MemberID != "m-1" || ge.Member.GenerationID != 3 {
			t.Errorf("%s: GroupError %+v", kerr.Name, ge)
		}
		if n := s.commits - before; n != 1 {
			t.Errorf("%s: %d OffsetCommit requests, want 1 (not retried)", kerr.Name, n)
		}
	}
	if s.finds != 1 {
		t.Fatalf("%d FindCoordinator requests, want 1", s.finds)
	}

	// OffsetFetch under the consumer protocol: STALE_MEMBER_EPOCH.
	s.mu.Lock()
	s.fetchErrs = []int16{protocol.ErrStaleMemberEpoch.Code}
	s.mu.Unlock()
	m.ConsumerProtocol = true
	_, err := c.Committed(ctx, m, []protocol.TopicPartition{{Topic: "t", Partition: 0}}, false)
	if !errors.Is(err, ErrCommitFailed) || !errors.Is(err, protocol.ErrStaleMemberEpoch) || s.fetches != 1 {
		t.Fatalf("err = %v after %d OffsetFetch requests, want STALE_MEMBER_EPOCH once", err, s.fetches)
	}
}

// TestCommitCoordinatorErrors: NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE
// forget the coordinator (FindCoordinator again), COORDINATOR_LOAD_IN_PROGRESS
// keeps it; all are retried with the configured backoff.
func TestCommitCoordinatorErrors(t *testing.T) {
	s := newScripted(t)
	c := newScriptedCommitter(t, s, Config{RetryBackoff: time.Millisecond, RetryBackoffMax: 2 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.commitCodes = []int16{protocol.ErrNotCoordinator.Code, protocol.ErrCoordinatorLoadInProgress.Code,
		protocol.ErrCoordinatorNotAvailable.Code, protocol.ErrRequestTimedOut.Code}
	start := time.Now()
	if err := c.Commit(ctx, Member{}, someOffsets); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("four retries with a 1-2ms backoff took %v", took)
	}
	// finds: the first, then after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE
	// and REQUEST_TIMED_OUT (as the Java client); not after LOAD_IN_PROGRESS.
	if s.commits != 5 || s.finds != 4 {
		t.Fatalf("%d OffsetCommit and %d FindCoordinator requests, want 5 and 4", s.commits, s.finds)
	}
}

// TestBackoff: the wait doubles from RetryBackoff up to RetryBackoffMax,
// with ±20% jitter; the zero Config takes the Java defaults.
func TestBackoff(t *testing.T) {
	c, err := New(nil, "g", Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n      int
		lo, hi time.Duration
	}{{0, 80, 120}, {1, 160, 240}, {3, 640, 960}, {4, 800, 1200}, {40, 800, 1200}} {
		for range 100 {
			if d := c.backoff(tc.n); d < tc.lo*time.Millisecond || d > tc.hi*time.Millisecond {
				t.Fatalf("backoff(%d) = %v, want %d-%dms", tc.n, d, tc.lo, tc.hi)
			}
		}
	}
	if _, err := New(nil, "", Config{}); err == nil {
		t.Fatal("New with an empty group succeeded")
	}
}

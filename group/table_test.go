package group

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// Fixtures: a member in each state, reached by the events a real member
// sees (the scripts check those paths line by line).

func fIdle() Member { m, _ := New(testConfig()); return m }

func fFinding() Member { return reach(fIdle(), Start{Now: t0, Topics: []string{"a"}}) }

func fJoining() Member { return reach(fFinding(), CoordinatorFound{Now: t0}) }

func fAssigning() Member { return reach(fJoining(), joinOK(at(10), "m1", 1, "m1")) }

func fAwaitingSync() Member { return reach(fJoining(), joinOK(at(10), "m2", 1, "m1")) }

func fStable() Member { return reach(fAwaitingSync(), syncOK(at(20), 1, "a/0 a/1")) }

// fStableHB is Stable with a heartbeat in flight (sent at 3010).
func fStableHB() Member { return reach(fStable(), Tick{Now: at(3010)}) }

func fRevoking() Member {
	return reach(fStable(), SubscriptionChanged{Now: at(30), Topics: []string{"a", "b"}})
}

// alive keeps the session alive until 69000 (a heartbeat answered at
// 59000), so that a tick at 60010 meets the poll deadline first.
func alive(m Member) Member {
	return reach(m, Tick{Now: at(3010)}, HeartbeatResponse{Now: at(59000), Generation: 1, MemberID: m.memberID})
}

func fUnjoined() Member { return reach(alive(fStable()), Tick{Now: at(60010)}) }

func fLeaving() Member { return reach(fRevokingClose(), RevokeDone{Now: at(40)}) }

func fRevokingClose() Member { return reach(fStable(), Close{Now: at(30)}) }

func fFailed() Member {
	return reach(fJoining(), joinErr(at(10), protocol.ErrGroupAuthorizationFailed))
}

func fClosed() Member { return reach(fIdle(), Close{Now: t0}) }

func fStatic(m func() Member) func() Member {
	return func() Member {
		s := m()
		s.cfg = staticConfig().withDefaults()
		return s
	}
}

type row struct {
	name  string
	from  func() Member
	ev    Event
	state State
	want  []string
}

func hb(gen int32, member string, err error) HeartbeatResponse {
	return HeartbeatResponse{Now: at(3020), Generation: gen, MemberID: member, Err: err}
}

// rows is the transition table: (state, event) → (state, actions).
var rows = []row{
	// Idle
	{"start", fIdle, Start{Now: t0, Topics: []string{"b", "a"}}, FindingCoordinator, []string{"find-coordinator g"}},
	{"close before start", fIdle, Close{Now: t0}, Closed, nil},
	{"tick before start", fIdle, Tick{Now: t0}, Idle, nil},
	{"subscribe before start", fIdle, SubscriptionChanged{Now: t0, Topics: []string{"a"}}, Idle, nil},

	// FindingCoordinator
	{"found: first join", fFinding, CoordinatorFound{Now: t0}, Joining, []string{`join member="" gen=-1 topics=[a]`}},
	{"lookup failed, retriable", fFinding, CoordinatorFailed{Now: t0, Err: protocol.ErrCoordinatorNotAvailable}, FindingCoordinator, []string{"timer @100"}},
	{"lookup loading", fFinding, CoordinatorFailed{Now: t0, Err: protocol.ErrCoordinatorLoadInProgress}, FindingCoordinator, []string{"timer @100"}},
	{"lookup connection error", fFinding, RequestFailed{Now: t0, API: protocol.KeyFindCoordinator, Err: errors.New("eof")}, FindingCoordinator, []string{"timer @100"}},
	{"lookup not authorized", fFinding, CoordinatorFailed{Now: t0, Err: protocol.ErrGroupAuthorizationFailed}, Failed,
		[]string{`fail group: FindCoordinator: not authorized to access group "g": kafka: GROUP_AUTHORIZATION_FAILED (30)`}},
	{"lookup invalid request", fFinding, CoordinatorFailed{Now: t0, Err: protocol.ErrorForCode(42)}, Failed, []string{"fail group: FindCoordinator in group \"g\": kafka: INVALID_REQUEST (42)"}},
	{"subscription while looking up", fFinding, SubscriptionChanged{Now: t0, Topics: []string{"b"}}, FindingCoordinator, nil},
	{"close while looking up", fFinding, Close{Now: t0}, Closed, nil},

	// Joining
	{"join: follower", fJoining, joinOK(at(10), "m2", 1, "m1"), AwaitingSync, []string{`sync gen=1 member="m2" protocol=range assignments=0`, "timer @3010"}},
	{"join: leader", fJoining, joinOK(at(10), "m1", 1, "m1"), Assigning, []string{"compute-assignment gen=1 protocol=range members=2", "timer @3010"}},
	{"join: leader skips assignment (KIP-814)", fJoining, func() JoinResponse { r := joinOK(at(10), "m1", 1, "m1"); r.SkipAssignment = true; return r }(),
		Assigning, []string{"compute-assignment gen=1 protocol=range members=2 skip", "timer @3010"}},
	{"skipping leader: counted, syncs no assignment", func() Member {
		r := joinOK(at(10), "m1", 1, "m1")
		r.SkipAssignment = true
		return reach(fJoining(), r)
	}, AssignmentComputed{Now: at(15), Generation: 1, PartitionCounts: map[string]int32{"a": 2},
		Assignments: []protocol.SyncGroupRequestAssignment{{MemberId: "m1"}}}, AwaitingSync, []string{`sync gen=1 member="m1" protocol=range assignments=0`}},
	{"skipping leader watches the group's topics it counted", func() Member {
		m := reach(fJoining(), MetadataChanged{Now: t0, PartitionCounts: map[string]int32{"a": 2}})
		r := joinOK(at(10), "m1", 1, "m1")
		r.SkipAssignment = true
		return reach(m, r, AssignmentComputed{Now: at(15), Generation: 1, PartitionCounts: map[string]int32{"a": 2, "b": 1}}, syncOK(at(20), 1, "a/0"))
	}, MetadataChanged{Now: at(30), PartitionCounts: map[string]int32{"a": 2, "b": 2}}, Revoking, []string{"commit [a/0] gen=1", "revoke [a/0]"}},
	{"leader: the assignor's counts are newer than the Consumer's snapshot", func() Member {
		m := reach(fJoining(), MetadataChanged{Now: t0, PartitionCounts: map[string]int32{"a": 2, "b": 1}})
		return reach(m, joinOK(at(10), "m1", 1, "m1"), AssignmentComputed{Now: at(15), Generation: 1, PartitionCounts: map[string]int32{"a": 4}})
	}, syncOK(at(20), 1, "a/0"), Stable, []string{"assign [a/0]"}},
	{"leader: metadata that changed during the sync still counts", func() Member {
		m := reach(fJoining(), joinOK(at(10), "m1", 1, "m1"), AssignmentComputed{Now: at(15), Generation: 1, PartitionCounts: map[string]int32{"a": 4}})
		return reach(m, MetadataChanged{Now: at(16), PartitionCounts: map[string]int32{"a": 5}})
	}, syncOK(at(20), 1, "a/0"), Revoking, []string{"assign [a/0]", "commit [a/0] gen=1", "revoke [a/0]"}},
	{"skipping leader without counts watches the metadata it knows", func() Member {
		m := reach(fJoining(), MetadataChanged{Now: t0, PartitionCounts: map[string]int32{"a": 2}})
		r := joinOK(at(10), "m1", 1, "m1")
		r.SkipAssignment = true
		return reach(m, r, AssignmentComputed{Now: at(15), Generation: 1}, syncOK(at(20), 1, "a/0"))
	}, MetadataChanged{Now: at(30), PartitionCounts: map[string]int32{"a": 3}}, Revoking, []string{"commit [a/0] gen=1", "revoke [a/0]"}},
	{"join: member id required", fJoining, JoinResponse{Now: t0, Err: protocol.ErrMemberIdRequired, MemberID: "m9"}, Joining, []string{`join member="m9"...`}},
	{"join: unknown member", fJoining, joinErr(t0, protocol.ErrUnknownMemberId), Joining, []string{`join member="" gen=-1 topics=[a] reason="encountered kafka: UNKNOWN_MEMBER_ID (25)"`}},
	{"join: rebalance in progress", fJoining, joinErr(t0, protocol.ErrRebalanceInProgress), Joining, []string{`join member="" gen=-1 topics=[a]`}},
	{"join: coordinator loading", fJoining, joinErr(t0, protocol.ErrCoordinatorLoadInProgress), Joining, []string{"timer @100"}},
	{"join: not coordinator", fJoining, joinErr(t0, protocol.ErrNotCoordinator), FindingCoordinator, []string{"timer @100"}},
	{"join: coordinator not available", fJoining, joinErr(t0, protocol.ErrCoordinatorNotAvailable), FindingCoordinator, []string{"timer @100"}},
	{"join: connection error", fJoining, RequestFailed{Now: t0, API: protocol.KeyJoinGroup}, FindingCoordinator, []string{"timer @100"}},
	{"join: fenced", fJoining, joinErr(t0, protocol.ErrFencedInstanceId), Failed, []string{"fail ...FENCED_INSTANCE_ID (82)"}},
	{"join: not authorized", fJoining, joinErr(t0, protocol.ErrGroupAuthorizationFailed), Failed, []string{"fail ...GROUP_AUTHORIZATION_FAILED (30)"}},
	{"join: group full", fJoining, joinErr(t0, protocol.ErrGroupMaxSizeReached), Failed, []string{"fail ...GROUP_MAX_SIZE_REACHED (81)"}},
	{"join: inconsistent protocol", fJoining, joinErr(t0, protocol.ErrInconsistentGroupProtocol), Failed, []string{"fail ...INCONSISTENT_GROUP_PROTOCOL (23)"}},
	{"join: invalid session timeout", fJoining, joinErr(t0, protocol.ErrInvalidSessionTimeout), Failed, []string{"fail ...INVALID_SESSION_TIMEOUT (26)"}},
	{"join: invalid group id", fJoining, joinErr(t0, protocol.ErrInvalidGroupId), Failed, []string{"fail ...INVALID_GROUP_ID (24)"}},
	{"join: unsupported version", fJoining, joinErr(t0, protocol.ErrUnsupportedVersion), Failed, []string{"fail ...UNSUPPORTED_VERSION (35)"}},
	{"join: illegal generation is unexpected", fJoining, joinErr(t0, protocol.ErrIllegalGeneration), Failed, []string{"fail ...ILLEGAL_GENERATION (22)"}},
	{"join: wrong protocol type (KIP-559)", fJoining, func() JoinResponse { r := joinOK(t0, "m2", 1, "m1"); r.ProtocolType = str("connect"); return r }(),
		Failed, []string{`fail group: kafka: INCONSISTENT_GROUP_PROTOCOL (23): JoinGroup answered protocol type "connect", expected "consumer"`}},
	{"join: protocol not offered", fJoining, func() JoinResponse { r := joinOK(t0, "m2", 1, "m1"); r.ProtocolName = str("sticky"); return r }(),
		Failed, []string{`fail ...JoinGroup answered protocol name "sticky", expected "[range]"`}},
	{"join: v0-6 carries no type", fJoining, func() JoinResponse { r := joinOK(at(10), "m2", 1, "m1"); r.ProtocolType = nil; return r }(),
		AwaitingSync, []string{"sync...", "timer @3010"}},
	{"backoff not over", func() Member { return reach(fJoining(), joinErr(t0, protocol.ErrCoordinatorLoadInProgress)) }, Tick{Now: at(99)}, Joining, nil},
	{"backoff over", func() Member { return reach(fJoining(), joinErr(t0, protocol.ErrCoordinatorLoadInProgress)) }, Tick{Now: at(100)}, Joining,
		[]string{`join member="" gen=-1 topics=[a]`, "timer off"}},
	{"close while joining (no id yet)", fJoining, Close{Now: t0}, Closed, nil},
	{"close while joining with an id", func() Member {
		return reach(fJoining(), JoinResponse{Now: t0, Err: protocol.ErrMemberIdRequired, MemberID: "m9"})
	},
		Close{Now: t0}, Leaving, []string{`leave member="m9"`}},
	{"stale sync while joining", fJoining, syncOK(t0, -1, "a/0"), Joining, nil},

	// Assigning
	{"assignment computed", fAssigning, AssignmentComputed{Now: at(11), Generation: 1, Assignments: []protocol.SyncGroupRequestAssignment{{MemberId: "m1"}}},
		AwaitingSync, []string{`sync gen=1 member="m1" protocol=range assignments=1`}},
	{"assignor failed", fAssigning, AssignmentComputed{Now: at(11), Generation: 1, Err: errors.New("boom")}, Failed,
		[]string{`fail group: assignor "range" in group "g": boom`, "timer off"}},
	{"heartbeat while assigning", fAssigning, Tick{Now: at(3010)}, Assigning, []string{`heartbeat gen=1 member="m1"`, "timer @10010"}},

	// AwaitingSync
	{"sync: ok", fAwaitingSync, syncOK(at(20), 1, "a/1 a/0 a/1"), Stable, []string{"assign [a/0 a/1]"}},
	{"sync: assignment outside the subscription", fAwaitingSync, syncOK(at(20), 1, "a/0 x/0"), Revoking,
		[]string{"assign [a/0 x/0]", "commit [a/0 x/0] gen=1", "revoke [a/0 x/0]"}},
	{"sync: empty assignment", fAwaitingSync, syncOK(at(20), 1, ""), Stable, []string{"assign []"}},
	{"sync: other generation", fAwaitingSync, syncOK(at(20), 7, "a/0"), AwaitingSync, nil},
	{"sync: no bytes, the coordinator's empty assignment", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1}, Stable, []string{"assign []"}},
	{"sync: rebalance in progress", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrRebalanceInProgress}, Joining,
		[]string{`join member="m2" gen=1 topics=[a] reason="the group began another rebalance"`, "timer off"}},
	{"sync: unknown member", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrUnknownMemberId}, Joining,
		[]string{`join member="" gen=-1 topics=[a]...`, "timer off"}},
	{"sync: illegal generation keeps the id", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrIllegalGeneration}, Joining,
		[]string{`join member="m2" gen=-1 topics=[a]...`, "timer off"}},
	{"sync: not coordinator", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrNotCoordinator}, FindingCoordinator, []string{"timer @120"}},
	{"sync: coordinator not available", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrCoordinatorNotAvailable}, FindingCoordinator, []string{"timer @120"}},
	{"sync: fenced", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrFencedInstanceId}, Failed, []string{"fail ...FENCED_INSTANCE_ID (82)", "timer off"}},
	{"sync: not authorized", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrGroupAuthorizationFailed}, Failed, []string{"fail ...", "timer off"}},
	{"sync: loading is unexpected", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Err: protocol.ErrCoordinatorLoadInProgress}, Failed, []string{"fail ...COORDINATOR_LOAD_IN_PROGRESS (14)", "timer off"}},
	{"sync: wrong protocol name", fAwaitingSync, func() SyncResponse { r := syncOK(at(20), 1, "a/0"); r.ProtocolName = str("sticky"); return r }(), Failed,
		[]string{`fail group: kafka: INCONSISTENT_GROUP_PROTOCOL (23): SyncGroup answered protocol name "sticky", expected "range"`, "timer off"}},
	{"sync: wrong protocol type", fAwaitingSync, func() SyncResponse { r := syncOK(at(20), 1, "a/0"); r.ProtocolType = str("x"); return r }(), Failed,
		[]string{"fail ...SyncGroup answered protocol type \"x\"...", "timer off"}},
	{"sync: garbled assignment", fAwaitingSync, SyncResponse{Now: at(20), Generation: 1, Assignment: []byte{0, 3, 0}}, Failed,
		[]string{`fail group: SyncGroup in group "g": the assignment: ...`, "timer off"}},
	{"sync: connection error", fAwaitingSync, RequestFailed{Now: at(20), API: protocol.KeySyncGroup}, FindingCoordinator, []string{"timer @120"}},
	{"sync: heartbeat says rebalancing: ignored", func() Member { return reach(fAwaitingSync(), Tick{Now: at(3010)}) }, hb(1, "m2", protocol.ErrRebalanceInProgress),
		AwaitingSync, []string{"timer @6010"}},
	{"sync: poll interval exceeded", func() Member { return alive(fAwaitingSync()) }, Tick{Now: at(60010)}, Unjoined, []string{`leave member="m2"`, "timer off"}},

	// Stable
	{"heartbeat due", fStable, Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
	{"heartbeat ok", fStableHB, hb(1, "m2", nil), Stable, []string{"timer @6010"}},
	{"heartbeat: stale generation", fStableHB, hb(0, "m2", protocol.ErrIllegalGeneration), Stable, nil},
	{"heartbeat: rebalance", fStableHB, hb(1, "m2", protocol.ErrRebalanceInProgress), Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]", "timer @6010"}},
	{"heartbeat: unknown member", fStableHB, hb(1, "m2", protocol.ErrUnknownMemberId), Revoking, []string{"lose [a/0 a/1] (kafka: UNKNOWN_MEMBER_ID (25))", "timer off"}},
	{"heartbeat: illegal generation", fStableHB, hb(1, "m2", protocol.ErrIllegalGeneration), Revoking, []string{"lose [a/0 a/1] (kafka: ILLEGAL_GENERATION (22))", "timer off"}},
	{"heartbeat: fenced", fStatic(fStableHB), hb(1, "m2", protocol.ErrFencedInstanceId), Failed, []string{"lose [a/0 a/1]...", "fail ...i1...", "timer off"}},
	{"heartbeat: not coordinator", fStableHB, hb(1, "m2", protocol.ErrNotCoordinator), FindingCoordinator, []string{"find-coordinator g", "timer off"}},
	{"heartbeat: coordinator not available", fStableHB, hb(1, "m2", protocol.ErrCoordinatorNotAvailable), FindingCoordinator, []string{"find-coordinator g", "timer off"}},
	{"heartbeat: connection error", fStableHB, RequestFailed{Now: at(3020), API: protocol.KeyHeartbeat}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
	{"heartbeat: not authorized", fStableHB, hb(1, "m2", protocol.ErrGroupAuthorizationFailed), Failed, []string{"lose...", "fail ...GROUP_AUTHORIZATION_FAILED (30)", "timer off"}},
	{"heartbeat: unexpected", fStableHB, hb(1, "m2", protocol.ErrCoordinatorLoadInProgress), Failed, []string{"lose...", "fail ...COORDINATOR_LOAD_IN_PROGRESS (14)", "timer off"}},
	{"session expired (client view)", fStableHB, Tick{Now: at(10010)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
	{"poll interval exceeded", func() Member { return alive(fStable()) }, Tick{Now: at(60010)}, Unjoined, []string{`leave member="m2"`, "timer off"}},
	{"poll interval exceeded (static)", fStatic(func() Member { return alive(fStable()) }), Tick{Now: at(60010)}, Unjoined, []string{"timer off"}},
	{"poll restarts the interval", fStable, Poll{Now: at(5000)}, Stable, nil},
	{"subscription changed", fStable, SubscriptionChanged{Now: at(30), Topics: []string{"a", "b"}}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
	{"same subscription", fStable, SubscriptionChanged{Now: at(30), Topics: []string{"a", "a"}}, Stable, nil},
	{"close", fStable, Close{Now: at(30)}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
	{"late join answer", fStable, joinOK(t0, "m2", 5, "m1"), Stable, nil},
	{"late leave answer", fStable, LeaveResponse{Now: t0}, Stable, nil},
	{"revoke done out of turn", fStable, RevokeDone{Now: t0}, Stable, nil},
	{"late assignment", fStable, AssignmentComputed{Now: t0, Generation: 1}, Stable, nil},

	// Revoking
	{"revoke done", fRevoking, RevokeDone{Now: at(40)}, Joining, []string{`join member="m2" gen=1 topics=[a b] reason="the subscription changed"`, "timer off"}},
	{"revoke done, coordinator gone meanwhile", func() Member {
		return reach(fRevoking(), Tick{Now: at(3010)}, RequestFailed{Now: at(3011), API: protocol.KeyHeartbeat})
	},
		RevokeDone{Now: at(40)}, FindingCoordinator, []string{"find-coordinator g"}},
	{"heartbeat while revoking", fRevoking, Tick{Now: at(3010)}, Revoking, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
	{"no poll deadline while revoking", fRevoking, Tick{Now: at(9000)}, Revoking, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
	{"close while revoking", fRevoking, Close{Now: at(35)}, Revoking, nil},
	{"revoke done after close", fRevokingClose, RevokeDone{Now: at(40)}, Leaving, []string{`leave member="m2"`, "timer off"}},
	{"member lost while revoking", func() Member { return reach(fRevoking(), Tick{Now: at(3010)}) }, hb(1, "m2", protocol.ErrUnknownMemberId), Revoking, []string{"timer off"}},

	// Unjoined
	{"poll after expiry", fUnjoined, Poll{Now: at(70000)}, Revoking, []string{"lose [a/0 a/1] (" + ErrPollIntervalExceeded.Error() + ")"}},
	{"tick while unjoined", fUnjoined, Tick{Now: at(70000)}, Unjoined, nil},
	{"close while unjoined", fUnjoined, Close{Now: at(70000)}, Revoking, []string{"lose [a/0 a/1]..."}},
	{"subscription while unjoined", fUnjoined, SubscriptionChanged{Now: at(70000), Topics: []string{"c"}}, Unjoined, nil},

	// Leaving
	{"leave answered", fLeaving, LeaveResponse{Now: at(50)}, Closed, nil},
	{"leave failed", fLeaving, LeaveResponse{Now: at(50), Err: protocol.ErrUnknownMemberId}, Closed, nil},
	{"leave lost", fLeaving, RequestFailed{Now: at(50), API: protocol.KeyLeaveGroup}, Closed, nil},
	{"close again while leaving", fLeaving, Close{Now: at(50)}, Leaving, nil},
	{"metadata while leaving", fLeaving, MetadataChanged{Now: at(50)}, Leaving, nil},

	// Failed
	{"failed ignores ticks", fFailed, Tick{Now: at(99999)}, Failed, nil},
	{"failed ignores start", fFailed, Start{Now: at(99999)}, Failed, nil},
	{"failed closes", fFailed, Close{Now: at(99999)}, Closed, nil},

	// Closed
	{"closed ignores start", fClosed, Start{Now: t0}, Closed, nil},
	{"closed ignores close", fClosed, Close{Now: t0}, Closed, nil},
	{"closed ignores coordinator", fClosed, CoordinatorFound{Now: t0}, Closed, nil},
}

func TestTable(t *testing.T) {
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			checkStep(t, fmt.Sprintf("%q", r.name), r.from(), r.ev, r.state, r.want)
		})
	}
}

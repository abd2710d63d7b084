package group

import (
	"errors"
	"strings"
	"time"

	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// Scripted sequences in the manner of etcd-io/raft's interaction tests:
// each line is an event, the state after it and every action it produced.

// toAwaitingSync is the start every follower script shares: Start, the
// coordinator, MEMBER_ID_REQUIRED (KIP-394), then generation 1 led by m1.
func toAwaitingSync(t *testing.T, cfg Config) Member {
	t.Helper()
	join := `join member="" gen=-1 topics=[a]`
	if cfg.InstanceID != "" {
		join += " instance=" + cfg.InstanceID
	}
	rejoin := `join member="m2" gen=-1 topics=[a]`
	if cfg.InstanceID != "" {
		rejoin += " instance=" + cfg.InstanceID
	}
	return run(t, newMember(t, cfg), []line{
		{Start{Now: t0, Topics: []string{"a"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: t0, NodeID: 1}, Joining, []string{join}},
		{JoinResponse{Now: at(5), Err: protocol.ErrMemberIdRequired, MemberID: "m2", Generation: -1}, Joining,
			[]string{rejoin + ` reason="need to re-join with the given member-id: m2"`}},
		{joinOK(at(10), "m2", 1, "m1"), AwaitingSync, []string{`sync gen=1 member="m2" protocol=range assignments=0`, "timer @3010"}},
	})
}

func toStable(t *testing.T, cfg Config) Member {
	t.Helper()
	return run(t, toAwaitingSync(t, cfg), []line{
		{syncOK(at(20), 1, "a/0 a/1"), Stable, []string{"assign [a/0 a/1]"}},
	})
}

func TestScriptFollowerJoinSyncHeartbeat(t *testing.T) {
	m := toStable(t, testConfig())
	run(t, m, []line{
		{Tick{Now: at(3009)}, Stable, nil}, // early tick: nothing due
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{Poll{Now: at(3015)}, Stable, nil},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2"}, Stable, []string{"timer @6010"}},
		{Tick{Now: at(6010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @13020"}},
		{HeartbeatResponse{Now: at(6011), Generation: 1, MemberID: "m2"}, Stable, []string{"timer @9010"}},
	})
}

func TestScriptLeaderJoinSyncHeartbeat(t *testing.T) {
	m := run(t, newMember(t, testConfig()), []line{
		{Start{Now: t0, Topics: []string{"a"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: t0}, Joining, []string{`join member="" gen=-1 topics=[a]`}},
		{joinOK(at(10), "m1", 1, "m1"), Assigning, []string{"compute-assignment gen=1 protocol=range members=2", "timer @3010"}},
		{AssignmentComputed{Now: at(12), Generation: 0}, Assigning, nil}, // not this generation's
		{AssignmentComputed{Now: at(12), Generation: 1, PartitionCounts: map[string]int32{"a": 2},
			Assignments: []protocol.SyncGroupRequestAssignment{{MemberId: "m1", Assignment: assignment("a/0")}, {MemberId: "m2", Assignment: assignment("a/1")}}},
			AwaitingSync, []string{`sync gen=1 member="m1" protocol=range assignments=2`}},
		{syncOK(at(20), 1, "a/0"), Stable, []string{"assign [a/0]"}},
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m1"`, "timer @10010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m1"}, Stable, []string{"timer @6010"}},
		// Same counts: nothing. A partition added to a topic it assigned from: rejoin.
		{MetadataChanged{Now: at(4000), PartitionCounts: map[string]int32{"a": 2, "z": 9}}, Stable, nil},
		{MetadataChanged{Now: at(4001), PartitionCounts: map[string]int32{"a": 3}}, Revoking,
			[]string{"commit [a/0] gen=1", "revoke [a/0]"}},
		{RevokeDone{Now: at(4002)}, Joining, []string{`join member="m1" gen=1 topics=[a] reason="cached metadata has changed"`, "timer off"}},
	})
	if m.Generation() != 1 || m.MemberID() != "m1" {
		t.Fatalf("rejoin keeps the member id and generation: %q %d", m.MemberID(), m.Generation())
	}
}

func TestScriptFollowerIgnoresMetadata(t *testing.T) {
	run(t, toStable(t, testConfig()), []line{
		{MetadataChanged{Now: at(30), PartitionCounts: map[string]int32{"a": 7}}, Stable, nil},
	})
}

func TestScriptRebalanceInProgressDuringHeartbeat(t *testing.T) {
	run(t, toStable(t, testConfig()), []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2", Err: protocol.ErrRebalanceInProgress}, Revoking,
			[]string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]", "timer @6010"}},
		// Heartbeats go on while the listener runs; another
		// REBALANCE_IN_PROGRESS is not a second rejoin.
		{Tick{Now: at(6010)}, Revoking, []string{`heartbeat gen=1 member="m2"`, "timer @13020"}},
		{HeartbeatResponse{Now: at(6020), Generation: 1, MemberID: "m2", Err: protocol.ErrRebalanceInProgress}, Revoking, []string{"timer @9010"}},
		{RevokeDone{Now: at(7000)}, Joining, []string{`join member="m2" gen=1 topics=[a] reason="group is already rebalancing"`, "timer off"}},
		{joinOK(at(7100), "m2", 2, "m1"), AwaitingSync, []string{`sync gen=2 member="m2" protocol=range assignments=0`, "timer @10100"}},
		{syncOK(at(7200), 2, "a/1"), Stable, []string{"assign [a/1]"}},
	})
}

func TestScriptCoordinatorMovesMidJoin(t *testing.T) {
	m := run(t, newMember(t, testConfig()), []line{
		{Start{Now: t0, Topics: []string{"a"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: t0}, Joining, []string{`join member="" gen=-1 topics=[a]`}},
		{JoinResponse{Now: at(5), Err: protocol.ErrMemberIdRequired, MemberID: "m2", Generation: -1}, Joining, []string{`join member="m2"...`}},
		{joinErr(at(10), protocol.ErrNotCoordinator), FindingCoordinator, []string{"timer @110"}},
		{Tick{Now: at(110)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
		{CoordinatorFailed{Now: at(120), Err: protocol.ErrCoordinatorNotAvailable}, FindingCoordinator, []string{"timer @320"}}, // backoff doubled
		{Tick{Now: at(320)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
		{CoordinatorFound{Now: at(330), NodeID: 2}, Joining, []string{`join member="m2" gen=-1 topics=[a]...`}},
		{joinOK(at(340), "m2", 1, "m1"), AwaitingSync, []string{`sync gen=1 member="m2" protocol=range assignments=0`, "timer @3340"}},
		// And again during the sync: the membership from the join is kept.
		{RequestFailed{Now: at(350), API: protocol.KeySyncGroup}, FindingCoordinator, []string{"timer @450"}},
		{Tick{Now: at(450)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
		{CoordinatorFound{Now: at(460)}, Joining, []string{`join member="m2" gen=1 topics=[a]`}},
	})
	_ = m
}

func TestScriptCoordinatorLostWhileStable(t *testing.T) {
	run(t, toStable(t, testConfig()), []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2", Err: protocol.ErrNotCoordinator}, FindingCoordinator,
			[]string{"find-coordinator g", "timer off"}},
		// Found again: still a member, heartbeat at once, no rejoin.
		{CoordinatorFound{Now: at(3030)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @13030"}},
		{RequestFailed{Now: at(3040), API: protocol.KeyHeartbeat}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
	})
}

func TestScriptSessionLoss(t *testing.T) {
	// The broker dropped the member: UNKNOWN_MEMBER_ID on heartbeat.
	run(t, toStable(t, testConfig()), []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2", Err: protocol.ErrUnknownMemberId}, Revoking,
			[]string{"lose [a/0 a/1] (kafka: UNKNOWN_MEMBER_ID (25))", "timer off"}},
		{RevokeDone{Now: at(3030)}, Joining, []string{`join member="" gen=-1 topics=[a] reason="encountered kafka: UNKNOWN_MEMBER_ID (25)"`}},
	})
	// The client's view: no heartbeat answer for a whole session.
	run(t, toStable(t, testConfig()), []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{Tick{Now: at(10010)}, FindingCoordinator, []string{"find-coordinator g", "timer off"}},
		{HeartbeatResponse{Now: at(10011), Generation: 1, MemberID: "m2"}, FindingCoordinator, nil}, // late: ignored
		{CoordinatorFound{Now: at(10020)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @20020"}},
		{HeartbeatResponse{Now: at(10030), Generation: 1, MemberID: "m2", Err: protocol.ErrIllegalGeneration}, Revoking,
			[]string{"lose [a/0 a/1] (kafka: ILLEGAL_GENERATION (22))", "timer off"}},
		{RevokeDone{Now: at(10040)}, Joining, []string{`join member="m2" gen=-1 topics=[a]...`}},
	})
}

func TestScriptPollIntervalDynamic(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPollInterval = 5 * time.Second
	m := toStable(t, cfg) // the join at 10 restarted the poll timer
	run(t, m, []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @5010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2"}, Stable, nil},
		{Tick{Now: at(5010)}, Unjoined, []string{`leave member="m2"`, "timer off"}},
		{LeaveResponse{Now: at(5020)}, Unjoined, nil},
		{Tick{Now: at(9000)}, Unjoined, nil},
		{Poll{Now: at(9100)}, Revoking, []string{"lose [a/0 a/1] (" + ErrPollIntervalExceeded.Error() + ")"}},
		{RevokeDone{Now: at(9110)}, Joining, []string{`join member="" gen=-1 topics=[a] reason="consumer poll timeout has expired"`}},
	})
}

func TestScriptPollIntervalStatic(t *testing.T) {
	cfg := staticConfig()
	cfg.MaxPollInterval = 5 * time.Second
	run(t, toStable(t, cfg), []line{
		{Tick{Now: at(5010)}, Unjoined, []string{"timer off"}}, // no LeaveGroup: heartbeats just stop
		{Poll{Now: at(9100)}, Revoking, []string{"lose [a/0 a/1]..."}},
		{RevokeDone{Now: at(9110)}, Joining, []string{`join member="" gen=-1 topics=[a] instance=i1...`}},
	})
}

func TestScriptFencedStaticMember(t *testing.T) {
	m := run(t, toStable(t, staticConfig()), []line{
		{Tick{Now: at(3010)}, Stable, []string{`heartbeat gen=1 member="m2"`, "timer @10010"}},
		{HeartbeatResponse{Now: at(3020), Generation: 1, MemberID: "m2", Err: protocol.ErrFencedInstanceId}, Failed,
			[]string{"lose [a/0 a/1]...", `fail group: Heartbeat in group "g": another consumer instance is using group.instance.id "i1", so this one was fenced: kafka: FENCED_INSTANCE_ID (82)`, "timer off"}},
		{Tick{Now: at(9000)}, Failed, nil},
		{Poll{Now: at(9000)}, Failed, nil},
		{Close{Now: at(9001)}, Closed, nil},
		{Start{Now: at(9002)}, Closed, nil},
	})
	if !errors.Is(m.Err(), protocol.ErrFencedInstanceId) {
		t.Fatalf("Err() = %v", m.Err())
	}
	// Fenced on join is fatal too.
	run(t, newMember(t, staticConfig()), []line{
		{Start{Now: t0, Topics: []string{"a"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{CoordinatorFound{Now: t0}, Joining, []string{`join member="" gen=-1 topics=[a] instance=i1`}},
		{joinErr(at(1), protocol.ErrFencedInstanceId), Failed, []string{`fail group: JoinGroup in group "g": another consumer instance is using group.instance.id "i1"...`}},
	})
}

func TestScriptCloseDynamic(t *testing.T) {
	run(t, toStable(t, testConfig()), []line{
		{Close{Now: at(100)}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
		{RevokeDone{Now: at(110)}, Leaving, []string{`leave member="m2"`, "timer off"}},
		{HeartbeatResponse{Now: at(111), Generation: 1, MemberID: "m2"}, Leaving, nil},
		{LeaveResponse{Now: at(120), Err: protocol.ErrUnknownMemberId}, Closed, nil},
	})
}

func TestScriptCloseStatic(t *testing.T) {
	run(t, toStable(t, staticConfig()), []line{
		{Close{Now: at(100)}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
		{RevokeDone{Now: at(110)}, Closed, []string{"timer off"}}, // no LeaveGroup
	})
	// An explicit leave-now leaves by instance id.
	run(t, toStable(t, staticConfig()), []line{
		{Close{Now: at(100), Leave: LeaveGroup}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
		{RevokeDone{Now: at(110)}, Leaving, []string{`leave member="m2" instance=i1`, "timer off"}},
		{RequestFailed{Now: at(120), API: protocol.KeyLeaveGroup}, Closed, nil},
	})
	// A dynamic member can be told to stay (internal.leave.group.on.close=false).
	run(t, toStable(t, testConfig()), []line{
		{Close{Now: at(100), Leave: RemainInGroup}, Revoking, []string{"commit [a/0 a/1] gen=1", "revoke [a/0 a/1]"}},
		{RevokeDone{Now: at(110)}, Closed, []string{"timer off"}},
	})
}

func TestScriptSubscriptionChangedMidJoin(t *testing.T) {
	m := toAwaitingSync(t, testConfig())
	run(t, m, []line{
		{SubscriptionChanged{Now: at(15), Topics: []string{"b", "a", "b"}}, AwaitingSync, nil},
		// The assignment is taken, then given back at once: the join
		// named only a.
		{syncOK(at(20), 1, "a/0"), Revoking, []string{"assign [a/0]", "commit [a/0] gen=1", "revoke [a/0]"}},
		{RevokeDone{Now: at(30)}, Joining, []string{`join member="m2" gen=1 topics=[a b] reason="the subscription changed during the rebalance"`, "timer off"}},
	})
}

func TestScriptPatternSubscription(t *testing.T) {
	cfg := testConfig()
	cfg.Match = func(topic string) bool { return strings.HasPrefix(topic, "log.") }
	run(t, newMember(t, cfg), []line{
		{Start{Now: t0, Topics: []string{"ignored"}}, FindingCoordinator, []string{"find-coordinator g"}},
		{MetadataChanged{Now: t0, PartitionCounts: map[string]int32{"log.b": 1, "log.a": 1, "x": 1}}, FindingCoordinator, nil},
		{CoordinatorFound{Now: t0}, Joining, []string{`join member="" gen=-1 topics=[log.a log.b]`}},
		{joinOK(at(10), "m2", 1, "m1"), AwaitingSync, []string{`sync...`, "timer @3010"}},
		{syncOK(at(20), 1, "log.a/0"), Stable, []string{"assign [log.a/0]"}},
		// A follower rejoins when a new topic matches.
		{MetadataChanged{Now: at(30), PartitionCounts: map[string]int32{"log.b": 1, "log.a": 1, "log.c": 1}}, Revoking,
			[]string{"commit [log.a/0] gen=1", "revoke [log.a/0]"}},
		{RevokeDone{Now: at(40)}, Joining, []string{`join member="m2" gen=1 topics=[log.a log.b log.c] reason="the subscription changed"`, "timer off"}},
	})
}

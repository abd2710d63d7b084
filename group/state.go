package group

import "strconv"

// State is where a member is in the classic group protocol. The zero value
// is Idle. Every state has a name (String) and the states can be listed
// (States), so tables and logs can name them.
type State uint8

// The states of a classic-protocol member, in the order a member usually
// passes through them.
const (
	// Idle: created, Start not yet seen. Not a member, no coordinator.
	Idle State = iota
	// FindingCoordinator: a FindCoordinator is in flight or waiting for its
	// backoff. The membership (member id, generation, owned partitions) is
	// kept: a member that loses its coordinator while Stable goes back to
	// Stable once the coordinator is found again.
	FindingCoordinator
	// Revoking: the machine has asked the Consumer to revoke (commit, then
	// OnRevoked) or lose (OnLost) partitions and waits for RevokeDone before
	// it joins, leaves or closes. Heartbeats continue while the generation
	// is valid. A cooperative member also waits here after a SyncGroup
	// that revoked some of its partitions, owning the rest, before its
	// follow-up join.
	Revoking
	// Joining: a JoinGroup is in flight or waiting for its backoff.
	// No heartbeats (the Java client's PREPARING_REBALANCE).
	Joining
	// Assigning: this member is the leader and waits for the assignment
	// it asked for (ComputeAssignment) before it sends SyncGroup.
	// Heartbeats run (COMPLETING_REBALANCE).
	Assigning
	// AwaitingSync: a SyncGroup is in flight. Heartbeats run.
	AwaitingSync
	// Stable: a member of the current generation with an assignment.
	// Heartbeats run on their own schedule.
	Stable
	// Unjoined: the member gave up its membership because the Consumer did
	// not poll within max.poll.interval.ms (a dynamic member sent
	// LeaveGroup, a static one stopped heartbeating). The next Poll reports
	// the partitions lost and rejoins.
	Unjoined
	// Leaving: Close sent LeaveGroup and waits for its answer.
	Leaving
	// Failed: a fatal error (Fail was emitted); only Close is accepted.
	Failed
	// Closed: done; every event is ignored.
	Closed

	numStates // not a state: the number of states, for States and tests
)

var stateNames = [numStates]string{
	Idle:               "Idle",
	FindingCoordinator: "FindingCoordinator",
	Revoking:           "Revoking",
	Joining:            "Joining",
	Assigning:          "Assigning",
	AwaitingSync:       "AwaitingSync",
	Stable:             "Stable",
	Unjoined:           "Unjoined",
	Leaving:            "Leaving",
	Failed:             "Failed",
	Closed:             "Closed",
}

// String returns the state's name, e.g. "AwaitingSync".
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// States returns every state, in declaration order.
func States() []State {
	out := make([]State, numStates)
	for i := range out {
		out[i] = State(i)
	}
	return out
}

// Terminal reports whether s accepts no further protocol work (Failed or
// Closed).
func (s State) Terminal() bool { return s == Failed || s == Closed }

// Package group is consumer-group membership for the classic protocol
// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), written as a pure state
// machine in the manner of etcd-io/raft.
//
// # The machine
//
// A Member is a value. Member.Step(Event) returns the next Member and the
// Actions to perform, in order; it does no I/O, reads no clock and starts
// no goroutine. Time arrives inside events (every event has a Now, and Tick
// exists only to carry one); every deadline — the next heartbeat, the
// session as the client sees it, max.poll.interval.ms since the last Poll,
// a retry backoff — lives in the Member and is compared with the event's
// Now. After every step the machine says when it next needs a Tick
// (ScheduleTimer, only when that time moved). Requests go out as actions
// (FindCoordinator, SendJoin, SendSync, SendHeartbeat, SendLeave) and their
// answers come back as events (CoordinatorFound/CoordinatorFailed,
// JoinResponse, SyncResponse, HeartbeatResponse, LeaveResponse, or
// RequestFailed when the connection broke). The leader's assignor runs
// outside the machine: ComputeAssignment out, AssignmentComputed in, since
// it needs topic metadata the machine does not have. The listener runs on
// the Consumer's goroutine: Revoke, Assign and Lose out, and for Revoke and
// Lose a RevokeDone in when the Consumer has run them (and, before a
// Revoke, the CommitBeforeRevoke).
//
// A Driver performs the actions over a Coordinator connection; tests drive
// Step directly, in tables and scripted sequences that run in microseconds.
//
// # Assignors and the leader's assignment
//
// Config.Assignors (partition.assignment.strategy) are what JoinGroup
// offers, in order, each protocol with its own ConsumerProtocolSubscription
// v3 (topics, the assignor's user data, owned partitions, generation,
// client.rack), as Java's ConsumerCoordinator.metadata() builds them; the
// rebalance protocol is assignor.RebalanceProtocolOf of them. The
// assignor's pure parts (SubscriptionUserData, OnAssignment) run inside
// the machine; its Assign needs metadata, so it runs in the AssignFunc
// that NewAssignFunc builds: decode every member's subscription, count the
// partitions of every subscribed topic (MetadataFromCluster), assign, and
// encode each member's ConsumerProtocolAssignment v3, as Java's leader.
//
// # States
//
//	Idle ──Start──▶ FindingCoordinator ──found──▶ (Revoking ──RevokeDone──▶) Joining
//	Joining ──JoinGroup ok, leader──▶ Assigning ──AssignmentComputed──▶ AwaitingSync
//	Joining ──JoinGroup ok, follower──▶ AwaitingSync ──SyncGroup ok──▶ Stable
//	Stable ──rebalance needed──▶ Revoking ──RevokeDone──▶ Joining
//	Stable ──no Poll within max.poll.interval.ms──▶ Unjoined ──Poll──▶ Revoking (Lose) ──▶ Joining
//	any ──coordinator lost──▶ FindingCoordinator (membership kept; back to Stable, or the join redone)
//	any ──Close──▶ (Revoking ──▶) Leaving ──LeaveResponse──▶ Closed, or straight to Closed
//	any ──fatal error──▶ Failed ──Close──▶ Closed
//
// Heartbeats run on their own schedule (heartbeat.interval.ms from the last
// send) in Revoking, Assigning, AwaitingSync and Stable, whatever Poll does;
// not while a JoinGroup is in flight, as in the Java client.
//
// # Rebalance triggers
//
// REBALANCE_IN_PROGRESS on a heartbeat while Stable; SubscriptionChanged;
// MetadataChanged when this member is the leader and a topic it assigned
// from has another partition count (AssignmentComputed says which counts it
// used: NewAssignFunc gives every topic the group subscribes to, 0 for one
// that does not exist, so that its creation counts too; a topic left out
// of MetadataChanged is unknown, not compared, and 0 there means deleted); MetadataChanged for any member when Config.Match (a pattern
// subscription) now matches other topics; a SyncGroup assignment naming
// topics outside the subscription, or a subscription changed during the
// round.
//
// # Eager
//
// Before every (re)join the member gives up everything it owns: with a
// valid generation, CommitBeforeRevoke (when AutoCommit) then Revoke; with
// the generation gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, poll interval
// exceeded) Lose, without a commit. JoinGroup waits for RevokeDone. After
// SyncGroup, Assign carries the whole assignment (also when empty, as Java
// calls onPartitionsAssigned).
//
// # Static membership (KIP-345)
//
// With Config.InstanceID the member sends group.instance.id. Close sends no
// LeaveGroup unless Close.Leave is LeaveGroup (a dynamic member leaves
// unless it is RemainInGroup, Java's internal.leave.group.on.close=false);
// the owned partitions are revoked either way, since this consumer stops
// reading them. When max.poll.interval.ms passes without a Poll, a dynamic
// member sends LeaveGroup and a static one just stops heartbeating; both
// reset member id and generation (Unjoined), and the next Poll reports the
// partitions lost (Lose, reason ErrPollIntervalExceeded) and rejoins.
// FENCED_INSTANCE_ID is fatal with an error saying that another instance
// uses the same group.instance.id.
//
// # Errors, as the Java client handles them
//
// "Rejoin" = JoinGroup again at once; "rediscover" = FindCoordinator again,
// keeping member id and generation; "backoff" = retry.backoff.ms doubling
// to retry.backoff.max.ms, ±20% jitter; "fatal" = Lose what is owned, Fail, state Failed.
//
//	API / error                         handling
//	FindCoordinator
//	  retriable (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
//	  COORDINATOR_LOAD_IN_PROGRESS), connection error   backoff, look up again
//	  GROUP_AUTHORIZATION_FAILED, any non-retriable      fatal
//	JoinGroup
//	  MEMBER_ID_REQUIRED (KIP-394)       take the returned member id, rejoin
//	  UNKNOWN_MEMBER_ID                  reset member id and generation, rejoin
//	  REBALANCE_IN_PROGRESS              rejoin
//	  COORDINATOR_LOAD_IN_PROGRESS       backoff, rejoin
//	  NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, connection error
//	                                     backoff, rediscover, rejoin
//	  FENCED_INSTANCE_ID                 fatal (another instance has the id)
//	  GROUP_AUTHORIZATION_FAILED, GROUP_MAX_SIZE_REACHED,
//	  INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT,
//	  INVALID_GROUP_ID, UNSUPPORTED_VERSION, anything else   fatal
//	  ok, protocol type not "consumer" (v7+, KIP-559), or a protocol
//	  name this member did not offer     fatal INCONSISTENT_GROUP_PROTOCOL
//	SyncGroup
//	  REBALANCE_IN_PROGRESS              rejoin (member id and generation kept)
//	  UNKNOWN_MEMBER_ID                  reset member id and generation, rejoin
//	  ILLEGAL_GENERATION                 reset generation, keep member id, rejoin
//	  NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, connection error
//	                                     backoff, rediscover, rejoin
//	  FENCED_INSTANCE_ID                 fatal
//	  GROUP_AUTHORIZATION_FAILED, anything else (COORDINATOR_LOAD_IN_PROGRESS
//	  included)                          fatal
//	  ok, protocol type or name not the generation's (v5+, KIP-559), or an
//	  assignment that does not decode    fatal (no bytes at all: the
//	                                     coordinator's empty assignment)
//	Heartbeat (an error for a generation or member id already left behind
//	is ignored, as Java's generationUnchanged)
//	  REBALANCE_IN_PROGRESS              Stable: revoke, rejoin; elsewhere ignored
//	                                     (the answer still counts for the session)
//	  UNKNOWN_MEMBER_ID                  reset member id and generation, Lose, rejoin
//	  ILLEGAL_GENERATION                 reset generation, keep member id, Lose, rejoin
//	  NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, connection error
//	                                     rediscover at once
//	  FENCED_INSTANCE_ID                 fatal
//	  GROUP_AUTHORIZATION_FAILED, anything else   fatal
//	  no answer for session.timeout.ms   rediscover (the client's view of the session)
//	LeaveGroup
//	  any answer, any error, connection error     done: Closed (Java logs the error)
//
// # Where the cooperative protocol goes (KIP-429)
//
// The Member already carries what cooperative needs: the owned partitions,
// sent in the subscription (v1+) with the generation (v2+), and the
// generation itself. Its branch is three places, not a rewrite:
//   - prepareJoin: revoke only the owned partitions of topics no longer
//     subscribed, keep the rest, and send JoinGroup at once;
//   - heartbeating: true in Joining too, and fetching continues (the
//     Consumer does nothing on a rejoin that revokes nothing);
//   - synced, the reconciliation step: it already computes added =
//     assigned − owned with minus; add revoked = owned − assigned, emit
//     CommitBeforeRevoke+Revoke(revoked) before Assign(added), and when
//     revoked is not empty, prepareJoin at once.
//
// The subscription already carries the owned partitions (grouped) and the
// generation, so a cooperative-sticky assignor on the leader sees them.
//
// # Where the next-generation protocol goes (KIP-848)
//
// The ConsumerGroupHeartbeat protocol is another machine beside this one,
// with its own states (Joining, Reconciling, Acknowledging, Stable, Fenced,
// Leaving) and its own wire events and actions (a ConsumerGroupHeartbeat
// out, its answer in): the broker computes the assignment, so there is no
// Assigning, SyncGroup or leader, and the member epoch replaces the
// generation. What the two machines share is everything the Consumer sees:
//   - the Consumer's events: Start, Poll, SubscriptionChanged,
//     MetadataChanged, RevokeDone, Close, and Tick for time;
//   - the reconciliation step's actions: CommitBeforeRevoke, Revoke, Assign
//     and Lose, computed the same way (revoke = owned − target, assign =
//     target − owned, lose when fenced), then ScheduleTimer and Fail;
//   - the rule that the machine waits for RevokeDone before it tells the
//     coordinator that the partitions are free.
//
// The Consumer's loop therefore performs the actions of either machine
// without knowing which protocol runs (group.protocol). The Driver's
// loop, which only steps a machine and performs what it returns, becomes
// generic over a small interface (Step(Event) plus State) when the second
// machine arrives; its request code stays per protocol.
//
// # Differences from the Java client
//
// The backoff's jitter (±20%, as Java's ExponentialBackoff) comes from a
// random generator that lives in the Member, seeded by Config.Seed, so
// that Step stays a function of the Member and the event. The membership is only reset by the
// responses and timers above, never by another thread, so Java's "generation
// data was cleared by the heartbeat thread" case does not exist.
// Unsubscribing is Close here.
package group

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
// rebalance protocol is that of the assignor the coordinator selects, per
// generation (see Cooperative). The
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
//	Stable ──rebalance needed──▶ Revoking ──RevokeDone──▶ Joining      (eager)
//	Stable ──rebalance needed──▶ Joining                               (cooperative)
//	AwaitingSync ──SyncGroup ok, some revoked──▶ Revoking ──RevokeDone──▶ Joining (cooperative)
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
// round. Member.Trigger says which of them began the rebalance under way
// (a Cause, with the Now of its event); the Driver's Observe hook lets the
// Consumer follow each step for its rebalance timeline.
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
// # Cooperative (KIP-429)
//
// The rebalance protocol follows the assignor the coordinator selected
// for the member's generation (the JoinGroup answer's protocol name;
// Member.Rebalance): cooperative when that assignor supports it, eager
// otherwise, and the next join follows it. The coordinator selects, among
// the names every member offers, the one most members list first
// (ClassicGroup.selectProtocol). So members offering [cooperative-sticky,
// range] (rawkafka's default) run cooperative among themselves and fall
// back to range, eager, when a member offering only eager assignors joins
// (kcat's default range,roundrobin); when it leaves they are cooperative
// again. Java decides statically instead (cooperative only when every
// configured assignor supports it, so its default [range,
// cooperative-sticky] is always eager), and librdkafka refuses a
// configuration that mixes eager and cooperative assignors; neither meets
// the change of protocol between generations handled here:
//   - eager to cooperative: the members joined eagerly, owning nothing;
//     only the protocol of the next join changes.
//   - cooperative to eager: this member joined keeping its partitions
//     (sent in its subscription) and the answer selects range. The round
//     ends cooperatively: a leader here runs range and takes out every
//     partition another member still owns (NewAssignFunc checks every
//     assignment); after SyncGroup the member revokes owned − assigned and
//     rejoins at once when it revoked any, and that join, like every later
//     one while the group selects range, is eager (everything revoked
//     first). A SyncGroup REBALANCE_IN_PROGRESS in that round also rejoins
//     eagerly.
//
// The one window that remains: in that round a foreign leader running
// range (kcat; Java, which checks ownership only when it runs cooperative
// itself, never with range in its list) ignores the owned partitions and
// may give another member a partition this member still owns; both own it from the other member's SyncGroup answer until this
// member's revoke after its own (the same moment, plus the commit and
// OnRevoked). Nothing a follower can do closes it: the leader's SyncGroup
// does not wait for the others. Records are not lost: the other member
// starts at the committed offset, so some may be delivered twice.
//
// The owned partitions and their generation travel in every subscription
// (v3), so the leader's assignor sees who owns what. The branch is in
// three places, each as Java's ConsumerCoordinator:
//   - prepareJoin (onJoinPrepare): with the generation gone
//     (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, poll interval exceeded)
//     everything owned is lost (Lose), as in eager; otherwise only the
//     owned partitions of topics no longer subscribed are revoked
//     (CommitBeforeRevoke, Revoke with Incremental) and the join waits for
//     that RevokeDone; the rest stay owned and JoinGroup goes out at once.
//     An UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION answer to the JoinGroup
//     or SyncGroup of the round loses what was kept through it.
//   - the round: nothing changes for the Consumer. It keeps fetching,
//     delivering and committing the kept partitions; a commit during the
//     round carries the old generation and either succeeds or fails with
//     ErrCommitFailed (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION), which
//     takes nothing away. Heartbeats stop while JoinGroup is in flight and
//     run from its answer on, as in eager and in Java.
//   - synced (onJoinComplete): revoked = owned − assigned, with their
//     commit in the new generation, then OnRevoked (Revoke, Incremental);
//     added = assigned − owned in Assign, whose Generation is from now on
//     the one the Consumer commits every owned partition with; the kept
//     partitions appear in neither, keeping their fetch position and
//     pause state. When anything was revoked the member waits in Revoking
//     for RevokeDone and then rejoins at once, so that the next round's
//     leader can hand the revoked partitions to their new owner.
//
// For each change of assignment, who may still be fetching, committing or
// calling back: a revoked partition is fetched, delivered and committed
// by this member only until its RevokeDone, and no other member is given
// it before that RevokeDone's rejoin (the leader's rule below); an added
// partition was owned by nobody when the leader assigned it (its last
// owner revoked it and rejoined, or was lost); a lost partition may be
// owned by another member already, so it is neither committed nor
// delivered after Lose.
//
// The leader (NewAssignFunc) checks the rule that no partition changes
// owner within one round, as Java's validateCooperativeAssignment: a
// partition assigned to a member other than the one whose subscription
// owns it (the higher generation's claim, when two claim it) is taken out
// of the assignment and logged. Java throws, failing the leader; here the
// round goes on, since a partition left out is revoked by its owner, who
// rejoins, and the next round assigns it: the two steps the protocol asks
// for, at the cost of one more round, where failing would stop the group.
//
// A mixed group with Java members: a Java member with [range,
// cooperative-sticky] runs eager (revokes everything before each join)
// whatever was selected, and rawkafka members run cooperative when
// cooperative-sticky is selected, in the same group. That is safe: an
// eager member owns nothing while a round runs, and the cooperative-sticky
// assignor, whoever runs it, keeps the cooperative members' partitions
// where they are (and the leader's rule here). The whole group only
// rebalances incrementally once every member is cooperative (Java's
// two-step upgrade: first add cooperative-sticky, then drop range).
//
// Close of a cooperative member revokes what it owns (with its commit)
// and, for a dynamic member, sends LeaveGroup. A static member sends none
// (KIP-345): its partitions stay with its instance id until it returns or
// its session ends, whether or not a round was under way, and Close
// returns once the revoke is done without waiting for the round (the
// JoinGroup's answer, if any, is ignored).
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
//
// Cooperative: Java's onJoinPrepare auto-commits every owned partition
// (async, bounded) before each rejoin in both protocols; here a
// cooperative member does not, since none of its partitions can move in
// the round it joins: the periodic auto-commit goes on for the kept ones
// and a partition revoked after SyncGroup is committed just before its
// OnRevoked (CommitBeforeRevoke). Java skips validateCooperativeAssignment
// for its built-in cooperative-sticky; here every cooperative assignment
// is checked, which costs nothing for an assignor that keeps the rule, and
// the check is stricter than Java's (a partition its owner keeps and
// another member is also given is taken from the other member too).
package group

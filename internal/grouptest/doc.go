// Package grouptest is the harness of rawkafka's consumer-group integration
// tests: it runs group members as external processes (kcat -G, which is
// librdkafka's balanced consumer, the Apache Kafka Java console consumer,
// and rawconsume -G, rawkafka's own), reads what each prints, and
// checks, against a real broker, what the group must guarantee.
//
// A Member is one consumer process. Each line it prints becomes a Record (a
// consumed record: topic, partition, offset, value) or an OwnershipEvent
// (partitions assigned, revoked or lost), stamped with the time the harness
// read the line and with a per-member sequence number. Intervals turns the
// events of every member into ownership intervals per partition; the
// checkers then say whether
//
//   - no partition was owned by two members at once (NoOverlap),
//   - each member consumed only what it owned (RecordsWithinOwnership),
//   - every produced record id was consumed at least once, and which
//     (topic, partition, offset) were delivered more than once (Consume),
//   - duplicates happened only at or after the last commit of a member that
//     died (DuplicatesAfter, with CommittedOffsets read at its death),
//   - a member saw no rebalance during a window (NoRebalance),
//   - how many rounds a membership change took: members started with
//     Config.LogJoins report every generation they join (Joined events;
//     kcat and rawconsume with -d cgrp, Java from its own log), and
//     Generation before and after a change (WaitSettled) counts them,
//   - whether a member revoked everything it owned and was assigned again,
//     as eager members do and cooperative ones never (FullRevokes).
//
// Duplicates a client's own behaviour explains are named, not excused
// wholesale: the Java console consumer in the cooperative protocol keeps
// consuming through a rebalance and revokes without committing again
// (UncommittedAtRevoke gives exactly those records; Consumption.Excluding
// takes their second delivery out before the strict checks).
//
// A Stream produces records with unique ids ("id-<n>") at a steady rate with
// kcat -P while members come and go; Pause holds it so that a kcat member
// can be stopped with nothing in flight (kcat loses a record it has polled
// but not printed at SIGTERM), Stop ends it.
//
// # How precise the timestamps are
//
// Records and events of one member travel through one pipe (stdout and
// stderr are the same file), so their order within a member is the order
// the process wrote them: Seq is exact, and RecordsWithinOwnership, which
// compares a member's records with that member's own events, uses Seq only.
//
// Across members only wall-clock times can be compared. Time is when the
// harness read the line; it is later than the moment the client acted by
// the pipe and goroutine scheduling delay, which differs between members
// and grows with the machine's load (the tests log it: Java lines were read
// at most about 1 ms after their own stamp on the 2-core test machine). The Java consumer stamps its log lines itself
// (milliseconds, log4j2's UNIX_MILLIS); ClientTime holds that stamp and
// When prefers it. In the eager protocol the member giving a partition up
// logs its revoke before it sends JoinGroup, and the member receiving it
// logs its assignment only after SyncGroup, which the coordinator answers
// only once every member has rejoined: the true gap is at least one round
// trip to the coordinator (eager hand-overs measured 7 to 17 ms apart on
// loopback; cooperative ones, which need a second rebalance, over a second).
// NoOverlap therefore takes a slack: an overlap shorter than the slack is
// reported as unprovable (Overlap.WithinSlack), not as a violation. A
// member that keeps a partition for longer than the slack after another got
// it is caught; one that overlaps by less is not, by this check. A killed
// member's ownership ends at the moment Kill sent SIGKILL.
//
// # Adding a kind of member
//
// A kind is a constructor that builds the command line from a Config and
// returns NewProcess(t, cfg.Name, kind, cmd, parser), as Kcat and Java do.
// The parser gets every line of the merged stdout and stderr and returns a
// Record for a consumed record, an OwnershipEvent (Assigned, Revoked or
// Lost, with its partitions) for a rebalance callback, nil for anything
// else, and an error only for a line that claims to be one of those and
// cannot be read. What the kind must print: one line per record with
// topic, partition, offset and value, written before the client hands the
// next record out, and one line per rebalance callback, written inside the
// callback (a revoke before the partitions are given up, an assignment
// after they are taken), unbuffered, to stdout or stderr (one pipe: that
// is what makes Seq exact).
// If the client stamps its lines, set ClientTime. Stop sends SIGTERM
// (SetStopSignal for another) and the kind's clean shutdown must leave the
// group as its Close does; Kill needs nothing from it.
//
// # Chasing a rare failure
//
// GROUPTEST_OUTPUT_DIR=dir (OutputDirEnv) keeps every member's whole
// output in dir; GROUPTEST_RAWCONSUME_DEBUG=1 (RawconsumeDebugEnv) runs
// rawconsume members with -d all, whose rebalance timeline says for each
// assigned partition when it was first fetched. Loop one test with both:
//
//	GROUPTEST_OUTPUT_DIR=/tmp/run GROUPTEST_RAWCONSUME_DEBUG=1 go test -p 1 -count=1 -run 'TestMixedGroup/range' ./internal/grouptest
package grouptest

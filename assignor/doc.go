// Package assignor computes consumer-group partition assignments: the work
// a group leader does between JoinGroup and SyncGroup in the classic
// protocol, with the rules of the Java client's assignors so that a group of
// Java, librdkafka and rawkafka members agrees on who reads what.
//
// Everything here is pure: no I/O, no goroutines, no logging, no clock. An
// Assignor is a value without state (safe for concurrent use); what Java's
// sticky assignors remember between rebalances (the previous assignment,
// the generation) a member passes back in through its Member.
//
// The pieces:
//
//   - Assignor, with Range and RoundRobin ("range", "roundrobin"), Sticky
//     and CooperativeSticky ("sticky", "cooperative-sticky"), and ByName
//     and ByNames for the names partition.assignment.strategy uses.
//   - Group (the members' subscriptions, with their racks, and the topics'
//     partition counts and replica racks) in, one Assignment per member
//     out.
//   - SelectProtocol, the coordinator's rule for the group's assignor, and
//     RebalanceProtocolOf, the Java client's rule for eager or cooperative
//     (rawkafka's group/ instead follows the selected assignor's protocol
//     each generation, and uses this only to check that a configuration's
//     assignors share a protocol).
//   - Check, the invariants every assignment must meet, used by every
//     assignor test here and meant for the sticky assignors' tests.
//   - MemberFromJoin (and MemberFromSubscription), AssignmentFromProtocol,
//     Assignment.Encode and Assignment.Protocol, to and from the embedded
//     consumer protocol; a leader decodes members with MemberFromJoin and
//     one protocol.TopicNames (a topic name in 2,000 subscriptions is one
//     string) and encodes with Assignment.Encode (one allocation each).
//
// Range and RoundRobin give what Java's RangeAssignor and RoundRobinAssignor
// give on the same input (testdata/crosscheck holds the proof against
// kafka-clients 4.4.0), so a rawkafka leader and a Java one assign alike.
// Sticky and CooperativeSticky follow Java's AbstractStickyAssignor; they
// give Java's result whenever all members subscribe to the same topics, and
// mostly otherwise, where Java's choices depend on HashSet order (see the
// cross-check's README for the measures).
//
// Range, Sticky and CooperativeSticky are rack-aware as Java's are since
// Kafka 3.5 (KIP-881): when members send a rack (client.rack) and
// Topic.Racks puts partitions' replicas on some of those racks and not all
// on the same ones, they prefer to give a partition to a member on one of
// its replicas' racks, within the balance each promises; otherwise racks
// change nothing (testdata/crosscheck holds that proof too).
//
// Member order follows Java's AbstractPartitionAssignor.MemberInfo: static
// members (with a group.instance.id) first, by instance id, then dynamic
// members by member id, strings compared as Java compares them (by UTF-16
// code unit).
package assignor

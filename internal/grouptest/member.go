package grouptest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TopicPartition names a partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// String is topic/partition.
func (tp TopicPartition) String() string { return fmt.Sprintf("%s/%d", tp.Topic, tp.Partition) }

// Record is a record a member printed.
type Record struct {
	Member    string
	Topic     string
	Partition int32
	Offset    int64
	Value     string    // the record id for records a Stream wrote
	Time      time.Time // when the harness read the line
	Seq       int       // line number in the member's output, from 1
}

// TP is the record's partition.
func (r Record) TP() TopicPartition { return TopicPartition{r.Topic, r.Partition} }

// EventType is what happened to a member's ownership.
type EventType int

// The ownership events. Assigned adds partitions to what the member owns,
// Revoked and Lost take them away (Lost: the member learnt that it had
// already lost them, e.g. after its session expired). Exited and Killed
// end the ownership of whatever the member still held when its process
// ended; Killed is stamped with the moment SIGKILL was sent. Joined
// changes no ownership: the member's JoinGroup was answered with
// OwnershipEvent.Generation, which is how the tests count rebalance
// rounds (Config.LogJoins; see Generation). JoinSent changes no ownership
// either: the member is about to rejoin (the Java member's "Request
// joining group due to" and "(Re-)joining group"; see
// UncommittedAtRevoke).
const (
	Assigned EventType = iota + 1
	Revoked
	Lost
	Exited
	Killed
	Joined
	JoinSent
)

var eventNames = map[EventType]string{Assigned: "assigned", Revoked: "revoked", Lost: "lost", Exited: "exited", Killed: "killed",
	Joined: "joined", JoinSent: "join sent"}

// String names the event type.
func (e EventType) String() string {
	if s, ok := eventNames[e]; ok {
		return s
	}
	return fmt.Sprintf("EventType(%d)", int(e))
}

// OwnershipEvent is a change of the partitions a member owns, as its output
// told it.
type OwnershipEvent struct {
	Member     string
	Type       EventType
	Partitions []TopicPartition // for Exited and Killed: what the member still owned
	Time       time.Time        // when the harness read the line (or sent SIGKILL, or saw the exit)
	ClientTime time.Time        // the client's own stamp, zero when it prints none
	Seq        int              // line number in the member's output (records and events share it)
	Line       string           // the line it came from
	Generation int32            // for Joined: the generation the JoinGroup answer gave
}

// When is ClientTime when the client stamped the event, else Time.
func (e OwnershipEvent) When() time.Time {
	if !e.ClientTime.IsZero() {
		return e.ClientTime
	}
	return e.Time
}

// Strategy is a partition assignment strategy, by librdkafka's name, or a
// comma-separated list of them in order of preference
// ("cooperative-sticky,range", the first step of KIP-429's upgrade).
// librdkafka refuses a list that mixes eager and cooperative assignors,
// so a Kcat member takes only lists of one kind.
type Strategy string

// The strategies every member kind understands.
const (
	Range             Strategy = "range"
	RoundRobin        Strategy = "roundrobin"
	CooperativeSticky Strategy = "cooperative-sticky"
	// CooperativeStickyRange is [cooperative-sticky, range]: the first
	// step of the eager-to-cooperative rolling upgrade (KIP-429). Java
	// and rawconsume take it; kcat does not.
	CooperativeStickyRange Strategy = "cooperative-sticky,range"
)

// Config is what every member kind is started with.
type Config struct {
	Name              string   // unique in the test; names the member in records, events and logs
	Brokers           string   // bootstrap host:port list
	Group             string   // group.id
	Topics            []string // subscription
	Strategy          Strategy // "" means Range
	InstanceID        string   // group.instance.id; "" is a dynamic member
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	// AutoCommitInterval is auto.commit.interval.ms (both clients commit
	// automatically what they have handed out, and on revoke and close);
	// 0 keeps the client's default (5 s).
	AutoCommitInterval time.Duration
	// Properties are more client properties, in the client's own names.
	Properties map[string]string
	// LogJoins makes the member report every generation it joins (Joined
	// events): kcat and rawconsume then run with -d cgrp; the Java
	// member always logs its joins.
	LogJoins bool
}

func (c Config) strategy() Strategy {
	if c.Strategy == "" {
		return Range
	}
	return c.Strategy
}

// strategies is strategy() split at its commas.
func (c Config) strategies() []Strategy {
	var out []Strategy
	for _, s := range strings.Split(string(c.strategy()), ",") {
		out = append(out, Strategy(strings.TrimSpace(s)))
	}
	return out
}

// properties are the group settings shared by both kinds (same names in
// librdkafka and the Java client), in a stable order.
func (c Config) properties() [][2]string {
	p := [][2]string{{"auto.offset.reset", "earliest"}}
	if c.SessionTimeout > 0 {
		p = append(p, [2]string{"session.timeout.ms", fmt.Sprint(c.SessionTimeout.Milliseconds())})
	}
	if c.HeartbeatInterval > 0 {
		p = append(p, [2]string{"heartbeat.interval.ms", fmt.Sprint(c.HeartbeatInterval.Milliseconds())})
	}
	if c.AutoCommitInterval > 0 {
		p = append(p, [2]string{"auto.commit.interval.ms", fmt.Sprint(c.AutoCommitInterval.Milliseconds())})
	}
	if c.InstanceID != "" {
		p = append(p, [2]string{"group.instance.id", c.InstanceID})
	}
	keys := make([]string, 0, len(c.Properties))
	for k := range c.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p = append(p, [2]string{k, c.Properties[k]})
	}
	return p
}

// Member is one group member. Kinds: Kcat, Java, Rawconsume.
// A Member runs once: to restart one (a static member coming back), make a
// new Member with the same Config.
type Member interface {
	// Name is Config.Name.
	Name() string
	// Kind names the client ("kcat", "java").
	Kind() string
	// Start starts the process; ctx bounds its whole life.
	Start(ctx context.Context) error
	// Stop asks the member to leave as the client does on a normal
	// shutdown (SIGTERM: both kcat and the Java console consumer close
	// their consumer, which commits and, for dynamic members, leaves the
	// group) and waits for it to exit, killing it after timeout.
	Stop(timeout time.Duration) error
	// Kill sends SIGKILL: no Close, no commit, no LeaveGroup.
	Kill() error
	// Done is closed when the process has exited and its output is read.
	Done() <-chan struct{}
	// Records is a copy of the records printed so far.
	Records() []Record
	// Events is a copy of the ownership events so far.
	Events() []OwnershipEvent
	// Owned is what the member owns now, by its own events.
	Owned() []TopicPartition
	// Output is everything the process printed, for failure messages.
	Output() string
}

// ownedAfter applies events in order and returns the set left.
func ownedAfter(events []OwnershipEvent) []TopicPartition {
	set := map[TopicPartition]bool{}
	for _, e := range events {
		for _, tp := range e.Partitions {
			if e.Type == Assigned {
				set[tp] = true
			} else {
				delete(set, tp)
			}
		}
	}
	return sortedSet(set)
}

func sortedSet(set map[TopicPartition]bool) []TopicPartition {
	out := make([]TopicPartition, 0, len(set))
	for tp := range set {
		out = append(out, tp)
	}
	slices.SortFunc(out, compareTP)
	return out
}

func compareTP(a, b TopicPartition) int {
	if c := strings.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return int(a.Partition) - int(b.Partition)
}

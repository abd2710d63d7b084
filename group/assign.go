package group

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// MetadataFunc returns what the leader assigns from for each of topics
// that exists: its partition count and, for rack-aware assignment
// (KIP-881), the racks of each partition's replicas (assignor.Topic.Racks,
// nil when the brokers have no racks). A topic that does not exist (or has
// no partitions yet) is left out of the map or given 0 partitions; an
// error means the metadata could not be had at all.
type MetadataFunc func(ctx context.Context, topics []string) (map[string]assignor.Topic, error)

// assignmentVersion is the ConsumerProtocolAssignment version the leader
// writes: the newest, whatever the members sent, as Java's
// ConsumerProtocol.serializeAssignment does (versions 0-3 of the
// assignment have the same fields, and a reader of an older version reads
// a newer one by the fields it knows).
const assignmentVersion = protocol.ConsumerProtocolMaxVersion

// NewAssignFunc returns the AssignFunc of a leader configured with
// assignors (Config.Assignors): it decodes every member's subscription from
// the JoinGroup members, asks metadata for the partition counts of every
// topic any member subscribes to, runs the assignor the coordinator chose
// (ComputeAssignment.Protocol) and encodes each member's assignment.
//
// The counts it returns, which the machine watches (Member.AssignedFrom),
// hold every subscribed topic, 0 for one that does not exist: the leader
// then rejoins when such a topic is created or a topic it assigned from is
// deleted or grows, as Java's leader compares its metadata snapshot.
// Subscribed topics that do not exist are assigned to nobody, and logged
// (Warn) as Java's leader logs them.
//
// With ComputeAssignment.SkipAssignment it only decodes the subscriptions
// and counts the partitions: the counts, no assignments.
//
// A failing metadata is retried with backoff until ctx ends (the driver
// bounds it by the request timeout): only then is it the leader's fatal
// error. logger may be nil.
func NewAssignFunc(assignors []assignor.Assignor, metadata MetadataFunc, logger *slog.Logger) AssignFunc {
	assignors = slices.Clone(assignors)
	// Every assignment is checked (validateCooperative), whatever the
	// selected assignor's protocol: the members' owned partitions are
	// those they keep through this round, none for an eager member, so
	// the check takes nothing out of an eager group's assignment; but the
	// round in which a cooperative group falls back to an eager assignor
	// has members that joined keeping theirs, and the eager assignor
	// ignores them.
	const cooperative = true
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, a ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
		i := slices.IndexFunc(assignors, func(x assignor.Assignor) bool { return x.Name() == a.Protocol })
		if i < 0 && !a.SkipAssignment {
			// The machine only leads with a protocol it offered.
			return nil, nil, fmt.Errorf("group: the coordinator chose assignor %q, which this member does not have", a.Protocol)
		}
		members, topics, err := decodeMembers(a.Members)
		if err != nil {
			return nil, nil, err
		}
		meta, err := metadataWithRetry(ctx, metadata, topics)
		if err != nil {
			return nil, nil, err
		}
		counts := make(map[string]int32, len(meta))
		for t, m := range meta {
			counts[t] = m.Partitions
		}
		if a.SkipAssignment {
			logger.Info("group: a static leader rejoined; the group keeps its assignment (KIP-814)",
				"generation", a.Generation, "members", len(members), "topics", len(topics))
			return nil, counts, nil
		}
		out, missing, stripped, err := assignMembers(assignors[i], members, topics, meta, cooperative)
		if err != nil {
			return nil, nil, err
		}
		if len(stripped) > 0 {
			logger.Warn("group: the assignor moved partitions between owners in one cooperative round; they stay unassigned until their owner has revoked them and rejoined",
				"generation", a.Generation, "protocol", a.Protocol, "partitions", stripped)
		}
		if len(missing) > 0 {
			logger.Warn("group: subscribed topics do not exist, so no member is assigned them",
				"generation", a.Generation, "topics", missing)
		}
		logger.Info("group: assigned partitions as the leader", "generation", a.Generation,
			"protocol", a.Protocol, "members", len(members), "topics", len(topics))
		return out, counts, nil
	}
}

// decodeMembers reads every member's ConsumerProtocolSubscription, with
// its group.instance.id, and returns them with the topics any of them
// subscribes to (sorted, distinct). A subscription that does not decode
// fails the assignment, as Java's SchemaException does.
func decodeMembers(in []protocol.JoinGroupResponseMember) ([]assignor.Member, []string, error) {
	members := make([]assignor.Member, 0, len(in))
	var topics []string
	var names protocol.TopicNames // one string per topic name, not one per member
	for _, jm := range in {
		m, err := assignor.MemberFromJoin(jm.MemberId, jm.GroupInstanceId, jm.Metadata, &names)
		if err != nil {
			return nil, nil, fmt.Errorf("group: the subscription of member %q: %w", jm.MemberId, err)
		}
		members = append(members, m)
		topics = append(topics, m.Topics...)
	}
	return members, normalizeTopics(topics), nil
}

// assignMembers runs as over members with the metadata of topics (every
// topic subscribed: partition counts and replica racks) and encodes one assignment per member, in the
// members' order. It returns the subscribed topics without partitions,
// which nobody gets, and, with cooperative, the partitions taken out by
// validateCooperative. It is pure: NewAssignFunc's work minus the metadata.
func assignMembers(as assignor.Assignor, members []assignor.Member, topics []string, meta map[string]assignor.Topic, cooperative bool) ([]protocol.SyncGroupRequestAssignment, []string, []protocol.TopicPartition, error) {
	g := assignor.Group{Members: members, Topics: make(map[string]assignor.Topic, len(topics))}
	var missing []string
	for _, t := range topics {
		if m := meta[t]; m.Partitions > 0 {
			g.Topics[t] = m
		} else {
			missing = append(missing, t)
		}
	}
	result, err := as.Assign(g)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("group: assignor %q: %w", as.Name(), err)
	}
	var stripped []protocol.TopicPartition
	if cooperative {
		result, stripped = validateCooperative(members, result)
	}
	// Every member's assignment in one buffer, each capped at its end.
	size := 0
	for _, m := range members {
		size += result[m.ID].EncodedLen()
	}
	buf := make([]byte, 0, size)
	out := make([]protocol.SyncGroupRequestAssignment, 0, len(members))
	for _, m := range members {
		start := len(buf)
		if buf, err = result[m.ID].Encode(buf, assignmentVersion); err != nil {
			return nil, nil, nil, fmt.Errorf("group: the assignment of member %q: %w", m.ID, err)
		}
		out = append(out, protocol.SyncGroupRequestAssignment{MemberId: m.ID, Assignment: buf[start:len(buf):len(buf)]})
	}
	return out, missing, stripped, nil
}

// validateCooperative enforces KIP-429's rule on the leader's assignment:
// a partition that some member owns (its subscription says so) may only be
// assigned, in this round, to that member. A partition assigned to another
// member is taken out of that member's assignment and returned, sorted:
// its owner, not assigned it, revokes it and rejoins, and the next round
// gives it out, free. Java's validateCooperativeAssignment throws instead,
// failing the leader (and, with it, the round) for an assignor bug; here
// the assignment is made safe and the round goes on, since stripping is
// exactly the two-step move the cooperative protocol asks for and costs
// one more round, where failing would stop the group's progress. When two
// members claim the same partition, the claim with the higher generation
// is its owner, as in the sticky assignors; on a tie it has no single
// owner and any assignment of it stands (both revoke it unless given it).
func validateCooperative(members []assignor.Member, result map[string]assignor.Assignment) (map[string]assignor.Assignment, []protocol.TopicPartition) {
	type claim struct {
		id  string
		gen int32
		tie bool
	}
	owner := make(map[protocol.TopicPartition]claim)
	for _, m := range members {
		for _, tp := range m.Owned {
			c, ok := owner[tp]
			switch {
			case !ok || m.Generation > c.gen:
				owner[tp] = claim{id: m.ID, gen: m.Generation}
			case m.Generation == c.gen:
				c.tie = true
				owner[tp] = c
			}
		}
	}
	var stripped []protocol.TopicPartition
	out := make(map[string]assignor.Assignment, len(result))
	for id, a := range result {
		keep := make([]protocol.TopicPartition, 0, len(a.Partitions))
		for _, tp := range a.Partitions {
			if c, ok := owner[tp]; ok && !c.tie && c.id != id {
				stripped = append(stripped, tp)
				continue
			}
			keep = append(keep, tp)
		}
		a.Partitions = keep[:len(keep):len(keep)]
		out[id] = a
	}
	slices.SortFunc(stripped, protocol.TopicPartition.Compare)
	return out, stripped
}

// metadataWithRetry asks metadata for topics until it answers or ctx
// ends, backing off from 100ms to 1s, and returns a map with every topic
// (0 partitions for one that does not exist) that the caller owns.
func metadataWithRetry(ctx context.Context, metadata MetadataFunc, topics []string) (map[string]assignor.Topic, error) {
	if metadata == nil {
		return nil, errors.New("group: NewAssignFunc has no MetadataFunc")
	}
	wait := 100 * time.Millisecond
	for {
		got, err := metadata(ctx, topics)
		if err == nil {
			meta := make(map[string]assignor.Topic, len(topics))
			for _, t := range topics {
				m := got[t]
				if m.Partitions <= 0 {
					m = assignor.Topic{}
				}
				meta[t] = m
			}
			return meta, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("group: the leader's metadata for %v: %w", topics, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// MetadataFromCluster is a MetadataFunc over a conn.Cluster's metadata
// cache: it asks for the topics (which the cluster then keeps refreshing)
// and answers TopicsFromMetadata for them.
func MetadataFromCluster(cl *conn.Cluster) MetadataFunc {
	return func(ctx context.Context, topics []string) (map[string]assignor.Topic, error) {
		md, err := cl.Metadata(ctx, topics...)
		if err != nil {
			return nil, err
		}
		return TopicsFromMetadata(md, topics), nil
	}
}

// TopicsFromMetadata returns, for each of topics that md lists without a
// topic-level error (UNKNOWN_TOPIC_OR_PARTITION: the topic does not
// exist), its partition count (as PartitionCounts) and each partition's
// replica racks, from md's brokers (Partition.Replicas -> Broker.Rack;
// replicas on brokers md does not list, or without a rack, count as no
// rack, as in Java). Racks is nil when no broker has a rack; partitions
// on the same racks share one slice, so 1,000,000 partitions on a few
// racks cost one slice header each.
func TopicsFromMetadata(md *conn.Metadata, topics []string) map[string]assignor.Topic {
	racked := false
	for _, b := range md.Brokers {
		racked = racked || b.Rack != ""
	}
	shared := map[string][]string{} // racks joined -> the one slice
	var racks []string
	out := make(map[string]assignor.Topic, len(topics))
	for _, name := range topics {
		t := md.Topics[name]
		if t == nil || t.Err != nil {
			continue
		}
		m := assignor.Topic{Partitions: int32(len(t.Partitions))}
		if racked {
			m.Racks = make([][]string, len(t.Partitions))
			for _, p := range t.Partitions {
				if p.ID < 0 || p.ID >= m.Partitions {
					continue
				}
				racks = racks[:0]
				for _, id := range p.Replicas {
					if r := md.Brokers[id].Rack; r != "" && !slices.Contains(racks, r) {
						racks = append(racks, r)
					}
				}
				slices.Sort(racks)
				key := strings.Join(racks, "\x00")
				s, ok := shared[key]
				if !ok {
					s = slices.Clip(slices.Clone(racks))
					shared[key] = s
				}
				m.Racks[p.ID] = s
			}
		}
		out[name] = m
	}
	return out
}

// PartitionCounts returns the partition count of each of topics as md
// sees it, 0 for a topic md lists with a topic-level error
// (UNKNOWN_TOPIC_OR_PARTITION: deleted, or not created yet) or does not
// list; topics nil means every topic md lists. It is what a Consumer sends
// in MetadataChanged, and what MetadataFromCluster answers.
func PartitionCounts(md *conn.Metadata, topics []string) map[string]int32 {
	if topics == nil {
		topics = slices.Collect(maps.Keys(md.Topics))
	}
	counts := make(map[string]int32, len(topics))
	for _, name := range topics {
		counts[name] = 0
		if t := md.Topics[name]; t != nil && t.Err == nil {
			counts[name] = int32(len(t.Partitions))
		}
	}
	return counts
}

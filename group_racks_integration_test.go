package rawkafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/grouptest"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestIntegrationRackAwareAssignment needs brokers on three racks
// (scripts/kafka start --nodes 3: rack-1..3): two topics of 6 partitions,
// one with partition p on the (p%3)th rack only, one with it on that rack
// and the next, and three members of a group, one per rack (client.rack).
// With range, then with cooperative-sticky, every member gets 4 partitions
// and each of them has a replica on that member's rack (KIP-881: the
// leader reads the replicas' racks from its metadata), for range always
// (it finds that for these racks in any member order, through its
// co-partitioned path: the topics have the same subscribers and partition
// count), for cooperative-sticky wherever stickiness allows (see below).
// Without racks range would give each member two partitions in a row of
// the first topic, one of them off its rack.
func TestIntegrationRackAwareAssignment(t *testing.T) {
	e := kafkatest.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, md := clusterMetadata(ctx, t, e)
	byRack := map[string]int32{}
	for id, b := range md.Brokers {
		if b.Rack != "" {
			byRack[b.Rack] = id
		}
	}
	racks := slices.Sorted(maps.Keys(byRack))
	if len(racks) < 3 {
		t.Skipf("needs brokers on three racks (scripts/kafka start --nodes 3); this cluster has %d brokers on racks %v", len(md.Brokers), racks)
	}
	racks = racks[:3]
	const partitions = 6
	one, two := kafkatest.TopicName(t), kafkatest.TopicName(t)
	replicaRacks := func(tp TopicPartition) []string {
		p := int(tp.Partition)
		if tp.Topic == one {
			return []string{racks[p%3]}
		}
		return []string{racks[p%3], racks[(p+1)%3]}
	}
	for _, topic := range []string{one, two} {
		createAssigned(ctx, t, cl, topic, partitions, func(p int) []int32 {
			var ids []int32
			for _, r := range replicaRacks(TopicPartition{Topic: topic, Partition: int32(p)}) {
				ids = append(ids, byRack[r])
			}
			return ids
		})
	}

	for _, strategy := range []string{"range", "cooperative-sticky"} {
		t.Run(strategy, func(t *testing.T) {
			group := kafkatest.TopicName(t) + "-group"
			var ms []*member
			for _, rack := range racks {
				ms = append(ms, startMember(t, rack, map[string]string{
					"group.id": group, "client.rack": rack,
					"partition.assignment.strategy": strategy, "auto.offset.reset": "earliest",
				}, one, two))
			}
			defer func() {
				for _, m := range ms {
					m.stop(true)
				}
			}()
			waitFor(t, time.Minute, "all 12 partitions owned, 4 each", func() bool {
				seen := map[TopicPartition]bool{}
				for _, m := range ms {
					own := m.owned()
					if len(own) != 2*partitions/3 {
						return false
					}
					for _, tp := range own {
						seen[tp] = true
					}
				}
				return len(seen) == 2*partitions
			})
			// Range assigns afresh each round: everything on its rack. The
			// members join one by one, and cooperative-sticky keeps what a
			// member owns on its rack (as Java's does); so a partition may
			// stay off its owner's rack, but only when every member on its
			// racks is full (4) of partitions on its own rack: balance and
			// stickiness allow nothing better.
			full := func(j int) bool {
				own := ms[j].owned()
				return len(own) == 2*partitions/3 && !slices.ContainsFunc(own, func(tp TopicPartition) bool {
					return !slices.Contains(replicaRacks(tp), racks[j])
				})
			}
			for i, m := range ms {
				t.Logf("%s (%s) owns %v", m.name, strategy, m.owned())
				for _, tp := range m.owned() {
					if slices.Contains(replicaRacks(tp), racks[i]) {
						continue
					}
					if strategy == "range" {
						t.Errorf("%s got %v, which has no replica on its rack", m.name, tp)
						continue
					}
					for j := range ms {
						if slices.Contains(replicaRacks(tp), racks[j]) && !full(j) {
							t.Errorf("%s got %v, which has no replica on its rack, while %s could take it", m.name, tp, ms[j].name)
						}
					}
				}
				if errs := m.errors(); len(errs) > 0 {
					t.Errorf("%s: %v", m.name, errs)
				}
			}
		})
	}

	// A mixed group: kcat (librdkafka 2.3+ has KIP-881's range) joins
	// first on rack-1 and leads, then two rawkafka members on rack-2 and
	// rack-3: librdkafka's leader reads their racks from their v3
	// subscriptions, and everyone gets its rack's partitions.
	t.Run("range, kcat leading", func(t *testing.T) {
		group := kafkatest.TopicName(t) + "-group"
		k := grouptest.Kcat(t, grouptest.Config{Name: "kcat-" + racks[0], Brokers: e.Bootstrap, Group: group,
			Topics: []string{one, two}, Strategy: grouptest.Range, Properties: map[string]string{"client.rack": racks[0]}})
		if err := k.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer k.Stop(30 * time.Second)
		waitFor(t, time.Minute, "kcat alone owning all 12 partitions", func() bool { return len(k.Owned()) == 2*partitions })
		var ms []*member
		for _, rack := range racks[1:] {
			ms = append(ms, startMember(t, rack, map[string]string{
				"group.id": group, "client.rack": rack, "partition.assignment.strategy": "range", "auto.offset.reset": "earliest",
			}, one, two))
		}
		defer func() {
			for _, m := range ms {
				m.stop(true)
			}
		}()
		owned := func() [][]TopicPartition {
			out := [][]TopicPartition{nil}
			for _, tp := range k.Owned() {
				out[0] = append(out[0], TopicPartition{Topic: tp.Topic, Partition: tp.Partition})
			}
			for _, m := range ms {
				out = append(out, m.owned())
			}
			return out
		}
		waitFor(t, time.Minute, "all 12 partitions owned, 4 each", func() bool {
			n := 0
			for _, own := range owned() {
				if len(own) != 2*partitions/3 {
					return false
				}
				n += len(own)
			}
			return n == 2*partitions
		})
		for i, own := range owned() {
			t.Logf("%s owns %v", racks[i], own)
			for _, tp := range own {
				if !slices.Contains(replicaRacks(tp), racks[i]) {
					t.Errorf("the member on %s got %v, which has no replica on its rack", racks[i], tp)
				}
			}
		}
	})
}

// createAssigned creates topic with partition p's replicas on the brokers
// replicas(p) (CreateTopics with assignments) and waits until the
// metadata shows a leader for every partition.
func createAssigned(ctx context.Context, t *testing.T, cl *conn.Cluster, topic string, partitions int, replicas func(p int) []int32) {
	t.Helper()
	req := protocol.CreateTopicsRequestTopic{Name: topic, NumPartitions: -1, ReplicationFactor: -1}
	for p := range partitions {
		req.Assignments = append(req.Assignments, protocol.CreateTopicsRequestAssignment{PartitionIndex: int32(p), BrokerIds: replicas(p)})
	}
	cn, err := cl.Any(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cn.Do(ctx, &protocol.CreateTopicsRequest{TimeoutMs: 30000, Topics: []protocol.CreateTopicsRequestTopic{req}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range resp.(*protocol.CreateTopicsResponse).Topics {
		if err := protocol.ErrorWithMessage(tr.ErrorCode, tr.ErrorMessage); err != nil {
			t.Fatalf("create topic %s: %v", tr.Name, err)
		}
	}
	// Every broker must know the topic: the group's leader asks any of
	// them, and a topic it does not see yet is assigned to nobody until
	// its next metadata refresh (minutes).
	md, err := cl.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id := range md.Brokers {
		waitFor(t, time.Minute, fmt.Sprintf("broker %d to show a leader for every partition of %s", id, topic), func() bool {
			cn, err := cl.Broker(ctx, id)
			if err != nil {
				return false
			}
			resp, err := cn.Do(ctx, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &topic}}})
			if err != nil {
				return false
			}
			ts := resp.(*protocol.MetadataResponse).Topics
			return len(ts) == 1 && ts[0].ErrorCode == 0 && len(ts[0].Partitions) == partitions &&
				!slices.ContainsFunc(ts[0].Partitions, func(p protocol.MetadataResponsePartition) bool { return p.ErrorCode != 0 || p.LeaderId < 0 })
		})
	}
}

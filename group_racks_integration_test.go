package rawkafka

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestIntegrationRackAwareAssignment needs brokers on three racks
// (scripts/kafka start --nodes 3: rack-1..3): two topics of 6 partitions,
// one with partition p on the (p%3)th rack only, one with it on that rack
// and the next, and three members of a group, one per rack (client.rack).
// With range, then with cooperative-sticky, every member gets 4 partitions
// and each of them has a replica on that member's rack (KIP-881: the
// leader reads the replicas' racks from its metadata). Both assignors find
// that for these racks in any member order (range through its
// co-partitioned path: the topics have the same subscribers and partition
// count); without racks range would give each member two partitions in a
// row of the first topic, one of them off its rack.
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
			for i, m := range ms {
				var off []TopicPartition
				for _, tp := range m.owned() {
					if !slices.Contains(replicaRacks(tp), racks[i]) {
						off = append(off, tp)
					}
				}
				t.Logf("%s (%s) owns %v", m.name, strategy, m.owned())
				if len(off) > 0 {
					t.Errorf("%s got partitions %v, which have no replica on its rack", m.name, off)
				}
				if errs := m.errors(); len(errs) > 0 {
					t.Errorf("%s: %v", m.name, errs)
				}
			}
		})
	}
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
	cl.Metadata(ctx, topic) // the topic joins the interest Refresh asks for
	waitFor(t, time.Minute, "a leader for every partition of "+topic, func() bool {
		md, err := cl.Refresh(ctx)
		if err != nil {
			return false
		}
		tm := md.Topics[topic]
		if tm == nil || tm.Err != nil || len(tm.Partitions) != partitions {
			return false
		}
		return !slices.ContainsFunc(tm.Partitions, func(p conn.Partition) bool { return p.Leader < 0 })
	})
}

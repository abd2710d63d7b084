package group

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// fromCounts is metadata without racks: partition counts only.
func fromCounts(counts map[string]int32) map[string]assignor.Topic {
	out := make(map[string]assignor.Topic, len(counts))
	for t, n := range counts {
		out[t] = assignor.Topic{Partitions: n}
	}
	return out
}

// TestTopicsFromMetadata: counts as PartitionCounts, each partition's
// replica racks from the brokers (a broker without a rack or unknown adds
// none), one slice per set of racks, and no Racks at all when no broker
// has a rack.
func TestTopicsFromMetadata(t *testing.T) {
	md := &conn.Metadata{
		Brokers: map[int32]conn.Broker{1: {ID: 1, Rack: "r1"}, 2: {ID: 2, Rack: "r2"}, 3: {ID: 3, Rack: "r1"}, 4: {ID: 4}},
		Topics: map[string]*conn.Topic{
			"a": {Name: "a", Partitions: []conn.Partition{
				{ID: 0, Replicas: []int32{2, 1}}, {ID: 1, Replicas: []int32{1, 3}}, {ID: 2, Replicas: []int32{1, 2, 3}},
				{ID: 3, Replicas: []int32{4, 9}},
			}},
			"bad": {Name: "bad", Err: fmt.Errorf("UNKNOWN_TOPIC_OR_PARTITION")},
		},
	}
	got := TopicsFromMetadata(md, []string{"a", "bad", "gone"})
	if len(got) != 1 || got["a"].Partitions != 4 {
		t.Fatalf("got %+v", got)
	}
	want := [][]string{{"r1", "r2"}, {"r1"}, {"r1", "r2"}, {}}
	r := got["a"].Racks
	for p := range want {
		if !slices.Equal(r[p], want[p]) {
			t.Errorf("partition %d: racks %q, want %q", p, r[p], want[p])
		}
	}
	if &r[0][0] != &r[2][0] {
		t.Errorf("partitions 0 and 2 have the same racks in two slices")
	}
	for id, b := range md.Brokers {
		b.Rack = ""
		md.Brokers[id] = b
	}
	if got := TopicsFromMetadata(md, []string{"a"}); got["a"].Racks != nil || got["a"].Partitions != 4 {
		t.Errorf("without racks: %+v", got["a"])
	}
}

// TestAssignFuncRacks: the replica racks the MetadataFunc answers reach
// the assignor: with range, members on r1 and r2 each get the partitions
// on their rack, where without racks they would get the first and the
// second half.
func TestAssignFuncRacks(t *testing.T) {
	r1, r2 := []string{"r1"}, []string{"r2"}
	meta := func(context.Context, []string) (map[string]assignor.Topic, error) {
		return map[string]assignor.Topic{"a": {Partitions: 4, Racks: [][]string{r1, r2, r1, r2}}}, nil
	}
	racked := func(id, rack string) protocol.JoinGroupResponseMember {
		sub := protocol.ConsumerProtocolSubscription{Version: 3, Topics: []string{"a"}, GenerationId: -1, RackId: &rack}
		b, err := sub.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		return protocol.JoinGroupResponseMember{MemberId: id, Metadata: b}
	}
	f := NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil)
	out, counts, err := f(context.Background(), ComputeAssignment{Protocol: "range",
		Members: []protocol.JoinGroupResponseMember{racked("m1", "r1"), racked("m2", "r2")}})
	if err != nil {
		t.Fatal(err)
	}
	if counts["a"] != 4 {
		t.Errorf("counts %v", counts)
	}
	got := decodeAssignments(t, out)
	for id, want := range map[string][]int32{"m1": {0, 2}, "m2": {1, 3}} {
		var ps []int32
		for _, tp := range got[id].Partitions {
			ps = append(ps, tp.Partition)
		}
		if !slices.Equal(ps, want) {
			t.Errorf("%s got %v, want %v", id, ps, want)
		}
	}
}

package assignor

import (
	"slices"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// A subscription on the wire becomes a Member, an assignment goes back to
// the wire and is read again as it was.
func TestWireRoundTrip(t *testing.T) {
	rack, instance := "rack-a", "pod-1"
	sub := protocol.ConsumerProtocolSubscription{
		Version:         3,
		Topics:          []string{"a", "b"},
		UserData:        []byte{1, 2},
		OwnedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 2}}},
		GenerationId:    7,
		RackId:          &rack,
	}
	b, err := sub.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	var dec protocol.ConsumerProtocolSubscription
	if err := dec.Decode(b); err != nil {
		t.Fatal(err)
	}
	m := MemberFromSubscription("m1", &instance, &dec)
	if m.ID != "m1" || m.InstanceID != "pod-1" || m.Rack != "rack-a" || m.Generation != 7 ||
		!slices.Equal(m.Topics, []string{"a", "b"}) || !slices.Equal(m.UserData, []byte{1, 2}) ||
		format(m.Owned) != "a-0 a-2" {
		t.Errorf("member %+v", m)
	}
	if d := MemberFromSubscription("m2", nil, &protocol.ConsumerProtocolSubscription{Topics: []string{"a"}, GenerationId: -1}); d.InstanceID != "" || d.Rack != "" || d.Owned != nil || d.Generation != -1 {
		t.Errorf("a v0 member %+v", d)
	}

	out, err := Range.Assign(Group{Members: []Member{m}, Topics: counts("a", 3, "b", 2)})
	if err != nil {
		t.Fatal(err)
	}
	p := out["m1"].Protocol(3)
	if len(p.AssignedPartitions) != 2 || p.AssignedPartitions[0].Topic != "a" || !slices.Equal(p.AssignedPartitions[1].Partitions, []int32{0, 1}) {
		t.Errorf("protocol assignment %+v", p)
	}
	b, err = p.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back protocol.ConsumerProtocolAssignment
	if err := back.Decode(b); err != nil {
		t.Fatal(err)
	}
	if got := format(AssignmentFromProtocol(&back).Partitions); got != "a-0 a-1 a-2 b-0 b-1" {
		t.Errorf("read back %q", got)
	}
	// Partitions out of topic order still group by topic.
	q := Assignment{Partitions: []protocol.TopicPartition{tp("b", 1), tp("a", 0), tp("b", 0)}}.Protocol(0)
	if len(q.AssignedPartitions) != 2 || q.AssignedPartitions[0].Topic != "b" || !slices.Equal(q.AssignedPartitions[0].Partitions, []int32{1, 0}) {
		t.Errorf("grouped %+v", q)
	}
}

package assignor

import (
	"bytes"
	"math/rand/v2"
	"reflect"
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

// Protocol and Encode group partitions by topic in the order topics first
// appear, whether the partitions come sorted (an Assignor's output, which
// takes the paths without a map) or not: checked against a grouping
// written out here, over random assignments.
func TestAssignmentProtocolAndEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	topics := []string{"a", "b", "c.d", "orders"}
	for i := range 1000 {
		var a Assignment
		for range rng.IntN(10) {
			a.Partitions = append(a.Partitions, tp(topics[rng.IntN(len(topics))], int32(rng.IntN(50))))
		}
		if i%2 == 0 {
			slices.SortFunc(a.Partitions, protocol.TopicPartition.Compare)
		}
		if rng.IntN(3) == 0 {
			a.UserData = []byte{7}
		}
		want := protocol.ConsumerProtocolAssignment{Version: 3, UserData: a.UserData}
		for _, p := range a.Partitions {
			j := slices.IndexFunc(want.AssignedPartitions, func(e protocol.ConsumerProtocolTopicPartition) bool { return e.Topic == p.Topic })
			if j < 0 {
				j = len(want.AssignedPartitions)
				want.AssignedPartitions = append(want.AssignedPartitions, protocol.ConsumerProtocolTopicPartition{Topic: p.Topic})
			}
			want.AssignedPartitions[j].Partitions = append(want.AssignedPartitions[j].Partitions, p.Partition)
		}
		if got := a.Protocol(3); !reflect.DeepEqual(got, want) {
			t.Fatalf("%v: Protocol = %+v, want %+v", a.Partitions, got, want)
		}
		wantBytes, err := want.Encode([]byte{9})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := a.Encode([]byte{9}, 3); err != nil || !bytes.Equal(got, wantBytes) {
			t.Fatalf("%v: Encode = % x (%v), want % x", a.Partitions, got, err, wantBytes)
		}
		// EncodedLen: exact when sorted (an Assignor's output), never short.
		if n, enc := a.EncodedLen(), len(wantBytes)-1; n < enc || (i%2 == 0 && n != enc) {
			t.Fatalf("%v (sorted: %v): EncodedLen %d, encoded %d", a.Partitions, i%2 == 0, n, enc)
		}
	}
	if _, err := (Assignment{}).Encode(nil, -1); err == nil {
		t.Error("version -1 encoded")
	}
}

// MemberFromJoin is MemberFromSubscription of the decoded subscription, for
// members decoded in a row with one TopicNames, and fails where Decode does.
func TestMemberFromJoin(t *testing.T) {
	rack, instance := "rack-b", "pod-2"
	subs := []protocol.ConsumerProtocolSubscription{
		{Version: 3, Topics: []string{"a", "b"}, UserData: []byte{1}, GenerationId: 4, RackId: &rack,
			OwnedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "b", Partitions: []int32{3, 1}}, {Topic: "a", Partitions: []int32{0}}}},
		{Version: 3, Topics: []string{"a", "b"}, GenerationId: 4,
			OwnedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{2}}, {Topic: "c", Partitions: []int32{}}}},
		{Version: 0, Topics: []string{"b"}, UserData: []byte{}},
		{Version: 2, Topics: []string{}, GenerationId: -1},
	}
	var names protocol.TopicNames
	for i, s := range subs {
		b, err := s.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		var d protocol.ConsumerProtocolSubscription
		if err := d.Decode(b); err != nil {
			t.Fatal(err)
		}
		id := string(rune('m' + i))
		want := MemberFromSubscription(id, &instance, &d)
		got, err := MemberFromJoin(id, &instance, b, &names)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%d: MemberFromJoin = %+v, %v; want %+v", i, got, err, want)
		}
		if _, err := MemberFromJoin(id, nil, b[:len(b)-1], &names); err == nil {
			t.Fatalf("%d: a subscription cut short decoded", i)
		}
	}
}

package protocol

import (
	"bytes"
	"reflect"
	"testing"
)

// consumerCodec is what the embedded consumer protocol types share, for
// checkConsumerRoundTrip.
type consumerCodec interface {
	Encode(dst []byte) ([]byte, error)
	Decode(src []byte) error
}

// checkConsumerRoundTrip is checkRoundTrip for the embedded consumer
// protocol: encode, decode into fresh(), compare, re-encode, and check that
// every truncation fails.
func checkConsumerRoundTrip(t *testing.T, m consumerCodec, fresh func() consumerCodec) {
	t.Helper()
	b, err := m.Encode(nil)
	if err != nil {
		t.Fatalf("%T: encode: %v", m, err)
	}
	got := fresh()
	if err := got.Decode(b); err != nil {
		t.Fatalf("%T: decode: %v\nbytes: % x", m, err, b)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("decode(encode(x)) != x\n got: %+v\nwant: %+v", got, m)
	}
	b2, _ := got.Encode(nil)
	if !bytes.Equal(b, b2) {
		t.Fatalf("%T: re-encoded bytes differ\n got: % x\nwant: % x", m, b2, b)
	}
	for n := 0; n < len(b); n++ {
		if err := fresh().Decode(b[:n:n]); err == nil {
			t.Fatalf("%T: decoding the first %d of %d bytes succeeded", m, n, len(b))
		}
	}
}

func TestConsumerProtocolRoundTrip(t *testing.T) {
	for v := int16(0); v <= ConsumerProtocolMaxVersion; v++ {
		s := &ConsumerProtocolSubscription{Version: v, Topics: []string{"orders", "payments"},
			UserData: []byte{0, 0, 0, 4}, GenerationId: -1}
		if v >= 1 {
			s.OwnedPartitions = []ConsumerProtocolTopicPartition{{Topic: "orders", Partitions: []int32{0, 3}}, {Topic: "payments", Partitions: []int32{}}}
		}
		if v >= 2 {
			s.GenerationId = 12
		}
		if v >= 3 {
			s.RackId = groupStr("rack-a")
		}
		checkConsumerRoundTrip(t, s, func() consumerCodec { return &ConsumerProtocolSubscription{} })
		empty := &ConsumerProtocolSubscription{Version: v, Topics: []string{}, GenerationId: -1}
		if v >= 1 {
			empty.OwnedPartitions = []ConsumerProtocolTopicPartition{}
		}
		checkConsumerRoundTrip(t, empty, func() consumerCodec { return &ConsumerProtocolSubscription{} })

		a := &ConsumerProtocolAssignment{Version: v, AssignedPartitions: []ConsumerProtocolTopicPartition{{Topic: "orders", Partitions: []int32{1, 2}}},
			UserData: []byte{9}}
		checkConsumerRoundTrip(t, a, func() consumerCodec { return &ConsumerProtocolAssignment{} })
		checkConsumerRoundTrip(t, &ConsumerProtocolAssignment{Version: v, AssignedPartitions: []ConsumerProtocolTopicPartition{}},
			func() consumerCodec { return &ConsumerProtocolAssignment{} })
	}
	for _, v := range []int16{-1, 4} {
		if _, err := (&ConsumerProtocolSubscription{Version: v}).Encode(nil); err == nil {
			t.Errorf("subscription v%d encoded", v)
		}
		if _, err := (&ConsumerProtocolAssignment{Version: v}).Encode(nil); err == nil {
			t.Errorf("assignment v%d encoded", v)
		}
	}
}

func TestConsumerProtocolSubscriptionGolden(t *testing.T) {
	cases := []struct {
		name string
		src  []byte
		want ConsumerProtocolSubscription
	}{
		{"v0", groupBytes(
			[]byte{0, 0},                   // Version 0
			[]byte{0, 0, 0, 2},             // Topics: 2
			[]byte{0, 1, 'a'},              // "a"
			[]byte{0, 1, 'b'},              // "b"
			[]byte{0xff, 0xff, 0xff, 0xff}, // UserData null
		), ConsumerProtocolSubscription{Version: 0, Topics: []string{"a", "b"}, GenerationId: -1}},
		{"v1", groupBytes(
			[]byte{0, 1},                               // Version 1
			[]byte{0, 0, 0, 1},                         // Topics: 1
			[]byte{0, 1, 'a'},                          // "a"
			[]byte{0, 0, 0, 2, 1, 2},                   // UserData
			[]byte{0, 0, 0, 1},                         // OwnedPartitions: 1
			[]byte{0, 1, 'a'},                          // Topic
			[]byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}, // Partitions [0 3]
		), ConsumerProtocolSubscription{Version: 1, Topics: []string{"a"}, UserData: []byte{1, 2},
			OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 3}}}, GenerationId: -1}},
		{"v3", groupBytes(
			[]byte{0, 3},           // Version 3
			[]byte{0, 0, 0, 1},     // Topics: 1
			[]byte{0, 1, 'a'},      // "a"
			[]byte{0, 0, 0, 0},     // UserData: empty
			[]byte{0, 0, 0, 0},     // OwnedPartitions: 0
			[]byte{0, 0, 0, 7},     // GenerationId
			[]byte{0, 2, 'r', '1'}, // RackId
		), ConsumerProtocolSubscription{Version: 3, Topics: []string{"a"}, UserData: []byte{},
			OwnedPartitions: []ConsumerProtocolTopicPartition{}, GenerationId: 7, RackId: groupStr("r1")}},
		{"v5 with fields rawkafka does not know", groupBytes(
			[]byte{0, 5},                    // Version 5
			[]byte{0, 0, 0, 1},              // Topics: 1
			[]byte{0, 1, 'a'},               // "a"
			[]byte{0xff, 0xff, 0xff, 0xff},  // UserData null
			[]byte{0, 0, 0, 0},              // OwnedPartitions: 0
			[]byte{0, 0, 0, 7},              // GenerationId
			[]byte{0xff, 0xff},              // RackId null
			[]byte{0, 0, 0, 42, 0xde, 0xad}, // v4/v5 fields
		), ConsumerProtocolSubscription{Version: 5, Topics: []string{"a"},
			OwnedPartitions: []ConsumerProtocolTopicPartition{}, GenerationId: 7}},
	}
	for _, c := range cases {
		var got ConsumerProtocolSubscription
		if err := got.Decode(c.src); err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s: decode\n got: %+v\nwant: %+v", c.name, got, c.want)
		}
		if c.want.Version > ConsumerProtocolMaxVersion {
			continue
		}
		if b, err := c.want.Encode(nil); err != nil || !bytes.Equal(b, c.src) {
			t.Fatalf("%s: encode = % x, %v\nwant % x", c.name, b, err, c.src)
		}
	}

	// A negative version is an error, as in Java's ConsumerProtocol.
	var s ConsumerProtocolSubscription
	if err := s.Decode([]byte{0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}); err == nil {
		t.Errorf("a negative version decoded")
	}
}

// TestConsumerProtocolSubscriptionTrailing checks that a subscription is read
// as Java's ConsumerProtocol reads it: the fields of its version (of v3 when
// it is higher) and nothing after them, so that bytes a newer or different
// client appends never get a member rejected.
func TestConsumerProtocolSubscriptionTrailing(t *testing.T) {
	v3 := groupBytes(
		[]byte{0, 3},           // Version 3
		[]byte{0, 0, 0, 1},     // Topics: 1
		[]byte{0, 1, 'a'},      // "a"
		[]byte{0, 0, 0, 1, 5},  // UserData
		[]byte{0, 0, 0, 1},     // OwnedPartitions: 1
		[]byte{0, 1, 'a'},      // Topic
		[]byte{0, 0, 0, 1},     // Partitions: 1
		[]byte{0, 0, 0, 2},     // 2
		[]byte{0, 0, 0, 7},     // GenerationId
		[]byte{0, 2, 'r', '1'}, // RackId
	)
	want3 := ConsumerProtocolSubscription{Version: 3, Topics: []string{"a"}, UserData: []byte{5},
		OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{2}}},
		GenerationId:    7, RackId: groupStr("r1")}
	withVersion := func(v int16, b []byte) []byte {
		return append([]byte{byte(v >> 8), byte(v)}, b[2:]...)
	}
	trailing := []byte{0, 0, 0, 42, 0xde, 0xad, 0xbe, 0xef}
	v0 := groupBytes(
		[]byte{0, 0},                   // Version 0
		[]byte{0, 0, 0, 1},             // Topics: 1
		[]byte{0, 1, 'a'},              // "a"
		[]byte{0xff, 0xff, 0xff, 0xff}, // UserData null
	)
	want0 := ConsumerProtocolSubscription{Version: 0, Topics: []string{"a"}, GenerationId: -1}
	at := func(v int16, w ConsumerProtocolSubscription) ConsumerProtocolSubscription { w.Version = v; return w }
	cases := []struct {
		name string
		src  []byte
		want ConsumerProtocolSubscription
	}{
		{"v3 with trailing bytes", groupBytes(v3, trailing), want3},
		{"v3 with one trailing byte", groupBytes(v3, []byte{0}), want3},
		{"v0 with trailing bytes", groupBytes(v0, trailing), want0},
		{"v0 with a v1 owned-partitions field it does not read", groupBytes(v0, []byte{0, 0, 0, 0}), want0},
		{"v4, the v3 fields and nothing more", withVersion(4, v3), at(4, want3)},
		{"v9 with fields rawkafka does not know", withVersion(9, groupBytes(v3, trailing)), at(9, want3)},
		{"v32767", withVersion(32767, groupBytes(v3, trailing)), at(32767, want3)},
	}
	for _, c := range cases {
		// Decode into a used value too: nothing of it may survive.
		got := ConsumerProtocolSubscription{Version: 1, Topics: []string{"old"}, UserData: []byte{1},
			OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "old"}}, GenerationId: 99, RackId: groupStr("old")}
		if err := got.Decode(c.src); err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s: decode\n got: %+v\nwant: %+v", c.name, got, c.want)
		}
	}

	// A higher version is read with v3's fields, so it must hold them all:
	// Java fails on the same bytes (buffer underflow).
	short := withVersion(9, v3[:len(v3)-4]) // RackId cut short
	var s ConsumerProtocolSubscription
	if err := s.Decode(short); err == nil {
		t.Errorf("v9 without a complete RackId decoded: %+v", s)
	}
}

func TestConsumerProtocolAssignmentGolden(t *testing.T) {
	v0 := groupBytes(
		[]byte{0, 0},       // Version 0
		[]byte{0, 0, 0, 1}, // AssignedPartitions: 1
		[]byte{0, 1, 'a'},  // Topic
		[]byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1}, // Partitions [0 1]
		[]byte{0xff, 0xff, 0xff, 0xff},             // UserData null
	)
	want := ConsumerProtocolAssignment{Version: 0, AssignedPartitions: []ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 1}}}}
	var got ConsumerProtocolAssignment
	if err := got.Decode(v0); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v0: decode = %+v, %v; want %+v", got, err, want)
	}
	if b, _ := want.Encode(nil); !bytes.Equal(b, v0) {
		t.Fatalf("v0: encode\n got: % x\nwant: % x", b, v0)
	}

	v4 := groupBytes(
		[]byte{0, 4},          // Version 4
		[]byte{0, 0, 0, 0},    // AssignedPartitions: 0
		[]byte{0, 0, 0, 1, 7}, // UserData
		[]byte{1, 2, 3},       // a newer version's fields
	)
	want = ConsumerProtocolAssignment{Version: 4, AssignedPartitions: []ConsumerProtocolTopicPartition{}, UserData: []byte{7}}
	if err := got.Decode(v4); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v4: decode = %+v, %v; want %+v", got, err, want)
	}

	// Known versions ignore trailing bytes too, e.g. the int16 error code
	// that the struct-based v1 layout of old Java clients appended.
	v1 := groupBytes(
		[]byte{0, 1},                   // Version 1
		[]byte{0, 0, 0, 0},             // AssignedPartitions: 0
		[]byte{0xff, 0xff, 0xff, 0xff}, // UserData null
		[]byte{0, 0},                   // ErrorCode
	)
	want = ConsumerProtocolAssignment{Version: 1, AssignedPartitions: []ConsumerProtocolTopicPartition{}}
	if err := got.Decode(v1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v1 with trailing bytes: decode = %+v, %v; want %+v", got, err, want)
	}
	v3 := append([]byte{0, 3}, v0[2:]...)
	v3 = append(v3, 1, 2, 3)
	want = ConsumerProtocolAssignment{Version: 3, AssignedPartitions: []ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 1}}}}
	if err := got.Decode(v3); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v3 with trailing bytes: decode = %+v, %v; want %+v", got, err, want)
	}
	if err := got.Decode([]byte{0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}); err == nil {
		t.Fatalf("a negative version decoded: %+v", got)
	}
}

func TestStickyAssignorUserData(t *testing.T) {
	v1 := groupBytes(
		[]byte{0, 0, 0, 1},             // PreviousAssignment: 1
		[]byte{0, 1, 'a'},              // Topic
		[]byte{0, 0, 0, 1, 0, 0, 0, 5}, // Partitions [5]
		[]byte{0, 0, 0, 9},             // Generation
	)
	want := StickyAssignorUserData{PreviousAssignment: []ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{5}}}, Generation: 9}
	var got StickyAssignorUserData
	if err := got.Decode(v1); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v1: decode = %+v, %v; want %+v", got, err, want)
	}
	if b := want.Encode(nil); !bytes.Equal(b, v1) {
		t.Fatalf("v1: encode\n got: % x\nwant: % x", b, v1)
	}

	v0 := v1[:len(v1)-4] // the same without the generation
	want.Generation = -1
	if err := got.Decode(v0); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("v0: decode = %+v, %v; want %+v", got, err, want)
	}

	if err := got.Decode(nil); err != nil || got.PreviousAssignment != nil || got.Generation != -1 {
		t.Fatalf("empty: decode = %+v, %v", got, err)
	}
	for n := 1; n < len(v0); n++ {
		if err := got.Decode(v0[:n]); err == nil {
			t.Fatalf("decoding the first %d of %d bytes succeeded", n, len(v0))
		}
	}
	if err := got.Decode([]byte{0x7f, 0xff, 0xff, 0xff, 0}); err == nil {
		t.Fatal("huge array length decoded")
	}
}

func TestCooperativeStickyAssignorUserData(t *testing.T) {
	d := CooperativeStickyAssignorUserData{Generation: 4}
	want := []byte{0, 0, 0, 4} // Generation
	if b := d.Encode(nil); !bytes.Equal(b, want) {
		t.Fatalf("encode = % x, want % x", b, want)
	}
	var got CooperativeStickyAssignorUserData
	if err := got.Decode(want); err != nil || got.Generation != 4 {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	if err := got.Decode([]byte{0, 0, 1}); err == nil || got.Generation != -1 {
		t.Fatalf("short decode = %+v, %v; want an error and -1", got, err)
	}
}

package protocol

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"unsafe"
)

// namesBodies is subscriptions of every version whose topics and owned
// partitions come from a pool of five names, so that consecutive ones
// share lists, beginnings of lists, or nothing; some cut short.
func namesBodies(t *testing.T, rng *rand.Rand) [][]byte {
	pool := []string{"a", "b", "orders", "payments", "x.y"}
	pick := func() []string {
		n := rng.IntN(len(pool) + 1)
		out := make([]string, n)
		for i := range out {
			if rng.IntN(4) == 0 {
				out[i] = pool[rng.IntN(len(pool))]
			} else {
				out[i] = pool[i]
			}
		}
		return out
	}
	var bodies [][]byte
	for range 300 {
		s := ConsumerProtocolSubscription{Version: int16(rng.IntN(4)), Topics: pick(), GenerationId: -1}
		for _, topic := range pick() {
			s.OwnedPartitions = append(s.OwnedPartitions, ConsumerProtocolTopicPartition{Topic: topic, Partitions: []int32{int32(rng.IntN(9))}})
		}
		b, err := s.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) == 0 {
			b = b[:rng.IntN(len(b))]
		}
		bodies = append(bodies, b)
	}
	return bodies
}

// TestDecodeNames decodes a stream of subscriptions with one TopicNames into
// values that held other data, and checks each against Decode into a fresh
// value: sharing names changes nothing that can be seen but the sharing.
func TestDecodeNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var names TopicNames
	for _, b := range namesBodies(t, rng) {
		var want ConsumerProtocolSubscription
		wantErr := want.Decode(b)
		var got ConsumerProtocolSubscription
		(&filler{rng: rng, p: 0.7}).fill(reflect.ValueOf(&got))
		gotErr := got.DecodeNames(b, &names)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("bytes % x: DecodeNames error %v, Decode error %v", b, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("bytes % x:\nDecodeNames %+v\n     Decode %+v", b, got, want)
		}

		// DecodeFlat: the same but for the owned partitions, flat.
		var flat ConsumerProtocolSubscription
		(&filler{rng: rng, p: 0.7}).fill(reflect.ValueOf(&flat))
		owned, err := flat.DecodeFlat(b, &names)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("bytes % x: DecodeFlat error %v, Decode error %v", b, err, wantErr)
		}
		if wantErr != nil {
			if owned != nil {
				t.Fatalf("bytes % x: DecodeFlat failed with %v owned", b, owned)
			}
			continue
		}
		wantOwned := flattenEntries(want.OwnedPartitions)
		want.OwnedPartitions = nil
		if !reflect.DeepEqual(flat, want) || !reflect.DeepEqual(owned, wantOwned) {
			t.Fatalf("bytes % x:\nDecodeFlat %+v %v\n    Decode %+v %v", b, flat, owned, want, wantOwned)
		}
	}
}

// flattenEntries lists the partitions of tps one by one; nil for none.
func flattenEntries(tps []ConsumerProtocolTopicPartition) []TopicPartition {
	var flat []TopicPartition
	for _, e := range tps {
		for _, p := range e.Partitions {
			flat = append(flat, TopicPartition{Topic: e.Topic, Partition: p})
		}
	}
	return flat
}

// TestDecodeNamesShares checks that equal Topics lists are one slice and
// equal names one string, across subscriptions.
func TestDecodeNamesShares(t *testing.T) {
	one := ConsumerProtocolSubscription{Version: 1, Topics: []string{"orders", "payments"},
		OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "payments", Partitions: []int32{1, 2}}}}
	other := ConsumerProtocolSubscription{Version: 1, Topics: []string{"payments", "orders"},
		OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "orders", Partitions: []int32{0}}}}
	var names TopicNames
	var got []ConsumerProtocolSubscription
	for _, s := range []ConsumerProtocolSubscription{one, one, other, one} {
		b, err := s.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		var d ConsumerProtocolSubscription
		if err := d.DecodeNames(b, &names); err != nil {
			t.Fatal(err)
		}
		got = append(got, d)
	}
	if &got[0].Topics[0] != &got[1].Topics[0] {
		t.Error("two equal Topics lists in a row are two slices")
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	if !same(got[0].Topics[0], got[2].Topics[1]) || !same(got[0].Topics[1], got[2].Topics[0]) || !same(got[3].Topics[0], got[0].Topics[0]) {
		t.Errorf("a name decoded twice is two strings: %q %q", got[0].Topics, got[2].Topics)
	}
	if !same(got[0].OwnedPartitions[0].Topic, got[0].Topics[1]) || !same(got[2].OwnedPartitions[0].Topic, got[0].Topics[0]) {
		t.Error("an owned partition's topic is not the subscription's string")
	}
}

// TestStickyAssignorUserDataPartitions checks the flat read against
// Decode, over user data of both versions, cut short, with trailing bytes,
// read in a row with one TopicNames.
func TestStickyAssignorUserDataPartitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var names TopicNames
	for _, body := range namesBodies(t, rng) {
		var s ConsumerProtocolSubscription
		if s.Decode(body) != nil {
			continue
		}
		d := StickyAssignorUserData{PreviousAssignment: s.OwnedPartitions, Generation: int32(rng.IntN(5))}
		b := d.Encode(nil)
		for _, b := range [][]byte{b, b[:len(b)-4], append(b, 1), b[:rng.IntN(len(b)+1)]} {
			var want StickyAssignorUserData
			wantErr := want.Decode(b)
			got, gen, err := StickyAssignorUserDataPartitions(b, &names)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("bytes % x: error %v, Decode's %v", b, err, wantErr)
			}
			flat := flattenEntries(want.PreviousAssignment)
			if !reflect.DeepEqual(got, flat) || gen != want.Generation {
				t.Fatalf("bytes % x: %v gen %d, Decode's %v gen %d", b, got, gen, flat, want.Generation)
			}
			// StickyAssignorUserDataEach: the same entries and
			// generation, nothing allocated unless it fails.
			var each []TopicPartition
			gen, err = StickyAssignorUserDataEach(b, func(topic, ps []byte) {
				for j := 0; j < len(ps); j += 4 {
					each = append(each, TopicPartition{Topic: string(topic), Partition: int32(binary.BigEndian.Uint32(ps[j:]))})
				}
			})
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || gen != want.Generation {
				t.Fatalf("bytes % x: Each: error %v gen %d, Decode's %v gen %d", b, err, gen, wantErr, want.Generation)
			}
			if err == nil && !reflect.DeepEqual(each, flat) {
				t.Fatalf("bytes % x: Each read %v, Decode %v", b, each, flat)
			}
			if n := testing.AllocsPerRun(10, func() { StickyAssignorUserDataEach(b, func(_, _ []byte) {}) }); err == nil && !raceEnabled && n != 0 {
				t.Fatalf("bytes % x: Each allocated %v times", b, n)
			}
		}
	}
}

// TestAppendConsumerProtocolAssignment checks the flat encoder against
// ConsumerProtocolAssignment.Encode of the same partitions grouped by
// runs, at every version, and that both allocate once.
func TestAppendConsumerProtocolAssignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	topics := []string{"a", "bb", "orders"}
	for range 500 {
		var parts []TopicPartition
		var a ConsumerProtocolAssignment
		for range rng.IntN(8) {
			tp := TopicPartition{Topic: topics[rng.IntN(len(topics))], Partition: int32(rng.IntN(100))}
			if n := len(a.AssignedPartitions); n == 0 || a.AssignedPartitions[n-1].Topic != tp.Topic {
				a.AssignedPartitions = append(a.AssignedPartitions, ConsumerProtocolTopicPartition{Topic: tp.Topic})
			}
			e := &a.AssignedPartitions[len(a.AssignedPartitions)-1]
			e.Partitions = append(e.Partitions, tp.Partition)
			parts = append(parts, tp)
		}
		if rng.IntN(2) == 0 {
			a.UserData = []byte{1, 2, 3}[:rng.IntN(4)]
		}
		for v := int16(0); v <= ConsumerProtocolMaxVersion; v++ {
			a.Version = v
			want, err := a.Encode([]byte("prefix"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := AppendConsumerProtocolAssignment([]byte("prefix"), v, parts, a.UserData)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%v v%d: % x (%v), Encode gives % x", parts, v, got, err, want)
			}
			// Miscounting the size makes a second allocation (too small)
			// or, too large, goes unseen here: the equality above covers
			// the bytes, this the single growth.
			if raceEnabled {
				continue
			}
			if n := testing.AllocsPerRun(3, func() { AppendConsumerProtocolAssignment(nil, v, parts, a.UserData) }); n != 1 {
				t.Fatalf("%v: %v allocations", parts, n)
			}
			if n := testing.AllocsPerRun(3, func() { a.Encode(nil) }); n != 1 {
				t.Fatalf("%v: Encode made %v allocations", parts, n)
			}
		}
	}
	if _, err := AppendConsumerProtocolAssignment(nil, 4, nil, nil); err == nil {
		t.Error("v4 encoded")
	}
}

// referenceTopicPartitions reads [topic string, partitions [int32]] field
// by field with the Reader's own methods, as the decoders did before they
// read an entry in one step: the reference for readConsumerTopicPartitions.
func referenceTopicPartitions(r *Reader, field string) []ConsumerProtocolTopicPartition {
	n := r.ArrayLen(field, 6)
	if r.Err() != nil {
		return nil
	}
	tps := make([]ConsumerProtocolTopicPartition, n)
	for i := range tps {
		tps[i].Topic = r.String("Topic")
		tps[i].Partitions = r.Int32Array("Partitions")
	}
	return tps
}

// TestReadConsumerTopicPartitionsReference compares both readers of
// topic-partition lists with the field-by-field reference on valid lists
// with bytes changed, cut short or appended: the same partitions, the same
// error (field and offset), and the same position after.
func TestReadConsumerTopicPartitionsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 3000 {
		var tps []ConsumerProtocolTopicPartition
		for range rng.IntN(5) {
			e := ConsumerProtocolTopicPartition{Topic: []string{"", "a", "orders"}[rng.IntN(3)], Partitions: []int32{}}
			for range rng.IntN(4) {
				e.Partitions = append(e.Partitions, rng.Int32N(1<<20))
			}
			tps = append(tps, e)
		}
		w := NewWriter(nil, false)
		appendConsumerTopicPartitions(&w, tps)
		b := w.B
		switch rng.IntN(4) {
		case 0:
			b = b[:rng.IntN(len(b)+1)]
		case 1:
			for range 1 + rng.IntN(3) {
				i := rng.IntN(len(b))
				b[i] = []byte{0, 0xff, 0x7f, 1, byte(rng.IntN(256))}[rng.IntN(5)]
			}
		case 2:
			b = append(b, 0, 0, 0, 1)
		}
		want := NewReader(b, false)
		wantTPs := referenceTopicPartitions(&want, "List")
		var wantFlat []TopicPartition
		if want.Err() == nil {
			wantFlat = flattenEntries(wantTPs)
		}

		got := NewReader(b, false)
		gotTPs := readConsumerTopicPartitions(&got, "List", nil)
		if fmt.Sprint(got.Err()) != fmt.Sprint(want.Err()) || got.Offset() != want.Offset() {
			t.Fatalf("% x: error %v at %d, reference %v at %d", b, got.Err(), got.Offset(), want.Err(), want.Offset())
		}
		if want.Err() == nil && !reflect.DeepEqual(gotTPs, wantTPs) {
			t.Fatalf("% x: %+v, reference %+v", b, gotTPs, wantTPs)
		}

		flat := NewReader(b, false)
		gotFlat := readFlatTopicPartitions(&flat, "List", nil)
		if fmt.Sprint(flat.Err()) != fmt.Sprint(want.Err()) || flat.Offset() != want.Offset() {
			t.Fatalf("% x: flat error %v at %d, reference %v at %d", b, flat.Err(), flat.Offset(), want.Err(), want.Offset())
		}
		if want.Err() == nil && !reflect.DeepEqual(gotFlat, wantFlat) {
			t.Fatalf("% x: flat %v, reference %v", b, gotFlat, wantFlat)
		}
	}
}

package fuzz

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// embedded is one of the consumer protocol's self-versioned structures.
type embedded interface {
	Decode(src []byte) error
}

// fuzzEmbedded checks that an embedded structure decodes arbitrary bytes
// without panicking or over-allocating, and that whatever decodes encodes
// to bytes that decode to the same encoding again.
func fuzzEmbedded(f *testing.F, fresh func() embedded, encode func(embedded) ([]byte, error), seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fresh()
		err := m.Decode(data)
		if grew := decodeAllocation(func() { fresh().Decode(data) }, len(data)); grew > 0 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
		if err != nil {
			return
		}
		enc, err := encode(m)
		if err != nil {
			return // versions above 3 decode but do not re-encode (unknown fields are not kept)
		}
		m2 := fresh()
		if err := m2.Decode(enc); err != nil {
			t.Fatalf("decoding our own encoding: %v\ninput % x\nencoded % x", err, data, enc)
		}
		enc2, err := encode(m2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("decode→encode→decode unstable (%v)\nfirst  % x\nsecond % x", err, enc, enc2)
		}
	})
}

func subscriptionSeeds() [][]byte {
	var seeds [][]byte
	for v := int16(0); v <= 3; v++ {
		s := &protocol.ConsumerProtocolSubscription{Version: v, Topics: []string{"a", "b"}, UserData: []byte{1}}
		b, _ := s.Encode(nil)
		seeds = append(seeds, b, append(b, 0, 0, 0, 1)) // and with trailing bytes, which decoding ignores
	}
	v9 := append([]byte{0, 9}, seeds[len(seeds)-1][2:]...) // a newer version, read as v3
	return append(seeds, v9)
}

func FuzzConsumerProtocolSubscription(f *testing.F) {
	fuzzEmbedded(f, func() embedded { return &protocol.ConsumerProtocolSubscription{} },
		func(m embedded) ([]byte, error) { return m.(*protocol.ConsumerProtocolSubscription).Encode(nil) },
		subscriptionSeeds()...)
}

func FuzzConsumerProtocolAssignment(f *testing.F) {
	var seeds [][]byte
	for v := int16(0); v <= 3; v++ {
		a := &protocol.ConsumerProtocolAssignment{Version: v,
			AssignedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 2}}}}
		b, _ := a.Encode(nil)
		seeds = append(seeds, b, append(b, 0, 0)) // and with trailing bytes
	}
	fuzzEmbedded(f, func() embedded { return &protocol.ConsumerProtocolAssignment{} },
		func(m embedded) ([]byte, error) { return m.(*protocol.ConsumerProtocolAssignment).Encode(nil) },
		seeds...)
}

func FuzzStickyAssignorUserData(f *testing.F) {
	d := &protocol.StickyAssignorUserData{Generation: 3,
		PreviousAssignment: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{1}}}}
	fuzzEmbedded(f, func() embedded { return &protocol.StickyAssignorUserData{} },
		func(m embedded) ([]byte, error) { return m.(*protocol.StickyAssignorUserData).Encode(nil), nil },
		d.Encode(nil), []byte{})
}

func FuzzCooperativeStickyAssignorUserData(f *testing.F) {
	d := &protocol.CooperativeStickyAssignorUserData{Generation: 7}
	fuzzEmbedded(f, func() embedded { return &protocol.CooperativeStickyAssignorUserData{} },
		func(m embedded) ([]byte, error) {
			return m.(*protocol.CooperativeStickyAssignorUserData).Encode(nil), nil
		},
		d.Encode(nil))
}

// FuzzConsumerProtocolSubscriptionNames checks DecodeNames against Decode:
// the same value and error for any bytes, whatever names saw before (a
// subscription of the same topics, then the input itself, twice).
func FuzzConsumerProtocolSubscriptionNames(f *testing.F) {
	seeds := subscriptionSeeds()
	for _, s := range seeds {
		f.Add(s)
	}
	prime := seeds[len(seeds)-2]
	f.Fuzz(func(t *testing.T, data []byte) {
		var want protocol.ConsumerProtocolSubscription
		wantErr := want.Decode(data)
		var names protocol.TopicNames
		var primed protocol.ConsumerProtocolSubscription
		if err := primed.DecodeNames(prime, &names); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			var got protocol.ConsumerProtocolSubscription
			err := got.DecodeNames(data, &names)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || (err == nil && !reflect.DeepEqual(got, want)) {
				t.Fatalf("DecodeNames = %+v, %v; Decode = %+v, %v", got, err, want, wantErr)
			}
		}
		var flat protocol.ConsumerProtocolSubscription
		owned, err := flat.DecodeFlat(data, &names)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("DecodeFlat error %v; Decode's %v", err, wantErr)
		}
		if err == nil {
			var wantOwned []protocol.TopicPartition
			for _, e := range want.OwnedPartitions {
				for _, p := range e.Partitions {
					wantOwned = append(wantOwned, protocol.TopicPartition{Topic: e.Topic, Partition: p})
				}
			}
			want.OwnedPartitions = nil
			if !reflect.DeepEqual(flat, want) || !reflect.DeepEqual(owned, wantOwned) {
				t.Fatalf("DecodeFlat = %+v %v; Decode = %+v %v", flat, owned, want, wantOwned)
			}
		}
		if grew := decodeAllocation(func() {
			var s protocol.ConsumerProtocolSubscription
			s.DecodeNames(data, &protocol.TopicNames{})
		}, len(data)); grew > 0 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
	})
}

// FuzzStickyAssignorUserDataPartitions checks the flat read of sticky user
// data against Decode, for any bytes, read twice with one TopicNames.
func FuzzStickyAssignorUserDataPartitions(f *testing.F) {
	d := &protocol.StickyAssignorUserData{Generation: 3,
		PreviousAssignment: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{1}}, {Topic: "b", Partitions: []int32{0, 2}}}}
	f.Add(d.Encode(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var want protocol.StickyAssignorUserData
		wantErr := want.Decode(data)
		var flat []protocol.TopicPartition
		for _, e := range want.PreviousAssignment {
			for _, p := range e.Partitions {
				flat = append(flat, protocol.TopicPartition{Topic: e.Topic, Partition: p})
			}
		}
		var names protocol.TopicNames
		for range 2 {
			got, gen, err := protocol.StickyAssignorUserDataPartitions(data, &names)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, flat) || gen != want.Generation {
				t.Fatalf("flat = %v, %d, %v; Decode = %v, %d, %v", got, gen, err, flat, want.Generation, wantErr)
			}
		}
		if grew := decodeAllocation(func() { protocol.StickyAssignorUserDataPartitions(data, nil) }, len(data)); grew > 0 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), grew)
		}
	})
}

// FuzzStickyAssignorUserDataEach checks the leader's allocation-free read
// of sticky user data against Decode, for any bytes: the same entries in
// the same order, the same generation and the same error, and nothing
// allocated when the bytes are good (an error is built). On an error the entries seen before it are the caller's to
// discard, so only the error is compared then.
func FuzzStickyAssignorUserDataEach(f *testing.F) {
	d := &protocol.StickyAssignorUserData{Generation: 3,
		PreviousAssignment: []protocol.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{1}}, {Topic: "b", Partitions: []int32{0, 2}}}}
	v1 := d.Encode(nil)
	f.Add(v1)
	f.Add(v1[:len(v1)-4]) // v0: no generation
	f.Add(v1[:len(v1)-5]) // cut inside the last partition
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var want protocol.StickyAssignorUserData
		wantErr := want.Decode(data)
		var got []protocol.ConsumerProtocolTopicPartition
		gen, err := protocol.StickyAssignorUserDataEach(data, func(topic, ps []byte) {
			e := protocol.ConsumerProtocolTopicPartition{Topic: string(topic)}
			for i := 0; i+4 <= len(ps); i += 4 {
				e.Partitions = append(e.Partitions, int32(uint32(ps[i])<<24|uint32(ps[i+1])<<16|uint32(ps[i+2])<<8|uint32(ps[i+3])))
			}
			if len(ps)%4 != 0 {
				t.Fatalf("entry %q: %d partition bytes, not a multiple of 4", topic, len(ps))
			}
			got = append(got, e)
		})
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || gen != want.Generation {
			t.Fatalf("Each = %d, %v; Decode = %d, %v", gen, err, want.Generation, wantErr)
		}
		if err == nil && !equalEntries(got, want.PreviousAssignment) {
			t.Fatalf("Each saw %v; Decode read %v", got, want.PreviousAssignment)
		}
		if err != nil {
			return
		}
		count := 0
		if allocs := testing.AllocsPerRun(1, func() {
			protocol.StickyAssignorUserDataEach(data, func(_, ps []byte) { count += len(ps) })
		}); allocs > 0 {
			t.Fatalf("reading %d bytes allocated %.0f times", len(data), allocs)
		}
	})
}

// equalEntries reports whether a and b hold the same topics with the same
// partitions in the same order, an empty list of partitions matching nil.
func equalEntries(a, b []protocol.ConsumerProtocolTopicPartition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Topic != b[i].Topic || len(a[i].Partitions) != len(b[i].Partitions) {
			return false
		}
		for j := range a[i].Partitions {
			if a[i].Partitions[j] != b[i].Partitions[j] {
				return false
			}
		}
	}
	return true
}

package protocol

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// filler sets the exported fields of a value to random data with reflection,
// so that tests can cover every message type without knowing its fields.
// Each field is set with probability p; the rest keep their zero value.
// Strings, slices and tags are short; unknown tags use numbers (1000 and
// up, ascending) that no message knows, so that encoding them cannot clash
// with a known tagged field.
type filler struct {
	rng *rand.Rand
	p   float64
}

func (f *filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			if f.rng.Float64() >= f.p {
				return
			}
			v.Set(reflect.New(v.Type().Elem()))
		}
		f.fill(v.Elem())
		return
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() || sf.Name == "Version" || sf.Type.Kind() == reflect.Interface {
				continue
			}
			if f.rng.Float64() >= f.p {
				continue
			}
			fv := v.Field(i)
			if sf.Type == reflect.TypeFor[TaggedFields]() {
				fv.Set(reflect.ValueOf(f.tags()))
				continue
			}
			f.fill(fv)
		}
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		// Sometimes a value a field may default to: -1, or the type's
		// minimum (sentinels such as AuthorizedOperationsOmitted).
		switch f.rng.IntN(4) {
		case 0:
			v.SetInt(-1)
		case 1:
			v.SetInt(-1 << (v.Type().Bits() - 1))
		default:
			v.SetInt(int64(f.rng.IntN(2000)) - 1000)
		}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.rng.IntN(1000)))
	case reflect.Float64:
		v.SetFloat(f.rng.Float64())
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.rng.IntN(1000)))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			f.fill(v.Index(i))
		}
	case reflect.Slice:
		n := f.rng.IntN(3) + 1
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			f.fill(s.Index(i))
		}
		v.Set(s)
	}
}

// tags returns one or two unknown tagged fields.
func (f *filler) tags() TaggedFields {
	tags := TaggedFields{{Tag: 1000 + uint32(f.rng.IntN(10)), Data: []byte{byte(f.rng.IntN(256))}}}
	if f.rng.IntN(2) == 0 {
		tags = append(tags, TaggedField{Tag: 1010 + uint32(f.rng.IntN(10)), Data: []byte{1, 2}})
	}
	return tags
}

// validBodies returns encodings of random messages made by newMsg at its
// version: the zero message (when its version can carry it), and up to n messages with random fields that
// encode and decode without error. A random message can be one its version
// cannot carry (a field it lacks), so fields are set ever more sparsely
// until enough encode.
func validBodies(t *testing.T, newMsg func() Message, rng *rand.Rand, n int) [][]byte {
	t.Helper()
	var bodies [][]byte
	if zero, err := newMsg().Encode(nil); err == nil {
		bodies = append(bodies, zero)
	}
	for _, p := range []float64{0.9, 0.6, 0.3} {
		for try := 0; try < 300 && len(bodies) <= n; try++ {
			m := newMsg()
			(&filler{rng: rng, p: p}).fill(reflect.ValueOf(m))
			b, err := m.Encode(nil)
			if err != nil {
				continue
			}
			if err := newMsg().Decode(b); err != nil {
				t.Errorf("a message that encodes fails to decode: %v\nmessage: %+v", err, m)
				continue
			}
			bodies = append(bodies, b)
		}
	}
	return bodies
}

// decodable is what the reset check needs of a message or embedded type.
type decodable interface{ Decode([]byte) error }

// checkDecodeResets decodes each body into a fresh value and into values
// pre-filled with other random data, and fails if they differ: a decoder
// must not keep anything from a value's earlier use.
func checkDecodeResets(t *testing.T, fresh func() decodable, prepare func(decodable), bodies [][]byte, rng *rand.Rand) {
	t.Helper()
	for _, b := range bodies {
		want := fresh()
		if err := want.Decode(b); err != nil {
			t.Fatalf("decode % x: %v", b, err)
		}
		for _, p := range []float64{1, 0.5} {
			got := fresh()
			(&filler{rng: rng, p: p}).fill(reflect.ValueOf(got))
			prepare(got)
			if err := got.Decode(b); err != nil {
				t.Fatalf("decode % x into a used value: %v", b, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoding into a used value kept old data\nbytes: % x\n got: %+v\nwant: %+v", b, got, want)
			}
		}
	}
}

// TestDecodeResets checks, for every request and response in the registry at
// every version rawkafka speaks, that Decode overwrites every field of a
// value that held other data.
func TestDecodeResets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range Keys() {
		lo, hi, _ := k.VersionRange()
		for v := lo; v <= hi; v++ {
			for _, side := range []string{"request", "response"} {
				newMsg := func() Message {
					if side == "request" {
						return NewRequest(k, v)
					}
					return NewResponse(k, v)
				}
				t.Run(fmt.Sprintf("%s/v%d/%s", k, v, side), func(t *testing.T) {
					bodies := validBodies(t, newMsg, rng, 6)
					if len(bodies) < 3 {
						t.Errorf("no random %s v%d %s encoded", k, v, side)
					}
					checkDecodeResets(t, func() decodable { return newMsg() },
						func(m decodable) { m.(Message).SetAPIVersion(v) }, bodies, rng)
				})
			}
		}
	}
}

// TestEmbeddedDecodeResets is TestDecodeResets for the embedded consumer
// protocol and the sticky assignors' user data: random values at every
// version, also with bytes after them and relabelled as a newer version.
func TestEmbeddedDecodeResets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type codec interface {
		decodable
		Encode([]byte) ([]byte, error)
	}
	// variants adds each body with bytes after it and, for v3 bodies, the
	// same bytes labelled v7, which a reader takes as v3.
	variants := func(bodies [][]byte, v int16) [][]byte {
		var out [][]byte
		for _, b := range bodies {
			trailing := append(append([]byte(nil), b...), 0, 0, 0, 9)
			out = append(out, b, trailing)
			if v == ConsumerProtocolMaxVersion {
				newer := append([]byte(nil), trailing...)
				newer[0], newer[1] = 0, 7
				out = append(out, newer)
			}
		}
		return out
	}
	embedded := map[string]func(v int16) codec{
		"ConsumerProtocolSubscription": func(v int16) codec { return &ConsumerProtocolSubscription{Version: v} },
		"ConsumerProtocolAssignment":   func(v int16) codec { return &ConsumerProtocolAssignment{Version: v} },
	}
	for name, newValue := range embedded {
		for v := int16(0); v <= ConsumerProtocolMaxVersion; v++ {
			var bodies [][]byte
			for len(bodies) < 6 {
				m := newValue(v)
				(&filler{rng: rng, p: 0.7}).fill(reflect.ValueOf(m))
				b, err := m.Encode(nil)
				if err != nil {
					t.Fatalf("%s v%d: encode: %v", name, v, err)
				}
				bodies = append(bodies, b)
			}
			bodies = variants(bodies, v)
			t.Run(fmt.Sprintf("%s/v%d", name, v), func(t *testing.T) {
				checkDecodeResets(t, func() decodable { return newValue(0) }, func(decodable) {}, bodies, rng)
			})
		}
	}

	var sticky [][]byte
	for len(sticky) < 6 {
		d := &StickyAssignorUserData{}
		(&filler{rng: rng, p: 0.7}).fill(reflect.ValueOf(d))
		b := d.Encode(nil)
		sticky = append(sticky, b, b[:len(b)-4], append(b, 1)) // v1, v0, v1 with a trailing byte
	}
	sticky = append(sticky, nil)
	t.Run("StickyAssignorUserData", func(t *testing.T) {
		checkDecodeResets(t, func() decodable { return &StickyAssignorUserData{} }, func(decodable) {}, sticky, rng)
	})
	coop := [][]byte{{0, 0, 0, 4}, {0xff, 0xff, 0xff, 0xff, 1, 2}}
	t.Run("CooperativeStickyAssignorUserData", func(t *testing.T) {
		checkDecodeResets(t, func() decodable { return &CooperativeStickyAssignorUserData{} }, func(decodable) {}, coop, rng)
	})
}

// TestRequestHeaderDecodeResets checks that decoding a v1 header (no tagged
// fields) into a header that held a v2 one keeps none of its fields.
func TestRequestHeaderDecodeResets(t *testing.T) {
	id := "old"
	used := RequestHeader{APIKey: KeyFetch, APIVersion: 17, CorrelationID: 9, ClientID: &id,
		Tags: TaggedFields{{Tag: 1000, Data: []byte{1}}}}
	for _, h := range []RequestHeader{
		{APIKey: KeyHeartbeat, APIVersion: 2, CorrelationID: 4},                // v1 header, null client id
		{APIKey: KeyHeartbeat, APIVersion: 4, CorrelationID: 5},                // v2 header, no tags
		{APIKey: KeyMetadata, APIVersion: 12, CorrelationID: 6, ClientID: &id}, // v2 header
	} {
		b := h.Encode(nil)
		var want RequestHeader
		if _, err := want.Decode(b); err != nil {
			t.Fatal(err)
		}
		got := used
		if _, err := got.Decode(b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoding into a used header kept old data\n got: %+v\nwant: %+v", got, want)
		}
	}
}

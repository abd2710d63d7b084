package fuzz

import (
	"bytes"

	"os"
	"path/filepath"
	"regexp"
	"runtime/metrics"
	"strconv"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// fixturePattern matches capture file names: <Api>-v<N>[-label]-<request|response>.bin.
var fixturePattern = regexp.MustCompile(`^([A-Za-z]+)-v(\d+)(?:-[a-z0-9-]+)?-(request|response)\.bin$`)

// fixtureBodies returns the bodies (frame minus size prefix and header) of
// every captured fixture of key in the given direction, with their versions.
func fixtureBodies(f *testing.F, key protocol.APIKey, request bool) (versions []int16, bodies [][]byte) {
	files, _ := filepath.Glob("../testdata/fixtures/*/*.bin")
	for _, name := range files {
		m := fixturePattern.FindStringSubmatch(filepath.Base(name))
		if m == nil || m[1] != key.String() || (m[3] == "request") != request {
			continue
		}
		v, _ := strconv.Atoi(m[2])
		frame, err := os.ReadFile(name)
		if err != nil || len(frame) < 4 {
			f.Fatalf("fixture %s: %v", name, err)
		}
		frame = frame[4:]
		var body []byte
		if request {
			var h protocol.RequestHeader
			body, err = h.Decode(frame)
		} else {
			_, body, err = protocol.ParseResponseHeader(frame, key, int16(v))
		}
		if err != nil {
			f.Fatalf("fixture %s: %v", name, err)
		}
		versions, bodies = append(versions, int16(v)), append(bodies, body)
	}
	return versions, bodies
}

// newMessage returns an empty request or response of key at version v.
func newMessage(key protocol.APIKey, request bool, v int16) protocol.Message {
	if request {
		return protocol.NewRequest(key, v)
	}
	return protocol.NewResponse(key, v)
}

// heapAllocated returns the bytes allocated on the heap so far.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// decodeAllocation returns 0 if decode allocates within the bound for an
// input of n bytes, else the smallest allocation seen. The heap counter also
// counts the fuzzing engine's own goroutines, so a reading over the bound is
// taken again, twice: decoding allocates the same every time, the engine not.
func decodeAllocation(decode func(), n int) uint64 {
	limit := uint64(maxAllocFactor*n + 64<<10)
	least := ^uint64(0)
	for try := 0; try < 3; try++ {
		before := heapAllocated()
		decode()
		grew := heapAllocated() - before
		if grew <= limit {
			return 0
		}
		least = min(least, grew)
	}
	return least
}

// maxAllocFactor bounds what decoding may allocate per input byte: a decoded
// element is a Go struct larger than its smallest wire form, but never by
// more than this.
const maxAllocFactor = 128

// fuzzMessage is the body of every message fuzz target: decoding arbitrary
// bytes at any supported version must not panic, must allocate in proportion
// to the input, and whatever decodes must re-encode, and decode again to the
// same bytes (decode→encode→decode is stable). Extra seeds are messages of
// key that no fixture holds yet, such as versions newer than the captures.
func fuzzMessage(f *testing.F, key protocol.APIKey, request bool, extra ...protocol.Message) {
	min, max, ok := key.VersionRange()
	if !ok {
		f.Fatalf("%s: not spoken", key)
	}
	versions, bodies := fixtureBodies(f, key, request)
	for i := range bodies {
		f.Add(versions[i], bodies[i])
	}
	for v := min; v <= max; v++ {
		// A zero-value message is not at Kafka's defaults for every version
		// (Metadata v0-3 cannot say "no auto-creation"); those seed nothing.
		if b, err := newMessage(key, request, v).Encode(nil); err == nil {
			f.Add(v, b)
		}
	}
	for _, m := range extra {
		b, err := m.Encode(nil)
		if err != nil || m.Key() != key {
			f.Fatalf("%s seed %+v: %v", key, m, err)
		}
		f.Add(m.APIVersion(), b)
	}
	f.Fuzz(func(t *testing.T, v int16, data []byte) {
		if v < min || v > max {
			v = min + int16(uint16(v)%uint16(max-min+1))
		}
		m := newMessage(key, request, v)
		err := m.Decode(data)
		if grew := decodeAllocation(func() { newMessage(key, request, v).Decode(data) }, len(data)); grew > 0 {
			t.Fatalf("%s v%d: decoding %d bytes allocated %d bytes", key, v, len(data), grew)
		}
		if err != nil {
			return
		}
		enc, err := m.Encode(nil)
		if err != nil {
			t.Fatalf("%s v%d: re-encoding a decoded message: %v\ninput % x", key, v, err, data)
		}
		m2 := newMessage(key, request, v)
		if err := m2.Decode(enc); err != nil {
			t.Fatalf("%s v%d: decoding our own encoding: %v\ninput % x\nencoded % x", key, v, err, data, enc)
		}
		enc2, err := m2.Encode(nil)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("%s v%d: decode→encode→decode unstable (%v)\nfirst  % x\nsecond % x", key, v, err, enc, enc2)
		}
	})
}

package protocol

import (
	"bytes"
	"reflect"
	"runtime"
	"testing"
)

// bytesAllocated returns the bytes the heap grew by while fn ran.
func bytesAllocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// checkRoundTrip encodes m, decodes the bytes into a fresh message of the
// same type and version (made by fresh), compares the two, re-encodes and
// compares bytes, and checks that every truncation of the bytes fails to
// decode without a panic. The comparison is reflect.DeepEqual, so tests
// build messages with nil and empty slices exactly as decoding yields them.
func checkRoundTrip(t *testing.T, m Message, fresh func() Message) []byte {
	t.Helper()
	b, err := m.Encode(nil)
	if err != nil {
		t.Fatalf("%s v%d: encode: %v", m.Key(), m.APIVersion(), err)
	}
	got := fresh()
	got.SetAPIVersion(m.APIVersion())
	if err := got.Decode(b); err != nil {
		t.Fatalf("%s v%d: decode: %v\nbytes: % x", m.Key(), m.APIVersion(), err, b)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("%s v%d: decode(encode(x)) != x\n got: %+v\nwant: %+v", m.Key(), m.APIVersion(), got, m)
	}
	b2, err := got.Encode(nil)
	if err != nil {
		t.Fatalf("%s v%d: re-encode: %v", m.Key(), m.APIVersion(), err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("%s v%d: re-encoded bytes differ\n got: % x\nwant: % x", m.Key(), m.APIVersion(), b2, b)
	}
	for n := 0; n < len(b); n++ {
		trunc := fresh()
		trunc.SetAPIVersion(m.APIVersion())
		if err := trunc.Decode(b[:n:n]); err == nil {
			t.Fatalf("%s v%d: decoding the first %d of %d bytes succeeded", m.Key(), m.APIVersion(), n, len(b))
		}
	}
	return b
}

func TestReaderStickyError(t *testing.T) {
	r := NewReader([]byte{0, 1, 0}, false)
	if got := r.Int16("a"); got != 1 {
		t.Fatalf("Int16 = %d, want 1", got)
	}
	if got := r.Int32("b"); got != 0 {
		t.Fatalf("Int32 past the end = %d, want 0", got)
	}
	if got := r.Int8("c"); got != 0 {
		t.Fatalf("Int8 after a failure = %d, want 0 (sticky)", got)
	}
	err, ok := r.Err().(*DecodeError)
	if !ok || err.Field != "b" || err.Offset != 2 {
		t.Fatalf("Err = %#v, want field b at offset 2", r.Err())
	}
}

func TestReaderRejectsHugeLengthsBeforeAllocating(t *testing.T) {
	cases := []struct {
		name     string
		flexible bool
		src      []byte
		read     func(r *Reader)
	}{
		{"array int32 2^31-1", false, []byte{0x7f, 0xff, 0xff, 0xff, 1, 2}, func(r *Reader) { r.Int32Array("a") }},
		{"compact array", true, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, func(r *Reader) { r.StringArray("a") }},
		{"bytes 1GiB", false, []byte{0x40, 0, 0, 0, 1}, func(r *Reader) { r.Bytes("b") }},
		{"string 32767", false, []byte{0x7f, 0xff, 'x'}, func(r *Reader) { _ = r.String("s") }},
		{"negative array", false, []byte{0xff, 0xff, 0xff, 0xfe}, func(r *Reader) { r.ArrayLen("a", 1) }},
		{"null non-nullable string", false, []byte{0xff, 0xff}, func(r *Reader) { _ = r.String("s") }},
		{"varint overflow", true, bytes.Repeat([]byte{0xff}, 11), func(r *Reader) { r.Uvarlong("v") }},
		{"tag count", true, []byte{0x7f, 0}, func(r *Reader) { r.Tags("t") }},
	}
	for _, c := range cases {
		r := NewReader(c.src, c.flexible)
		c.read(&r) // warm up fmt's buffers
		r = NewReader(c.src, c.flexible)
		allocated := bytesAllocated(func() { c.read(&r) })
		if r.Err() == nil {
			t.Errorf("%s: no error", c.name)
		}
		// TotalAlloc also counts what the runtime's other goroutines allocate
		// meanwhile (a few KiB); the smallest length claimed here is 32 KiB.
		if allocated > 16<<10 {
			t.Errorf("%s: %d bytes allocated, want at most 16 KiB", c.name, allocated)
		}
	}
}

func TestVarintsRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, -64, 64, 1 << 31, -(1 << 31), 1<<63 - 1, -1 << 63} {
		w := NewWriter(nil, true)
		w.Varlong(v)
		r := NewReader(w.B, true)
		if got := r.Varlong("v"); got != v || r.Err() != nil || r.Remaining() != 0 {
			t.Errorf("Varlong(%d) -> % x -> %d, %v", v, w.B, got, r.Err())
		}
	}
}

func TestErrorsIs(t *testing.T) {
	msg := "try later"
	err := ErrorWithMessage(16, &msg)
	if !reflect.DeepEqual(err.Error(), "kafka: NOT_COORDINATOR (16): try later") {
		t.Errorf("Error() = %q", err.Error())
	}
	if e, ok := err.(*Error); !ok || !e.Is(ErrNotCoordinator) || e.Is(ErrCoordinatorNotAvailable) {
		t.Errorf("errors.Is does not match by code: %v", err)
	}
	if !ErrCoordinatorLoadInProgress.Retriable || ErrRebalanceInProgress.Retriable {
		t.Errorf("retriable flags wrong")
	}
	if ErrorForCode(0) != nil {
		t.Errorf("code 0 is not nil")
	}
	if got := ErrorForCode(9999).Error(); got != "kafka: UNKNOWN_CODE_9999 (9999)" {
		t.Errorf("unknown code: %q", got)
	}
}

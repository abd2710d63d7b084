package protocol

import (
	"bytes"
	"testing"
)

func TestSaslHandshakeRoundTrip(t *testing.T) {
	for v := int16(0); v <= 1; v++ {
		checkRoundTrip(t, &SaslHandshakeRequest{Version: v, Mechanism: "SCRAM-SHA-512"},
			func() Message { return &SaslHandshakeRequest{} })
		checkRoundTrip(t, &SaslHandshakeResponse{Version: v, ErrorCode: 33, Mechanisms: []string{"PLAIN", "SCRAM-SHA-256"}},
			func() Message { return &SaslHandshakeResponse{} })
		checkRoundTrip(t, &SaslHandshakeResponse{Version: v, Mechanisms: []string{}},
			func() Message { return &SaslHandshakeResponse{} })
	}
}

func TestSaslHandshakeGoldenV1Request(t *testing.T) {
	req := &SaslHandshakeRequest{Version: 1, Mechanism: "PLAIN"}
	id := "c"
	got, err := AppendRequest(nil, 2, &id, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0, 0, 0, 18, // size: 2+2+4+3+7
		0, 17, // api key 17
		0, 1, // version 1
		0, 0, 0, 2, // correlation id
		0, 1, 'c', // client id (header v1)
		0, 5, 'P', 'L', 'A', 'I', 'N', // Mechanism: int16 length + bytes
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

func TestSaslHandshakeGoldenResponse(t *testing.T) {
	src := []byte{
		0, 33, // ErrorCode UNSUPPORTED_SASL_MECHANISM
		0, 0, 0, 2, // Mechanisms: int32 count 2
		0, 5, 'P', 'L', 'A', 'I', 'N',
		0, 13, 'S', 'C', 'R', 'A', 'M', '-', 'S', 'H', 'A', '-', '2', '5', '6',
	}
	for v := int16(0); v <= 1; v++ {
		m := &SaslHandshakeResponse{Version: v}
		if err := m.Decode(src); err != nil {
			t.Fatal(err)
		}
		if m.ErrorCode != 33 || len(m.Mechanisms) != 2 || m.Mechanisms[1] != "SCRAM-SHA-256" {
			t.Fatalf("v%d: decoded %+v", v, m)
		}
		b, _ := m.Encode(nil)
		if !bytes.Equal(b, src) {
			t.Fatalf("v%d: re-encoded % x\nwant % x", v, b, src)
		}
	}
}

func TestSaslHandshakeRejectsHugeArray(t *testing.T) {
	m := &SaslHandshakeResponse{Version: 1}
	if err := m.Decode([]byte{0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 1, 'x'}); err == nil {
		t.Fatal("no error for a mechanism count larger than the input")
	}
}

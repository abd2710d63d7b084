package protocol

import (
	"bytes"
	"testing"
)

func TestSaslAuthenticateRoundTrip(t *testing.T) {
	msg := "Authentication failed: Invalid username or password"
	for v := int16(0); v <= 2; v++ {
		req := &SaslAuthenticateRequest{Version: v, AuthBytes: []byte("\x00alice\x00secret")}
		resp := &SaslAuthenticateResponse{Version: v, ErrorCode: 58, ErrorMessage: &msg, AuthBytes: []byte("v=abc")}
		if v >= 1 {
			resp.SessionLifetimeMs = 3600000
		}
		if v >= 2 {
			req.Tags = TaggedFields{{Tag: 5, Data: []byte{9}}}
			resp.Tags = TaggedFields{{Tag: 7, Data: []byte{1, 2, 3}}}
		}
		checkRoundTrip(t, req, func() Message { return &SaslAuthenticateRequest{} })
		checkRoundTrip(t, resp, func() Message { return &SaslAuthenticateResponse{} })
		// Null message, empty bytes: what a successful PLAIN exchange returns.
		ok := &SaslAuthenticateResponse{Version: v, AuthBytes: []byte{}}
		checkRoundTrip(t, ok, func() Message { return &SaslAuthenticateResponse{} })
	}
}

func TestSaslAuthenticateGoldenV0Response(t *testing.T) {
	src := []byte{
		0, 58, // ErrorCode SASL_AUTHENTICATION_FAILED
		0, 3, 'b', 'a', 'd', // ErrorMessage: int16 length 3
		0, 0, 0, 0, // AuthBytes: int32 length 0
	}
	m := &SaslAuthenticateResponse{Version: 0}
	if err := m.Decode(src); err != nil {
		t.Fatal(err)
	}
	if m.ErrorCode != 58 || m.ErrorMessage == nil || *m.ErrorMessage != "bad" || len(m.AuthBytes) != 0 {
		t.Fatalf("decoded %+v", m)
	}
	if b, _ := m.Encode(nil); !bytes.Equal(b, src) {
		t.Fatalf("re-encoded % x", b)
	}
}

func TestSaslAuthenticateGoldenV2(t *testing.T) {
	req := &SaslAuthenticateRequest{Version: 2, AuthBytes: []byte("ab")}
	id := "c"
	got, err := AppendRequest(nil, 9, &id, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0, 0, 0, 16, // size
		0, 36, 0, 2, // key 36, version 2
		0, 0, 0, 9, // correlation id
		0, 1, 'c', // client id keeps its int16 length in header v2
		0,           // header tagged fields
		3, 'a', 'b', // AuthBytes: compact length 2+1
		0, // body tagged fields
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}

	src := []byte{
		0, 0, // ErrorCode
		0,      // ErrorMessage: compact null
		2, 'v', // AuthBytes: compact length 1+1
		0, 0, 0, 0, 0, 0, 0x03, 0xe8, // SessionLifetimeMs 1000
		1, 4, 1, 0xff, // one tagged field: tag 4, length 1, data ff
	}
	m := &SaslAuthenticateResponse{Version: 2}
	if err := m.Decode(src); err != nil {
		t.Fatal(err)
	}
	if m.ErrorMessage != nil || string(m.AuthBytes) != "v" || m.SessionLifetimeMs != 1000 || len(m.Tags) != 1 || m.Tags[0].Tag != 4 {
		t.Fatalf("decoded %+v", m)
	}
	if b, _ := m.Encode(nil); !bytes.Equal(b, src) {
		t.Fatalf("re-encoded % x", b)
	}
}

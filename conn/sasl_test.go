package conn

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// TestScramRFC7677 runs the SCRAM-SHA-256 example of RFC 7677 section 3.
func TestScramRFC7677(t *testing.T) {
	s := newScram(scramSHA256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO")
	first, done, err := s.Next(nil)
	if err != nil || done || string(first) != "n,,n=user,r=rOprNGfwEbeRWgbNEkqO" {
		t.Fatalf("client-first = %q, %v, %v", first, done, err)
	}
	final, done, err := s.Next([]byte("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
	want := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	if err != nil || done || string(final) != want {
		t.Fatalf("client-final = %q, %v\nwant %q", final, err, want)
	}
	if _, done, err := s.Next([]byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")); err != nil || !done {
		t.Fatalf("server-final: done %v, err %v", done, err)
	}
}

func TestScramRejects(t *testing.T) {
	serverFirst := "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	cases := []struct {
		name, first, final, want string
	}{
		{"bad signature", serverFirst, "v=AAAArRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "signature does not match"},
		{"server error", serverFirst, "e=invalid-proof", `answered "invalid-proof"`},
		{"foreign nonce", "r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "", "nonce does not extend ours"},
		{"few iterations", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", "", "iteration count"},
		{"huge iterations", "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999", "", "iteration count"},
		{"bad salt", "r=rOprNGfwEbeRWgbNEkqOx,s=!!,i=4096", "", "invalid salt"},
	}
	for _, tc := range cases {
		s := newScram(scramSHA256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO")
		s.Next(nil)
		_, _, err := s.Next([]byte(tc.first))
		if err == nil {
			_, _, err = s.Next([]byte(tc.final))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSaslName(t *testing.T) {
	if got := saslName("a=b,c"); got != "a=3Db=2Cc" {
		t.Fatalf("saslName = %q", got)
	}
}

// saslFake answers ApiVersions, then SaslHandshake with handshakeErr, then
// SaslAuthenticate with the given answers, recording the auth bytes.
func saslFake(t *testing.T, handshakeErr int16, answers []*protocol.SaslAuthenticateResponse, got chan<- []byte) *fakeBroker {
	return newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		r, ok := f.read()
		if !ok {
			return
		}
		if r.header.APIKey != protocol.KeySaslHandshake || r.header.APIVersion != 1 {
			t.Errorf("want SaslHandshake v1, got %s v%d", r.header.APIKey, r.header.APIVersion)
			return
		}
		f.reply(r, &protocol.SaslHandshakeResponse{ErrorCode: handshakeErr, Mechanisms: []string{"PLAIN", "SCRAM-SHA-512"}})
		for _, a := range answers {
			r, ok := f.read()
			if !ok {
				return
			}
			req := &protocol.SaslAuthenticateRequest{Version: r.header.APIVersion}
			if err := req.Decode(r.body); err != nil || r.header.APIVersion != 2 {
				t.Errorf("SaslAuthenticate v%d: %v", r.header.APIVersion, err)
			}
			if got != nil {
				got <- req.AuthBytes
			}
			f.reply(r, a)
		}
		f.read()
	})
}

func TestSaslPlain(t *testing.T) {
	got := make(chan []byte, 1)
	fb := saslFake(t, 0, []*protocol.SaslAuthenticateResponse{{AuthBytes: []byte{}}}, got)
	dial(t, fb.addr, Config{SASL: &SASL{Mechanism: MechanismPlain, Username: "alice", Password: "alice-secret"}})
	if b := <-got; string(b) != "\x00alice\x00alice-secret" {
		t.Fatalf("PLAIN token %q", b)
	}
}

func TestSaslWrongPassword(t *testing.T) {
	msg := "Authentication failed: Invalid username or password"
	fb := saslFake(t, 0, []*protocol.SaslAuthenticateResponse{{ErrorCode: 58, ErrorMessage: &msg, AuthBytes: []byte{}}}, nil)
	_, err := Dial(context.Background(), fb.addr, Config{SASL: &SASL{Mechanism: MechanismPlain, Username: "alice", Password: "wrong"}})
	if !errors.Is(err, ErrAuth) || !errors.Is(err, protocol.ErrSaslAuthenticationFailed) {
		t.Fatalf("err = %v, want ErrAuth and SASL_AUTHENTICATION_FAILED", err)
	}
	for _, s := range []string{"PLAIN", msg, `"alice"`, fb.addr} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
}

func TestSaslUnsupportedMechanism(t *testing.T) {
	fb := saslFake(t, 33, nil, nil)
	_, err := Dial(context.Background(), fb.addr, Config{SASL: &SASL{Mechanism: MechanismScramSHA256, Username: "u", Password: "p"}})
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "does not enable SCRAM-SHA-256; it offers [PLAIN SCRAM-SHA-512]") {
		t.Fatalf("err = %v", err)
	}
}

func TestSaslNotASaslListener(t *testing.T) {
	fb := saslFake(t, 34, nil, nil)
	_, err := Dial(context.Background(), fb.addr, Config{SASL: &SASL{Mechanism: MechanismPlain}})
	if !errors.Is(err, protocol.ErrIllegalSaslState) || !strings.Contains(err.Error(), "is this a SASL listener?") {
		t.Fatalf("err = %v", err)
	}
}

func TestSaslScramBadServerSignature(t *testing.T) {
	// The server-first message cannot extend a random nonce we do not know,
	// so the fake answers with a nonce that fails the check: the exchange must
	// stop before a proof is sent.
	fb := saslFake(t, 0, []*protocol.SaslAuthenticateResponse{{AuthBytes: []byte("r=x,s=c2FsdA==,i=4096")}}, nil)
	_, err := Dial(context.Background(), fb.addr, Config{SASL: &SASL{Mechanism: MechanismScramSHA512, Username: "u", Password: "p"}})
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "nonce does not extend ours") || !strings.Contains(err.Error(), "SCRAM-SHA-512") {
		t.Fatalf("err = %v", err)
	}
}

func TestSaslUnknownMechanism(t *testing.T) {
	fb := saslFake(t, 0, nil, nil)
	_, err := Dial(context.Background(), fb.addr, Config{SASL: &SASL{Mechanism: "GSSAPI"}})
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), `"GSSAPI" is not supported`) {
		t.Fatalf("err = %v", err)
	}
}

package conn

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// scramHash is the hash of a SCRAM mechanism and the iteration counts Kafka
// allows for it (ScramMechanism: 4096 to 16384).
type scramHash struct {
	name    string
	new     func() hash.Hash
	minIter int
	maxIter int
}

var (
	scramSHA256 = scramHash{MechanismScramSHA256, sha256.New, 4096, 16384}
	scramSHA512 = scramHash{MechanismScramSHA512, sha512.New, 4096, 16384}
)

// scramStep names where a SCRAM exchange is.
type scramStep int8

const (
	scramStart     scramStep = iota // nothing sent
	scramSentFirst                  // client-first-message sent
	scramSentFinal                  // client-final-message sent
	scramVerified                   // server signature verified
)

// scram is the client side of SCRAM (RFC 5802, RFC 7677) as Kafka uses it
// (KIP-84): no channel binding, no authzid. The password is used as given
// (Kafka applies no SASLprep either). The broker's signature is verified
// before the exchange counts as done.
type scram struct {
	h      scramHash
	user   string
	pass   string
	cnonce string
	step   scramStep

	clientFirstBare string
	serverSignature []byte
}

// newScram returns a SCRAM client; nonce "" draws a random one.
func newScram(h scramHash, user, pass, nonce string) *scram {
	if nonce == "" {
		b := make([]byte, 24)
		rand.Read(b)
		nonce = base64.RawStdEncoding.EncodeToString(b)
	}
	return &scram{h: h, user: user, pass: pass, cnonce: nonce}
}

// saslName escapes a username for SCRAM (RFC 5802 section 5.1).
func saslName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

func (s *scram) Next(challenge []byte) ([]byte, bool, error) {
	switch s.step {
	case scramStart:
		s.clientFirstBare = "n=" + saslName(s.user) + ",r=" + s.cnonce
		s.step = scramSentFirst
		return []byte("n,," + s.clientFirstBare), false, nil
	case scramSentFirst:
		final, err := s.clientFinal(string(challenge))
		if err != nil {
			return nil, false, err
		}
		s.step = scramSentFinal
		return []byte(final), false, nil
	case scramSentFinal:
		if err := s.verify(string(challenge)); err != nil {
			return nil, false, err
		}
		s.step = scramVerified
		return nil, true, nil
	}
	return nil, true, nil
}

// attrs parses "k=v,k=v" SCRAM attributes.
func attrs(msg string) map[byte]string {
	m := make(map[byte]string)
	for _, a := range strings.Split(msg, ",") {
		if len(a) >= 2 && a[1] == '=' {
			m[a[0]] = a[2:]
		}
	}
	return m
}

// clientFinal answers the server-first-message.
func (s *scram) clientFinal(serverFirst string) (string, error) {
	a := attrs(serverFirst)
	if e, ok := a['e']; ok {
		return "", fmt.Errorf("%s: the broker answered %q", s.h.name, e)
	}
	nonce, salt64, iter64 := a['r'], a['s'], a['i']
	if !strings.HasPrefix(nonce, s.cnonce) || len(nonce) == len(s.cnonce) {
		return "", fmt.Errorf("%s: the broker's nonce does not extend ours (server-first-message %q)", s.h.name, serverFirst)
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return "", fmt.Errorf("%s: invalid salt in server-first-message %q", s.h.name, serverFirst)
	}
	iter, err := strconv.Atoi(iter64)
	if err != nil || iter < s.h.minIter || iter > s.h.maxIter {
		return "", fmt.Errorf("%s: iteration count %q outside %d-%d", s.h.name, iter64, s.h.minIter, s.h.maxIter)
	}

	salted, err := pbkdf2.Key(s.h.new, s.pass, salt, iter, s.h.new().Size())
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.h.name, err)
	}
	clientKey := s.mac(salted, "Client Key")
	storedKey := s.hash(clientKey)
	withoutProof := "c=biws,r=" + nonce // biws = base64("n,,")
	authMessage := s.clientFirstBare + "," + serverFirst + "," + withoutProof
	clientSig := s.mac(storedKey, authMessage)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ clientSig[i]
	}
	s.serverSignature = s.mac(s.mac(salted, "Server Key"), authMessage)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

// verify checks the server-final-message's signature.
func (s *scram) verify(serverFinal string) error {
	a := attrs(serverFinal)
	if e, ok := a['e']; ok {
		return fmt.Errorf("%s: the broker answered %q", s.h.name, e)
	}
	sig, err := base64.StdEncoding.DecodeString(a['v'])
	if err != nil || !hmac.Equal(sig, s.serverSignature) {
		return errors.New(s.h.name + ": the broker's signature does not match: it does not know the password (or is not the broker it claims to be)")
	}
	return nil
}

func (s *scram) mac(key []byte, msg string) []byte {
	m := hmac.New(s.h.new, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func (s *scram) hash(b []byte) []byte {
	h := s.h.new()
	h.Write(b)
	return h.Sum(nil)
}

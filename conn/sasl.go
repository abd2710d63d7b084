package conn

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rawkafka/rawkafka/protocol"
)

// mechanism is one side of a SASL exchange: Next takes the broker's last
// token (nil at the start) and returns the client's next token, or done when
// the exchange is over.
type mechanism interface {
	Next(challenge []byte) (response []byte, done bool, err error)
}

func newMechanism(s *SASL) (mechanism, error) {
	switch s.Mechanism {
	case MechanismPlain:
		return &plain{user: s.Username, pass: s.Password}, nil
	case MechanismScramSHA256:
		return newScram(scramSHA256, s.Username, s.Password, ""), nil
	case MechanismScramSHA512:
		return newScram(scramSHA512, s.Username, s.Password, ""), nil
	}
	return nil, fmt.Errorf("SASL mechanism %q is not supported (rawkafka implements %s, %s, %s)",
		s.Mechanism, MechanismPlain, MechanismScramSHA256, MechanismScramSHA512)
}

// authenticate runs SaslHandshake v1 and then SaslAuthenticate until the
// mechanism is done (KIP-152).
func (c *Conn) authenticate(ctx context.Context, s *SASL) error {
	fail := func(err error) error {
		return &Error{Broker: c.addr, Op: "sasl " + s.Mechanism, Err: err}
	}
	mech, err := newMechanism(s)
	if err != nil {
		return fail(diagnose(err.Error(), ErrAuth))
	}
	hv, ok := c.Version(protocol.KeySaslHandshake)
	if !ok || hv < 1 {
		return fail(diagnose("the broker does not serve SaslHandshake v1 (Kafka 1.0+); rawkafka does not speak the older raw SASL framing", ErrAuth, ErrUnsupported))
	}
	av, ok := c.Version(protocol.KeySaslAuthenticate)
	if !ok {
		return fail(diagnose("the broker does not serve SaslAuthenticate", ErrAuth, ErrUnsupported))
	}

	r, err := c.send(ctx, &protocol.SaslHandshakeRequest{Version: hv, Mechanism: s.Mechanism})
	if err != nil {
		return err
	}
	hs := &protocol.SaslHandshakeResponse{Version: hv}
	if err := hs.Decode(r.body); err != nil {
		return fail(err)
	}
	switch kerr := protocol.ErrorForCode(hs.ErrorCode); {
	case kerr == nil:
	case errors.Is(kerr, protocol.ErrUnsupportedSaslMechanism):
		return fail(diagnose(fmt.Sprintf("the broker does not enable %s; it offers %v (%v)", s.Mechanism, hs.Mechanisms, kerr), ErrAuth, kerr))
	case errors.Is(kerr, protocol.ErrIllegalSaslState):
		return fail(diagnose(fmt.Sprintf("the broker refused the SASL handshake (%v); is this a SASL listener?", kerr), ErrAuth, kerr))
	default:
		return fail(diagnose(fmt.Sprintf("SASL handshake failed: %v", kerr), ErrAuth, kerr))
	}
	if !slices.Contains(hs.Mechanisms, s.Mechanism) && len(hs.Mechanisms) > 0 {
		c.log.Debug("sasl: broker accepted a mechanism it did not list", "mechanism", s.Mechanism, "mechanisms", hs.Mechanisms)
	}

	var challenge []byte
	for step := 0; ; step++ {
		token, done, err := mech.Next(challenge)
		if err != nil {
			return fail(diagnose(fmt.Sprintf("authentication as %q: %v", s.Username, err), ErrAuth, err))
		}
		if done {
			c.log.Debug("sasl authenticated", "mechanism", s.Mechanism, "user", s.Username)
			return nil
		}
		r, err := c.send(ctx, &protocol.SaslAuthenticateRequest{Version: av, AuthBytes: token})
		if err != nil {
			return err
		}
		resp := &protocol.SaslAuthenticateResponse{Version: av}
		if err := resp.Decode(r.body); err != nil {
			return fail(err)
		}
		if kerr := protocol.ErrorWithMessage(resp.ErrorCode, resp.ErrorMessage); kerr != nil {
			msg := "(no message)"
			if resp.ErrorMessage != nil {
				msg = *resp.ErrorMessage
			}
			return fail(diagnose(fmt.Sprintf("authentication as %q failed: the broker said %q (%s)", s.Username, msg, kerr.(*protocol.Error).Name), ErrAuth, kerr))
		}
		challenge = resp.AuthBytes
		if step > 8 {
			return fail(diagnose("the SASL exchange did not finish", ErrAuth))
		}
	}
}

// plain is SASL PLAIN (RFC 4616): one message, authzid empty.
type plain struct {
	user, pass string
	sent       bool
}

func (p *plain) Next([]byte) ([]byte, bool, error) {
	if p.sent {
		return nil, true, nil
	}
	p.sent = true
	return []byte("\x00" + p.user + "\x00" + p.pass), false, nil
}

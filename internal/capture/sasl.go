package main

import (
	"context"
	"fmt"
	"log"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// sasl captures SaslHandshake and SaslAuthenticate on the SASL_PLAINTEXT
// listener. Each exchange needs a fresh connection: after a handshake the
// broker expects authentication and nothing else, and after v0 of the
// handshake it expects raw SASL tokens, not Kafka frames.
func (s *session) sasl(ctx context.Context) error {
	if s.saslAddr == "" {
		log.Printf("  no -sasl-addr: SaslHandshake and SaslAuthenticate not captured")
		return nil
	}
	probe, err := conn.Dial(ctx, s.saslAddr, s.config())
	if err != nil {
		return err
	}
	hvs := versions(probe, protocol.KeySaslHandshake)
	avs := versions(probe, protocol.KeySaslAuthenticate)
	probe.Close()
	if len(hvs) == 0 || len(avs) == 0 || hvs[len(hvs)-1] < 1 {
		return fmt.Errorf("the SASL listener serves SaslHandshake %v and SaslAuthenticate %v", hvs, avs)
	}

	plainToken := []byte("\x00" + plainUser + "\x00" + plainPassword)
	// SaslHandshake at every version the broker serves; for v1 the
	// connection goes on to authenticate at the lowest SaslAuthenticate
	// version.
	for _, hv := range hvs {
		c, err := conn.Dial(ctx, s.saslAddr, s.config())
		if err != nil {
			return err
		}
		desc := "PLAIN: the broker accepts it and lists its enabled mechanisms"
		if hv == 0 {
			desc += " (raw SASL tokens would follow, so the connection ends here)"
		}
		_, err = s.exchange(ctx, c, "", desc, &protocol.SaslHandshakeRequest{Version: hv, Mechanism: conn.MechanismPlain})
		if err == nil && hv >= 1 {
			_, err = s.exchange(ctx, c, "", fmt.Sprintf("PLAIN as %s after a SaslHandshake v%d: success", plainUser, hv),
				&protocol.SaslAuthenticateRequest{Version: avs[0], AuthBytes: plainToken})
		}
		c.Close()
		if err != nil {
			return err
		}
	}

	// The highest SaslAuthenticate version: success, then a wrong password.
	ahi := avs[len(avs)-1]
	hhi := hvs[len(hvs)-1]
	runs := []struct {
		label, desc string
		token       []byte
	}{
		{"", fmt.Sprintf("PLAIN as %s: success, with the session lifetime", plainUser), plainToken},
		{"bad-password", fmt.Sprintf("PLAIN as %s with a wrong password: SASL_AUTHENTICATION_FAILED with a message", plainUser),
			[]byte("\x00" + plainUser + "\x00wrong-password")},
	}
	for _, r := range runs {
		if len(avs) == 1 && r.label == "" {
			continue // captured above
		}
		c, err := conn.Dial(ctx, s.saslAddr, s.config())
		if err != nil {
			return err
		}
		if _, err := c.DoPinned(ctx, &protocol.SaslHandshakeRequest{Version: hhi, Mechanism: conn.MechanismPlain}); err != nil {
			c.Close()
			return err
		}
		_, err = s.exchange(ctx, c, r.label, r.desc, &protocol.SaslAuthenticateRequest{Version: ahi, AuthBytes: r.token})
		c.Close()
		if err != nil {
			return err
		}
	}
	return s.scram(ctx)
}

// scram records what conn.Dial sends and receives to authenticate with
// SCRAM-SHA-256 (RFC 5802: a handshake, then client-first/server-first and
// client-final/server-final in two SaslAuthenticate exchanges).
func (s *session) scram(ctx context.Context) error {
	cfg := s.config()
	cfg.SASL = &conn.SASL{Mechanism: conn.MechanismScramSHA256, Username: scramUser, Password: scramPassword}
	s.rec.take()
	c, err := conn.Dial(ctx, s.saslAddr, cfg)
	frames := s.rec.take()
	if err != nil {
		return err
	}
	c.Close()
	labels := map[protocol.APIKey][]string{
		protocol.KeySaslHandshake:    {"scram"},
		protocol.KeySaslAuthenticate: {"scram-first", "scram-final"},
	}
	descs := map[string]string{
		"scram":       "SCRAM-SHA-256: accepted",
		"scram-first": fmt.Sprintf("SCRAM-SHA-256 client-first (user %s, a random nonce) and server-first (salt, iterations)", scramUser),
		"scram-final": "SCRAM-SHA-256 client-final (proof) and server-final (verifier): success",
	}
	for i := 0; i+1 < len(frames); i += 2 {
		key := frames[i].key
		if key == protocol.KeyApiVersions {
			continue
		}
		if len(labels[key]) == 0 {
			return fmt.Errorf("unexpected %s frames while authenticating with SCRAM", key)
		}
		label := labels[key][0]
		labels[key] = labels[key][1:]
		if err := s.rec.writePair(frames[i], frames[i+1], label, descs[label]); err != nil {
			return err
		}
	}
	if len(labels[protocol.KeySaslAuthenticate]) > 0 || len(labels[protocol.KeySaslHandshake]) > 0 {
		return fmt.Errorf("SCRAM authentication took fewer exchanges than expected")
	}
	return nil
}

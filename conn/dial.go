package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// Dial connects to the broker at addr (host:port): TCP, then TLS if
// cfg.TLS is set, then ApiVersions negotiation, then SASL if cfg.SASL is set.
// It gives up when ctx ends or after cfg.ConnectTimeout. Every error is a
// *Error naming the broker.
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.connectTimeout())
	defer cancel()
	log := cfg.logger().With("addr", addr)
	start := time.Now()
	if cfg.SASL != nil {
		if _, err := newMechanism(cfg.SASL); err != nil {
			return nil, &Error{Broker: addr, Op: "sasl " + cfg.SASL.Mechanism, Err: diagnose(err.Error(), ErrAuth)}
		}
	}

	dial := cfg.Dialer
	if dial == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		dial = d.DialContext
	}
	nc, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, &Error{Broker: addr, Op: "dial", Err: err}
	}
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		if tc.ServerName == "" && !tc.InsecureSkipVerify {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				host = addr
			}
			tc.ServerName = host
		}
		tconn := tls.Client(nc, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, &Error{Broker: addr, Op: "tls", Err: tlsHint(err)}
		}
		nc = tconn
	}

	c := newConn(nc, addr, cfg)
	if err := c.setup(ctx); err != nil {
		c.Close()
		var ce *Error
		if !errors.As(err, &ce) {
			err = &Error{Broker: addr, Op: "connect", Err: err}
		}
		return nil, err
	}
	log.Debug("connected", "tls", cfg.TLS != nil, "sasl", cfg.SASL != nil, "took", time.Since(start))
	return c, nil
}

// setup runs what follows the TCP (and TLS) handshake.
func (c *Conn) setup(ctx context.Context) error {
	if err := c.negotiate(ctx); err != nil {
		return err
	}
	if c.cfg.SASL != nil {
		return c.authenticate(ctx, c.cfg.SASL)
	}
	return nil
}

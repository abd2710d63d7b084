package conn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// Sentinels that a connection-fatal *Error unwraps to, for errors.Is.
var (
	// ErrClosed: the connection was closed by Close.
	ErrClosed = errors.New("connection closed")
	// ErrIdle: the connection was closed after connections.max.idle.ms
	// without a request in flight.
	ErrIdle = errors.New("connection closed as idle")
	// ErrNotKafka: the peer sent bytes no Kafka broker sends (an HTTP or TLS
	// answer, garbage, an unknown correlation id, a response that does not
	// decode during connection setup).
	ErrNotKafka = errors.New("peer does not speak the Kafka protocol")
	// ErrResponseTooLarge: a response's size prefix exceeds
	// Config.MaxResponseSize.
	ErrResponseTooLarge = errors.New("response too large")
	// ErrAuth: SASL authentication failed or could not start.
	ErrAuth = errors.New("authentication failed")
)

// Error is a connection-fatal error: the connection is closed and every
// request that was waiting on it failed with this same error. It unwraps to
// its cause, so errors.Is works with net and io errors (io.ErrUnexpectedEOF,
// syscall.ECONNREFUSED, os.ErrDeadlineExceeded...) and with the sentinels
// above; errors.As finds a *protocol.Error when the broker sent an error code
// during setup (e.g. SASL_AUTHENTICATION_FAILED).
type Error struct {
	Broker string // host:port as dialed
	Op     string // what the connection was doing: dial, tls, api versions, sasl, write, read, idle, close
	Err    error
}

// Error describes the Error.
func (e *Error) Error() string {
	return fmt.Sprintf("conn: broker at %s: %s: %v", e.Broker, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the cause was a timeout, like net.Error.
func (e *Error) Timeout() bool {
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// diagnosis is a cause with a human explanation that still matches a
// sentinel (and any further errors) with errors.Is.
type diagnosis struct {
	msg  string
	errs []error
}

func (d *diagnosis) Error() string   { return d.msg }
func (d *diagnosis) Unwrap() []error { return d.errs }

func diagnose(msg string, errs ...error) error { return &diagnosis{msg: msg, errs: errs} }

// diagnoseSize explains a size prefix that no Kafka response carries: what
// the four bytes look like (HTTP, a TLS record, text) or simply too large.
func diagnoseSize(hdr [4]byte, size int32, limit int32) error {
	switch {
	case string(hdr[:]) == "HTTP":
		return diagnose(`answered like an HTTP server (its reply began with "HTTP"); is this the Kafka port?`, ErrNotKafka)
	case (hdr[0] == 0x15 || hdr[0] == 0x16) && hdr[1] == 0x03 && hdr[2] <= 0x04:
		kind := "an alert"
		if hdr[0] == 0x16 {
			kind = "a handshake record"
		}
		return diagnose(fmt.Sprintf("answered with a TLS record (%s, bytes % x); is this a TLS listener? set Config.TLS", kind, hdr[:3]), ErrNotKafka)
	case size < 4:
		return diagnose(fmt.Sprintf("sent a frame of %d bytes, too short to hold a correlation id; is this a Kafka broker?", size), ErrNotKafka)
	case size > limit && printable(hdr[:]):
		return diagnose(fmt.Sprintf("answered with text (%q...) instead of a Kafka frame; is this the Kafka port?", hdr[:]), ErrNotKafka)
	case size > limit:
		return diagnose(fmt.Sprintf("sent a response size of %d bytes, above the %d-byte limit (Config.MaxResponseSize); nothing was allocated; is this a Kafka broker?", uint32(size), limit), ErrResponseTooLarge, ErrNotKafka)
	}
	return nil
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// diagnoseRead explains a failed read. got is the number of bytes of the
// current frame read so far (size prefix included) and want its full length
// (0 while the prefix is unknown); answered counts the responses to requests
// other than ApiVersions and SASL, which brokers answer on any listener.
func diagnoseRead(err error, got, want int, answered, inFlight int) error {
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	var msg string
	switch {
	case want > 0:
		msg = fmt.Sprintf("broker closed the connection mid-response (%d of %d bytes read)", got, want)
	case got > 0:
		msg = fmt.Sprintf("broker closed the connection mid-response (%d bytes of a 4-byte size prefix read)", got)
	default:
		msg = fmt.Sprintf("broker closed the connection (%d requests in flight)", inFlight)
	}
	if answered == 0 {
		msg += "; it has not answered a request yet: check that the listener's security protocol (PLAINTEXT, SSL, SASL_*) matches Config.TLS and Config.SASL"
	}
	return diagnose(msg, err)
}

// tlsHint adds a likely cause to a failed TLS handshake.
func tlsHint(err error) error {
	s := err.Error()
	switch {
	case errors.Is(err, io.EOF), strings.Contains(s, "connection reset"):
		return diagnose("TLS handshake: the broker closed the connection; is this a TLS listener? ("+s+")", err, ErrNotKafka)
	case strings.Contains(s, "first record does not look like a TLS handshake"):
		return diagnose("TLS handshake: the peer did not answer with TLS; is this a TLS listener? ("+s+")", err, ErrNotKafka)
	}
	return err
}

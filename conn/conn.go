package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// Conn is one connection to one broker, made by Dial. It is safe for
// concurrent use: many requests can be in flight at once, written one at a
// time by one writer goroutine (which coalesces whatever is queued into one
// write) and matched to their responses by correlation id by one reader
// goroutine.
//
// Once the connection fails (the broker closes it, a frame is malformed, it
// idles out, or Close is called) every request in flight and every later one
// fails with the same *Error; Err reports it and Done is closed. A failed
// Conn is not reused: dial a new one (Cluster does).
type Conn struct {
	addr     string
	cfg      Config
	nc       net.Conn
	clientID *string
	log      *slog.Logger
	maxResp  int32
	idle     time.Duration

	versions map[protocol.APIKey]versionRange // set once during Dial

	wmu          sync.Mutex
	wbuf         []byte        // frames queued for the writer
	wake         chan struct{} // tells the writer there is something to write
	writeTimeout time.Duration
	writerDone   chan struct{}

	mu       sync.Mutex
	pending  map[int32]*call
	nextID   int32
	err      error // the fatal error, once failed
	answered int   // responses read so far, setup requests aside

	dead       chan struct{} // closed when err is set
	readerDone chan struct{}
	lastActive atomic.Int64 // unix nanos of the last request written or response read
	idleTimer  *time.Timer
}

// call is one request waiting for its response.
type call struct {
	key     protocol.APIKey
	version int16
	done    chan result // buffered: the reader never blocks on an abandoned call
}

type result struct {
	frame []byte // the whole response frame, size prefix included
	body  []byte // the body after the response header
	err   error
}

// newConn wraps an established (and, for TLS, handshaken) socket and starts
// its reader. Dial then negotiates versions and authenticates.
func newConn(nc net.Conn, addr string, cfg Config) *Conn {
	id := cfg.clientID()
	c := &Conn{
		addr:         addr,
		cfg:          cfg,
		nc:           nc,
		clientID:     &id,
		log:          cfg.logger().With("addr", addr),
		maxResp:      cfg.maxResponseSize(),
		idle:         cfg.idleTimeout(),
		wake:         make(chan struct{}, 1),
		writerDone:   make(chan struct{}),
		writeTimeout: cfg.writeTimeout(),
		pending:      make(map[int32]*call),
		dead:         make(chan struct{}),
		readerDone:   make(chan struct{}),
	}
	c.lastActive.Store(time.Now().UnixNano())
	go c.readLoop()
	go c.writeLoop()
	if c.idle > 0 {
		c.idleTimer = time.AfterFunc(c.idle, c.checkIdle)
	}
	return c
}

// Addr returns the address the connection was dialed with.
func (c *Conn) Addr() string { return c.addr }

// Err returns nil while the connection is usable and the *Error that ended
// it afterwards.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done returns a channel closed when the connection has failed or closed.
func (c *Conn) Done() <-chan struct{} { return c.dead }

// InFlight returns the number of requests waiting for a response, including
// those whose callers gave up (their responses are still read and dropped).
func (c *Conn) InFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Close closes the connection; requests in flight fail with an *Error that
// unwraps to ErrClosed. Close waits for the connection's goroutines to stop.
func (c *Conn) Close() error {
	c.fail("close", ErrClosed)
	<-c.readerDone
	<-c.writerDone
	return nil
}

// Do sends req at the highest version both rawkafka and the broker support
// (it calls req.SetAPIVersion) and returns the decoded response. See DoPinned
// to keep the caller's version.
//
// The error is a connection-fatal *Error, the context's error (the caller
// returns at once; the late response is read and dropped), or an error that
// concerns this request only (no version in common, encode or decode
// failure). Kafka error codes inside the response are not errors here: the
// caller reads them from the response.
func (c *Conn) Do(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	v, ok := c.Version(req.Key())
	if !ok {
		return nil, c.unsupported(req.Key())
	}
	req.SetAPIVersion(v)
	return c.DoPinned(ctx, req)
}

// DoPinned is Do at the version already set in req, which must be within
// the broker's range.
func (c *Conn) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	res, err := c.RoundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := req.NewResponse()
	resp.SetAPIVersion(req.APIVersion())
	if err := resp.Decode(res); err != nil {
		return nil, fmt.Errorf("conn: broker at %s: %s v%d response: %w", c.addr, req.Key(), req.APIVersion(), err)
	}
	return resp, nil
}

// RoundTrip sends req at the version set in it (which must be within the
// broker's range) and returns the raw response body, after the response
// header, for the caller to decode. The body belongs to the caller.
func (c *Conn) RoundTrip(ctx context.Context, req protocol.Message) ([]byte, error) {
	if lo, hi, ok := c.BrokerVersions(req.Key()); !ok || req.APIVersion() < lo || req.APIVersion() > hi {
		return nil, fmt.Errorf("conn: broker at %s does not support %s v%d (it serves %s)", c.addr, req.Key(), req.APIVersion(), c.rangeString(req.Key()))
	}
	r, err := c.send(ctx, req)
	return r.body, err
}

// send queues req for the writer and waits for its response, skipping the
// version check (Dial uses it before versions are known).
func (c *Conn) send(ctx context.Context, req protocol.Message) (result, error) {
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	key, v := req.Key(), req.APIVersion()
	cl := &call{key: key, version: v, done: make(chan result, 1)}
	id, err := c.register(cl)
	if err != nil {
		return result{}, err
	}
	c.wmu.Lock()
	start := len(c.wbuf)
	c.wbuf, err = protocol.AppendRequest(c.wbuf, id, c.clientID, req)
	if err != nil {
		c.wbuf = c.wbuf[:start]
		c.wmu.Unlock()
		c.unregister(id)
		return result{}, fmt.Errorf("conn: %s v%d request: %w", key, v, err)
	}
	if c.cfg.OnFrame != nil {
		c.cfg.OnFrame(Sent, key, v, c.wbuf[start:])
	}
	c.wmu.Unlock()
	c.lastActive.Store(time.Now().UnixNano())
	select {
	case c.wake <- struct{}{}:
	default: // the writer is already awake and will see the frame
	}

	select {
	case r := <-cl.done:
		return r, r.err
	case <-ctx.Done():
		// The call stays registered so its response is recognised, read
		// and dropped; the connection stays usable.
		return result{}, ctx.Err()
	}
}

// writeLoop writes queued frames: everything queued since the last write
// goes out in one write, so many requests in flight cost few syscalls. A
// write that blocks longer than the write timeout kills the connection.
func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	var buf []byte
	for {
		select {
		case <-c.wake:
		case <-c.dead:
			return
		}
		c.wmu.Lock()
		buf, c.wbuf = c.wbuf, buf[:0]
		c.wmu.Unlock()
		if len(buf) == 0 {
			continue
		}
		if c.writeTimeout > 0 {
			c.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout))
		}
		if _, err := c.nc.Write(buf); err != nil {
			c.fail("write", err)
			return
		}
		if cap(buf) > 1<<20 {
			buf = nil // do not keep a large request's buffer
		}
	}
}

// register assigns a correlation id to cl and records it as in flight.
func (c *Conn) register(cl *call) (int32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	for {
		c.nextID++
		if c.nextID < 0 {
			c.nextID = 0
		}
		if _, busy := c.pending[c.nextID]; !busy {
			break
		}
	}
	c.pending[c.nextID] = cl
	return c.nextID, nil
}

func (c *Conn) unregister(id int32) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// fail ends the connection with a fatal error (only the first call counts),
// closes the socket and fails every request in flight.
func (c *Conn) fail(op string, cause error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	err := &Error{Broker: c.addr, Op: op, Err: cause}
	c.err = err
	pending := c.pending
	c.pending = nil
	close(c.dead)
	c.mu.Unlock()

	c.nc.Close()
	if c.idleTimer != nil {
		c.idleTimer.Stop()
	}
	for _, cl := range pending {
		cl.done <- result{err: err}
	}
	if errors.Is(cause, ErrClosed) {
		c.log.Debug("connection closed")
	} else {
		c.log.Warn("connection failed", "op", op, "err", cause, "in_flight", len(pending))
	}
}

// checkIdle closes the connection when nothing has been in flight for the
// idle timeout, and otherwise re-arms the timer.
func (c *Conn) checkIdle() {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	since := time.Since(time.Unix(0, c.lastActive.Load()))
	if len(c.pending) == 0 && since >= c.idle {
		c.mu.Unlock()
		c.fail("idle", diagnose(fmt.Sprintf("closed after %v without requests (connections.max.idle.ms)", c.idle), ErrIdle))
		return
	}
	next := c.idle - since
	if next <= 0 {
		next = c.idle
	}
	c.idleTimer.Reset(next)
	c.mu.Unlock()
}

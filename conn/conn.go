package conn

import (
	"context"
	"crypto/tls"
	"encoding/binary"
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
// time and matched to their responses by correlation id.
//
// Once the connection fails (the broker closes it, a frame is malformed, it
// idles out, or Close is called) every request in flight and every later one
// fails with the same *Error; Err reports it and Done is closed. A failed
// Conn is not reused: dial a new one (Cluster does).
type Conn struct {
	addr     string
	cfg      Config
	nc       net.Conn
	isTLS    bool
	clientID *string
	log      *slog.Logger
	maxResp  int32
	idle     time.Duration

	versions map[protocol.APIKey]versionRange // set once during Dial

	writeSem chan struct{} // one writer at a time; a channel so waiting honours ctx

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
	_, isTLS := nc.(*tls.Conn)
	c := &Conn{
		addr:       addr,
		cfg:        cfg,
		nc:         nc,
		isTLS:      isTLS,
		clientID:   &id,
		log:        cfg.logger().With("broker", addr),
		maxResp:    cfg.maxResponseSize(),
		idle:       cfg.idleTimeout(),
		writeSem:   make(chan struct{}, 1),
		pending:    make(map[int32]*call),
		dead:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	c.lastActive.Store(time.Now().UnixNano())
	go c.readLoop()
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
// unwraps to ErrClosed. Close waits for the reader goroutine to stop.
func (c *Conn) Close() error {
	c.fail("close", ErrClosed)
	<-c.readerDone
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

// send writes req and waits for its response, skipping the version check
// (Dial uses it before versions are known).
func (c *Conn) send(ctx context.Context, req protocol.Message) (result, error) {
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	key, v := req.Key(), req.APIVersion()
	bp := bufPool.Get().(*[]byte)
	frame, err := protocol.AppendRequest((*bp)[:0], 0, c.clientID, req)
	if err != nil {
		bufPool.Put(bp)
		return result{}, fmt.Errorf("conn: %s v%d request: %w", key, v, err)
	}
	cl := &call{key: key, version: v, done: make(chan result, 1)}

	select {
	case c.writeSem <- struct{}{}:
	case <-ctx.Done():
		bufPool.Put(bp)
		return result{}, ctx.Err()
	case <-c.dead:
		bufPool.Put(bp)
		return result{}, c.Err()
	}
	id, err := c.register(cl)
	if err != nil {
		<-c.writeSem
		bufPool.Put(bp)
		return result{}, err
	}
	binary.BigEndian.PutUint32(frame[8:], uint32(id)) // after size, key, version
	if c.cfg.OnFrame != nil {
		c.cfg.OnFrame(Sent, key, v, frame)
	}
	c.lastActive.Store(time.Now().UnixNano())
	n, werr := c.write(ctx, frame)
	<-c.writeSem
	*bp = frame[:0]
	if cap(frame) <= 1<<20 {
		bufPool.Put(bp)
	}
	if werr != nil {
		if n == 0 && !c.isTLS && ctx.Err() != nil {
			// Nothing reached the socket: the stream is intact.
			c.unregister(id)
			return result{}, ctx.Err()
		}
		c.fail("write", werr)
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

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

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

// longAgo is a deadline in the past, to interrupt a blocked write.
var longAgo = time.Unix(1, 0)

// write writes frame, interrupting the write if ctx ends while it blocks.
func (c *Conn) write(ctx context.Context, frame []byte) (int, error) {
	if ctx.Done() == nil {
		return c.nc.Write(frame)
	}
	var mu sync.Mutex
	finished := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		if !finished {
			c.nc.SetWriteDeadline(longAgo)
		}
		mu.Unlock()
	})
	n, err := c.nc.Write(frame)
	if !stop() {
		mu.Lock()
		finished = true
		c.nc.SetWriteDeadline(time.Time{})
		mu.Unlock()
	}
	return n, err
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
	if cause == ErrClosed {
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

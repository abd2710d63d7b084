package conn

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// readChunk is how much of a large frame is allocated before its bytes have
// arrived, until the peer has answered a request beyond Dial's (a frame
// carrying the correlation id of one in flight, after ApiVersions and SASL):
// a peer that claims a large size and then stops costs at most twice what it
// actually sent. After that, frames are allocated whole, as the size prefix
// says (it is within the maximum response size): growing a 50 MiB Fetch
// response by doubling allocated twice its size and copied it once more.
const readChunk = 1 << 20

// readLoop reads response frames and hands each to the request with its
// correlation id, until the connection fails.
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	br := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		frame, err := c.readFrame(br)
		if err != nil {
			c.fail("read", err)
			return
		}
		id, _ := protocol.PeekCorrelationID(frame[4:])
		c.mu.Lock()
		cl := c.pending[id]
		delete(c.pending, id)
		if cl != nil && !setupKey(cl.key) {
			c.answered++
		}
		inFlight := len(c.pending)
		c.mu.Unlock()
		if cl == nil {
			if c.Err() != nil {
				return // closed meanwhile; pending was cleared
			}
			c.fail("read", diagnose(fmt.Sprintf("response with correlation id %d (bytes % x) matches no request in flight (%d in flight); is this a Kafka broker?",
				id, frame[4:8], inFlight), ErrNotKafka))
			return
		}
		c.lastActive.Store(time.Now().UnixNano())
		if c.cfg.OnFrame != nil {
			c.cfg.OnFrame(Received, cl.key, cl.version, frame)
		}
		_, body, err := protocol.ParseResponseHeader(frame[4:], cl.key, cl.version)
		if err != nil {
			// Framing is intact, so only this request fails.
			err = fmt.Errorf("conn: broker at %s: %w", c.addr, err)
		}
		cl.done <- result{frame: frame, body: body, err: err}
	}
}

// readFrame reads one frame, returning it with its 4-byte size prefix. The
// size is checked against the limit (and against what Kafka brokers send)
// before anything is allocated, and allocated as readChunk explains.
func (c *Conn) readFrame(br *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, c.readErr(err, n, 0)
	}
	size := int32(binary.BigEndian.Uint32(hdr[:]))
	if err := diagnoseSize(hdr, size, c.maxResp); err != nil {
		return nil, err
	}
	want := 4 + int(size)
	c.mu.Lock()
	trusted := c.answered > 0
	c.mu.Unlock()
	first := want
	if !trusted {
		first = min(want, 4+readChunk)
	}
	buf := make([]byte, 4, first)
	copy(buf, hdr[:])
	for len(buf) < want {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(want, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := io.ReadFull(br, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return nil, c.readErr(err, len(buf), want)
		}
	}
	return buf, nil
}

func (c *Conn) readErr(err error, got, want int) error {
	c.mu.Lock()
	answered, inFlight := c.answered, len(c.pending)
	c.mu.Unlock()
	return diagnoseRead(err, got, want, answered, inFlight)
}

// setupKey reports whether k is one of the requests Dial sends, which
// brokers answer on any listener before authentication.
func setupKey(k protocol.APIKey) bool {
	return k == protocol.KeyApiVersions || k == protocol.KeySaslHandshake || k == protocol.KeySaslAuthenticate
}

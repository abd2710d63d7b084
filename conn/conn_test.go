package conn

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func dial(t *testing.T, addr string, cfg Config) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func handshakeReq(mech string) *protocol.SaslHandshakeRequest {
	return &protocol.SaslHandshakeRequest{Mechanism: mech}
}

func TestDialSendsApiVersionsV5(t *testing.T) {
	got := make(chan []byte, 1)
	fb := newFake(t, func(f *fakeConn) {
		r, ok := f.read()
		if !ok {
			return
		}
		got <- r.raw
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: fakeVersions, FinalizedFeaturesEpoch: -1})
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	want := []byte{
		0, 0, 0, 40, // size
		0, 18, 0, 5, // ApiVersions v5
		0, 0, 0, 1, // correlation id 1
		0, 8, 'r', 'a', 'w', 'k', 'a', 'f', 'k', 'a', // client id, int16 length
		0,                                         // header tags
		9, 'r', 'a', 'w', 'k', 'a', 'f', 'k', 'a', // ClientSoftwareName, compact
		6, '0', '.', '1', '.', '0', // ClientSoftwareVersion, compact
		0,                      // ClusterId null: no node named (KIP-1242)
		0xff, 0xff, 0xff, 0xff, // NodeId -1
		0, // body tags
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("ApiVersions request\n got % x\nwant % x", b, want)
	}
	for _, tc := range []struct {
		key  protocol.APIKey
		want int16
		ok   bool
	}{{protocol.KeyMetadata, 12, true}, {protocol.KeyApiVersions, 4, true}, {protocol.KeyFetch, 0, false}} {
		if v, ok := c.Version(tc.key); v != tc.want || ok != tc.ok {
			t.Errorf("Version(%s) = %d, %v; want %d, %v", tc.key, v, ok, tc.want, tc.ok)
		}
	}
}

func TestDoUnsupportedAPI(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		r, ok := f.read()
		if !ok {
			return
		}
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: []protocol.ApiVersionsKey{{ApiKey: 18, MaxVersion: 4}, {ApiKey: 17, MaxVersion: 1}}})
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	_, err := c.Do(context.Background(), &protocol.SaslAuthenticateRequest{})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "the broker serves no version of it") {
		t.Fatalf("unsupported API: %v", err)
	}
	_, err = c.RoundTrip(context.Background(), &protocol.SaslHandshakeRequest{Version: 5})
	if err == nil || !strings.Contains(err.Error(), "does not support SaslHandshake v5") {
		t.Fatalf("pinned v5: %v", err)
	}
	if c.Err() != nil {
		t.Fatalf("a per-request error killed the connection: %v", c.Err())
	}
}

func TestApiVersionsFallback(t *testing.T) {
	versions := make(chan int16, 2)
	fb := newFake(t, func(f *fakeConn) {
		r, ok := f.read()
		if !ok {
			return
		}
		versions <- r.header.APIVersion
		// An old broker: UNSUPPORTED_VERSION in a v0 body, ApiVersions 0-2.
		f.Write([]byte{0, 0, 0, 16, 0, 0, 0, 1, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 2})
		r, ok = f.read()
		if !ok {
			return
		}
		versions <- r.header.APIVersion
		f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: []protocol.ApiVersionsKey{{ApiKey: 18, MaxVersion: 2}, {ApiKey: 3, MaxVersion: 8}}})
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	if a, b := <-versions, <-versions; a != maxApiVersions || b != 2 {
		t.Fatalf("asked v%d then v%d, want v%d then v2", a, b, maxApiVersions)
	}
	if v, _ := c.Version(protocol.KeyMetadata); v != 8 {
		t.Fatalf("Metadata version %d, want 8", v)
	}
}

// TestPipeliningOutOfOrder answers 100 requests in reverse order; each
// caller must get its own response.
func TestPipeliningOutOfOrder(t *testing.T) {
	const n = 100
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		var reqs []request
		for len(reqs) < n {
			r, ok := f.read()
			if !ok {
				return
			}
			reqs = append(reqs, r)
		}
		for i := len(reqs) - 1; i >= 0; i-- {
			f.reply(reqs[i], echo(reqs[i]))
		}
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mech := fmt.Sprintf("M%d", i)
			resp, err := c.Do(context.Background(), handshakeReq(mech))
			if err != nil {
				t.Error(err)
				return
			}
			if got := resp.(*protocol.SaslHandshakeResponse).Mechanisms; len(got) != 1 || got[0] != mech {
				t.Errorf("request %s got the response for %v", mech, got)
			}
		}()
	}
	wg.Wait()
}

func TestContextCancelDropsLateResponse(t *testing.T) {
	release := make(chan struct{})
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		slow, ok := f.read()
		if !ok {
			return
		}
		<-release
		f.reply(slow, echo(slow)) // late: its caller has gone
		next, ok := f.read()
		if !ok {
			return
		}
		f.reply(next, echo(next))
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, handshakeReq("slow"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Do returned after %v", d)
	}
	close(release)
	resp, err := c.Do(context.Background(), handshakeReq("next"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.(*protocol.SaslHandshakeResponse).Mechanisms[0]; got != "next" {
		t.Fatalf("got the response for %q", got)
	}
	if c.Err() != nil || c.InFlight() != 0 {
		t.Fatalf("after a dropped response: err %v, in flight %d", c.Err(), c.InFlight())
	}
}

func TestCanceledBeforeSend(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		if f.handshake() {
			f.read()
		}
	})
	c := dial(t, fb.addr, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, handshakeReq("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestDeadSocketFailsAllWaiters(t *testing.T) {
	const n = 20
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		for range n {
			if _, ok := f.read(); !ok {
				return
			}
		}
		f.Close() // the broker dies with n requests in flight
	})
	c := dial(t, fb.addr, Config{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.Do(context.Background(), handshakeReq(fmt.Sprint(i)))
			errs <- err
		}()
	}
	var first error
	for range n {
		select {
		case err := <-errs:
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "broker closed the connection") {
				t.Fatalf("err = %v, want a *Error wrapping io.EOF", err)
			}
			if first == nil {
				first = err
			} else if err != first {
				t.Fatalf("waiters got different errors: %v / %v", first, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a waiter was not failed")
		}
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done not closed")
	}
	if _, err := c.Do(context.Background(), handshakeReq("after")); err != first {
		t.Fatalf("request after death: %v", err)
	}
}

func TestIdleClose(t *testing.T) {
	hold := make(chan struct{})
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		r, ok := f.read()
		if !ok {
			return
		}
		<-hold
		f.reply(r, echo(r))
		f.read()
	})
	c := dial(t, fb.addr, Config{IdleTimeout: 50 * time.Millisecond})
	done := make(chan error)
	go func() {
		_, err := c.Do(context.Background(), handshakeReq("busy"))
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // a request is in flight: not idle
	if err := c.Err(); err != nil {
		t.Fatalf("closed with a request in flight: %v", err)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("not closed when idle")
	}
	if err := c.Err(); !errors.Is(err, ErrIdle) {
		t.Fatalf("Err = %v, want ErrIdle", err)
	}
}

func TestClose(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		if f.handshake() {
			f.read()
			f.read()
		}
	})
	c := dial(t, fb.addr, Config{})
	errc := make(chan error)
	go func() {
		_, err := c.Do(context.Background(), handshakeReq("x"))
		errc <- err
	}()
	for c.InFlight() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// allocated returns the bytes the heap grew by while fn ran.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestBadPeers dials peers that are not Kafka brokers, or broken ones, and
// checks each error names the likely cause without allocating what the peer
// claims.
func TestBadPeers(t *testing.T) {
	cases := []struct {
		name  string
		reply []byte // written after the first request arrives
		close bool   // close after writing
		cfg   Config
		is    error
		want  string
	}{
		{"http", []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), true, Config{},
			ErrNotKafka, "answered like an HTTP server"},
		{"tls alert", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50}, true, Config{},
			ErrNotKafka, "is this a TLS listener"},
		{"random", []byte{0x00, 0x00, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}, false, Config{},
			ErrNotKafka, "matches no request in flight"},
		{"random text", []byte("SSH-2.0-OpenSSH_9.6\r\n"), false, Config{},
			ErrNotKafka, "answered with text"},
		{"2 GB size", []byte{0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1}, false, Config{},
			ErrResponseTooLarge, "above the 104857600-byte limit"},
		{"negative size", []byte{0xff, 0xff, 0xff, 0xff}, false, Config{},
			ErrNotKafka, "too short"},
		{"over the configured limit", append([]byte{0, 0, 0x10, 0}, make([]byte, 4096)...), false, Config{MaxResponseSize: 1000},
			ErrResponseTooLarge, "above the 1000-byte limit"},
		{"closes mid-frame", []byte{0x03, 0x00, 0x00, 0x00, 0, 0, 0, 1, 0, 0}, true, Config{},
			io.ErrUnexpectedEOF, "mid-response (10 of 50331652 bytes read)"},
		{"closes mid-size", []byte{0x00, 0x00}, true, Config{},
			io.ErrUnexpectedEOF, "2 bytes of a 4-byte size prefix"},
		{"closes at once", nil, true, Config{},
			io.EOF, "has not answered a request yet"},
		{"unknown correlation id", []byte{0, 0, 0, 6, 0, 0, 0, 9, 0, 0}, false, Config{},
			ErrNotKafka, "correlation id 9"},
		{"garbage body", []byte{0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0xff}, false, Config{},
			ErrNotKafka, "does not decode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFake(t, func(f *fakeConn) {
				if _, ok := f.read(); !ok {
					return
				}
				f.Write(tc.reply)
				if !tc.close {
					f.read()
				}
			})
			var err error
			n := allocated(func() { _, err = Dial(context.Background(), fb.addr, tc.cfg) })
			var ce *Error
			if !errors.As(err, &ce) || ce.Broker != fb.addr {
				t.Fatalf("err = %#v, want a *Error naming the broker", err)
			}
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fb.addr) {
				t.Fatalf("err = %v\nwant errors.Is %v and text %q", err, tc.is, tc.want)
			}
			if n > 2<<20 {
				t.Fatalf("allocated %d bytes", n)
			}
			t.Log(err)
		})
	}
}

func TestResponseForOtherRequestAfterConnectIsFatal(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		r, ok := f.read()
		if !ok {
			return
		}
		r.header.CorrelationID += 1000
		f.reply(r, echo(r))
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	_, err := c.Do(context.Background(), handshakeReq("x"))
	if !errors.Is(err, ErrNotKafka) || !strings.Contains(err.Error(), "matches no request") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeErrorConcernsOneRequest(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		r, _ := f.read()
		f.Write([]byte{0, 0, 0, 6, 0, 0, 0, byte(r.header.CorrelationID), 0, 0}) // body cut short
		r, _ = f.read()
		f.reply(r, echo(r))
		f.read()
	})
	c := dial(t, fb.addr, Config{})
	if _, err := c.Do(context.Background(), handshakeReq("a")); err == nil || errors.As(err, new(*Error)) {
		t.Fatalf("err = %v, want a per-request decode error", err)
	}
	if _, err := c.Do(context.Background(), handshakeReq("b")); err != nil {
		t.Fatalf("connection unusable after a decode error: %v", err)
	}
}

func TestOnFrameSeesExactBytes(t *testing.T) {
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		r, _ := f.read()
		f.Write([]byte{0, 0, 0, 13, 0, 0, 0, byte(r.header.CorrelationID), 0, 0, 0, 0, 0, 1, 0, 1, 'P'})
		f.read()
	})
	var mu sync.Mutex
	var frames []string
	c := dial(t, fb.addr, Config{ClientID: "c", OnFrame: func(d Direction, k protocol.APIKey, v int16, b []byte) {
		mu.Lock()
		frames = append(frames, fmt.Sprintf("%s %s v%d % x", d, k, v, b))
		mu.Unlock()
	}})
	if _, err := c.Do(context.Background(), handshakeReq("P")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"sent SaslHandshake v1 00 00 00 0e 00 11 00 01 00 00 00 02 00 01 63 00 01 50",
		"received SaslHandshake v1 00 00 00 0d 00 00 00 02 00 00 00 00 00 01 00 01 50",
	}
	if len(frames) != 4 || frames[2] != want[0] || frames[3] != want[1] {
		t.Fatalf("frames:\n%s\nwant (last two):\n%s", strings.Join(frames, "\n"), strings.Join(want, "\n"))
	}
}

// TestBrokerStopsReading queues a request larger than the socket buffers to
// a broker that never reads: the caller's context still ends the call at
// once, and the write timeout then kills the connection.
func TestBrokerStopsReading(t *testing.T) {
	stop := make(chan struct{})
	fb := newFake(t, func(f *fakeConn) {
		if f.handshake() {
			<-stop
		}
	})
	defer close(stop)
	c := dial(t, fb.addr, Config{WriteTimeout: 2 * time.Second})
	big := &protocol.SaslAuthenticateRequest{Version: 2, AuthBytes: make([]byte, 16<<20)}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.RoundTrip(ctx, big); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("caller returned after %v", d)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck write did not kill the connection")
	}
	if err := c.Err(); !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "write") {
		t.Fatalf("Err = %v", err)
	}
}

func TestDialRefusedIsNetError(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, err := Dial(context.Background(), addr, Config{})
	var ce *Error
	var ne net.Error
	if !errors.As(err, &ce) || ce.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) || !errors.As(err, &ne) {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "broker at "+addr) {
		t.Fatalf("err = %v", err)
	}
}

// TestLargeFrameFromAnsweringPeer: once the broker has answered a request,
// a large frame is allocated whole, not grown by doubling (which allocated
// about twice the frame and copied it about once more).
func TestLargeFrameFromAnsweringPeer(t *testing.T) {
	const size = 8 << 20
	big := make([]byte, 8+size) // made here, outside the allocations measured
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		// Raw frames: RoundTrip hands back bodies undecoded.
		send := func(frame []byte) bool {
			r, ok := f.read()
			if !ok {
				return false
			}
			binary.BigEndian.PutUint32(frame, uint32(len(frame)-4))
			binary.BigEndian.PutUint32(frame[4:], uint32(r.header.CorrelationID))
			f.Write(frame)
			return true
		}
		if send(make([]byte, 8+16)) && send(big) {
			f.read()
		}
	})
	c := dial(t, fb.addr, Config{})
	req := &protocol.MetadataRequest{Version: 8}
	if _, err := c.RoundTrip(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var body []byte
	var err error
	n := allocated(func() { body, err = c.RoundTrip(context.Background(), req) })
	if err != nil || len(body) != size {
		t.Fatalf("%d bytes, %v", len(body), err)
	}
	if n > size+size/4 {
		t.Fatalf("allocated %d bytes for a %d-byte frame", n, size)
	}
}

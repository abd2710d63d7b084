// Package fakebroker holds what the tests' scripted brokers share: the
// loop that reads Kafka requests from a connection and writes the answers a
// test chooses. Scripted brokers stand in for Kafka only for the error
// paths a real broker rarely shows.
package fakebroker

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// Serve reads request frames from nc, decodes each, and writes back the
// response handle returns, at the request's version and under its
// correlation id, until the client goes away or handle returns nil (the
// broker hangs up). A request or response that does not code is a test
// error.
func Serve(t testing.TB, nc net.Conn, handle func(protocol.Request) protocol.Response) {
	for {
		var size [4]byte
		if _, err := io.ReadFull(nc, size[:]); err != nil {
			return
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(nc, frame); err != nil {
			return
		}
		var h protocol.RequestHeader
		body, err := h.Decode(frame)
		if err != nil {
			t.Errorf("fake broker: %v", err)
			return
		}
		req := protocol.NewRequest(h.APIKey, h.APIVersion)
		if err := req.Decode(body); err != nil {
			t.Errorf("fake broker: %s v%d: %v", h.APIKey, h.APIVersion, err)
			return
		}
		resp := handle(req)
		if resp == nil {
			return
		}
		resp.SetAPIVersion(h.APIVersion)
		out, err := protocol.AppendResponse(nil, h.CorrelationID, resp)
		if err != nil {
			t.Errorf("fake broker: encode %s: %v", h.APIKey, err)
			return
		}
		if _, err := nc.Write(out); err != nil {
			return
		}
	}
}

// Listener is a scripted broker's listener on 127.0.0.1, closed when the
// test ends (which also waits for its connections to be served out).
type Listener struct {
	net.Listener
	t  testing.TB
	wg sync.WaitGroup
}

// Listen opens a Listener on a free port of 127.0.0.1.
func Listen(t testing.TB) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &Listener{Listener: ln, t: t}
	t.Cleanup(func() { ln.Close(); l.wg.Wait() })
	return l
}

// Port is the port the Listener listens on, for the broker addresses a
// scripted Metadata answer gives.
func (l *Listener) Port() int32 {
	return int32(l.Addr().(*net.TCPAddr).Port)
}

// Serve accepts connections in the background and runs Serve with handle
// on each, until the test ends.
func (l *Listener) Serve(handle func(protocol.Request) protocol.Response) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			l.wg.Add(1)
			go func() { defer l.wg.Done(); defer nc.Close(); Serve(l.t, nc, handle) }()
		}
	}()
}

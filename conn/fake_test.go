package conn

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// fakeBroker is a scripted broker on 127.0.0.1: each accepted connection runs
// script, which reads requests and writes exact bytes.
type fakeBroker struct {
	t    *testing.T
	ln   net.Listener
	wg   sync.WaitGroup
	addr string
}

func newFake(t *testing.T, script func(f *fakeConn)) *fakeBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fb := &fakeBroker{t: t, ln: ln, addr: ln.Addr().String()}
	fb.wg.Add(1)
	go func() {
		defer fb.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			fb.wg.Add(1)
			go func() {
				defer fb.wg.Done()
				defer nc.Close()
				script(&fakeConn{t: t, Conn: nc})
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); fb.wg.Wait() })
	return fb
}

type fakeConn struct {
	net.Conn
	t *testing.T
}

// request is one request as the fake read it.
type request struct {
	raw    []byte // the whole frame, size included
	header protocol.RequestHeader
	body   []byte
}

// read reads one request frame; ok is false when the client went away.
func (f *fakeConn) read() (request, bool) {
	var size [4]byte
	f.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(f, size[:]); err != nil {
		return request{}, false
	}
	raw := make([]byte, 4+binary.BigEndian.Uint32(size[:]))
	copy(raw, size[:])
	if _, err := io.ReadFull(f, raw[4:]); err != nil {
		return request{}, false
	}
	var r request
	r.raw = raw
	body, err := r.header.Decode(raw[4:])
	if err != nil {
		f.t.Errorf("fake broker: bad request header: %v", err)
		return request{}, false
	}
	r.body = body
	return r, true
}

// reply writes resp as the response to r, at r's version.
func (f *fakeConn) reply(r request, resp protocol.Message) {
	resp.SetAPIVersion(r.header.APIVersion)
	b, err := protocol.AppendResponse(nil, r.header.CorrelationID, resp)
	if err != nil {
		f.t.Errorf("fake broker: encode %s: %v", resp.Key(), err)
	}
	f.Write(b)
}

// fakeVersions is what the fake broker says it serves.
var fakeVersions = []protocol.ApiVersionsKey{
	{ApiKey: 3, MinVersion: 0, MaxVersion: 12},
	{ApiKey: 17, MinVersion: 0, MaxVersion: 1},
	{ApiKey: 18, MinVersion: 0, MaxVersion: 4},
	{ApiKey: 36, MinVersion: 0, MaxVersion: 2},
}

// handshake answers the ApiVersions request every connection starts with.
func (f *fakeConn) handshake() bool {
	r, ok := f.read()
	if !ok {
		return false
	}
	if r.header.APIKey != protocol.KeyApiVersions {
		f.t.Errorf("fake broker: first request is %s, want ApiVersions", r.header.APIKey)
		return false
	}
	f.reply(r, &protocol.ApiVersionsResponse{ApiKeys: fakeVersions, FinalizedFeaturesEpoch: -1})
	return true
}

// echo answers SaslHandshake requests with their mechanism as the only one
// listed, so a test can tell which response went to which request.
func echo(r request) *protocol.SaslHandshakeResponse {
	req := &protocol.SaslHandshakeRequest{Version: r.header.APIVersion}
	req.Decode(r.body)
	return &protocol.SaslHandshakeResponse{Mechanisms: []string{req.Mechanism}}
}

package fuzz

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// hostileBroker answers requests on c from script: for each request frame it
// reads, it takes the next segment of script (a uint16 length, then that many
// bytes) and sends it as a response body under the request's correlation id.
// When the script runs out it sends what is left as raw bytes and hangs up.
func hostileBroker(c net.Conn, script []byte) {
	defer c.Close()
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		req := make([]byte, min(binary.BigEndian.Uint32(hdr[:]), 1<<20))
		if _, err := io.ReadFull(c, req); err != nil || len(req) < 8 {
			return
		}
		if len(script) < 2 {
			c.Write(script)
			return
		}
		n := min(int(binary.BigEndian.Uint16(script)), len(script)-2)
		seg := script[2 : 2+n]
		script = script[2+n:]
		frame := binary.BigEndian.AppendUint32(nil, uint32(4+len(seg)))
		frame = append(frame, req[4:8]...) // the correlation id
		if _, err := c.Write(append(frame, seg...)); err != nil {
			return
		}
	}
}

// segment frames body as one script segment.
func segment(body []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...)
}

// fixtureResponseBody returns the body of a captured response frame.
func fixtureResponseBody(f *testing.F, name string, key protocol.APIKey, v int16) []byte {
	frame, err := os.ReadFile("../testdata/fixtures/" + name)
	if err != nil {
		f.Fatal(err)
	}
	_, body, err := protocol.ParseResponseHeader(frame[4:], key, v)
	if err != nil {
		f.Fatal(err)
	}
	return body
}

// FuzzHostileBroker runs a connection (ApiVersions negotiation, then a
// Metadata request) against a broker whose answers are fuzzer-chosen bytes.
// Whatever the broker says, Dial and Do must return (an error or a response)
// before their deadline, without panicking and without allocating more than
// the connection's maximum response size.
func FuzzHostileBroker(f *testing.F) {
	apiVersions := fixtureResponseBody(f, "kafka-4.1.1/ApiVersions-v4-response.bin", protocol.KeyApiVersions, 4)
	metadata := fixtureResponseBody(f, "kafka-4.1.1/Metadata-v13-response.bin", protocol.KeyMetadata, 13)
	f.Add(append(segment(apiVersions), segment(metadata)...))
	f.Add(segment(apiVersions))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, script []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cfg := conn.Config{
			MaxResponseSize: 1 << 20,
			Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
				client, server := net.Pipe()
				go hostileBroker(server, script)
				return client, nil
			},
		}
		c, err := conn.Dial(ctx, "hostile:9092", cfg)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("Dial did not return before its deadline: %v", err)
			}
			return
		}
		defer c.Close()
		if _, err := c.Do(ctx, &protocol.MetadataRequest{}); err != nil && ctx.Err() != nil {
			t.Fatalf("Do did not return before its deadline: %v", err)
		}
	})
}

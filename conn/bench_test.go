package conn_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// fastBroker answers ApiVersions and then every request with one prebuilt
// Metadata v12 response, as fast as it can: it reads with a buffer and
// flushes when no more requests are buffered.
func fastBroker(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	versions, _ := protocol.AppendResponse(nil, 0, &protocol.ApiVersionsResponse{Version: 4, FinalizedFeaturesEpoch: -1,
		ApiKeys: []protocol.ApiVersionsKey{{ApiKey: 18, MaxVersion: 4}, {ApiKey: 3, MaxVersion: 12}}})
	id, host, rack := "bench", "127.0.0.1", "r"
	md, _ := protocol.AppendResponse(nil, 0, &protocol.MetadataResponse{Version: 12, ClusterId: &id, ControllerId: 1,
		ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
		Brokers:                     []protocol.MetadataResponseBroker{{NodeId: 1, Host: host, Port: 9092, Rack: &rack}},
		Topics:                      []protocol.MetadataResponseTopic{}})
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				br := bufio.NewReaderSize(nc, 64<<10)
				bw := bufio.NewWriterSize(nc, 64<<10)
				buf := make([]byte, 0, 1024)
				for {
					var size [4]byte
					if _, err := io.ReadFull(br, size[:]); err != nil {
						return
					}
					n := int(binary.BigEndian.Uint32(size[:]))
					if cap(buf) < n {
						buf = make([]byte, n)
					}
					buf = buf[:n]
					if _, err := io.ReadFull(br, buf); err != nil {
						return
					}
					resp := md
					if binary.BigEndian.Uint16(buf) == uint16(protocol.KeyApiVersions) {
						resp = versions
					}
					copy(resp[4:8], buf[4:8]) // correlation id
					bw.Write(resp)
					if br.Buffered() == 0 {
						bw.Flush()
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// benchInFlight runs b.N requests through c with `inFlight` callers at once.
func benchInFlight(b *testing.B, c *conn.Conn, inFlight int, newReq func() protocol.Request) {
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	b.ResetTimer()
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := newReq()
			for next.Add(1) <= int64(b.N) {
				if _, err := c.Do(ctx, req); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func metadataNoTopics() protocol.Request {
	return &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}, AllowAutoTopicCreation: true}
}

func BenchmarkRoundTrip100InFlight(b *testing.B) {
	b.Run("fake", func(b *testing.B) {
		c, err := conn.Dial(context.Background(), fastBroker(b), conn.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		benchInFlight(b, c, 100, metadataNoTopics)
	})
	b.Run("fake/1-in-flight", func(b *testing.B) {
		c, err := conn.Dial(context.Background(), fastBroker(b), conn.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		benchInFlight(b, c, 1, metadataNoTopics)
	})
	for _, api := range []string{"ApiVersions", "Metadata"} {
		b.Run("kafka/"+api, func(b *testing.B) {
			addr, _, _ := strings.Cut(kafkatest.Brokers(b), ",")
			c, err := conn.Dial(context.Background(), addr, conn.Config{})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			newReq := metadataNoTopics
			if api == "ApiVersions" {
				newReq = func() protocol.Request {
					return &protocol.ApiVersionsRequest{ClientSoftwareName: conn.SoftwareName, ClientSoftwareVersion: conn.SoftwareVersion}
				}
			}
			benchInFlight(b, c, 100, newReq)
		})
	}
}

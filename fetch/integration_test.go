package fetch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestIntegrationSessionClosedAtClose: on the real broker, the fetch session
// the Fetcher used answers a probe with the wrong epoch while the Fetcher
// runs (INVALID_FETCH_SESSION_EPOCH: the broker holds it), and the same
// probe after Close finds no session (FETCH_SESSION_ID_NOT_FOUND): Close
// freed the broker's cache slot.
func TestIntegrationSessionClosedAtClose(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.Produce(t, brokers, topic, kafkatest.Record{Key: []byte("k"), Value: []byte("v1")},
		kafkatest.Record{Key: []byte("k"), Value: []byte("v2")})
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: []string{brokers}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	f, err := New(cl, Config{MinBytes: 1, MaxWait: 100 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Add(map[protocol.TopicPartition]Start{{Topic: topic, Partition: 0}: StartEarliest})
	rs, errs := pollUntil(t, f, 2, 0)
	if len(errs) > 0 || len(rs) != 2 {
		t.Fatalf("polled %v, errors %v", rs, errs)
	}
	var leader, id int32
	waitFor(t, "an incremental session", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for b, l := range f.loops {
			if l.sess.id != 0 && l.sess.epoch > 1 {
				leader, id = b, l.sess.id
				return true
			}
		}
		return false
	})

	probe := func() error {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cn, err := cl.Broker(ctx, leader)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := cn.Version(protocol.KeyFetch)
		req := protocol.NewFetchRequest(v)
		req.SessionId, req.SessionEpoch = id, 1<<30
		resp, err := cn.DoPinned(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return protocol.ErrorForCode(resp.(*protocol.FetchResponse).ErrorCode)
	}
	if err := probe(); !errors.Is(err, protocol.ErrInvalidFetchSessionEpoch) {
		t.Fatalf("probe of session %d while fetching: %v, want INVALID_FETCH_SESSION_EPOCH", id, err)
	}
	f.Close()
	if err := probe(); !errors.Is(err, protocol.ErrFetchSessionIdNotFound) {
		t.Fatalf("probe of session %d after Close: %v, want FETCH_SESSION_ID_NOT_FOUND", id, err)
	}
	if m := f.Metrics(); m.SessionsClosed != 1 {
		t.Fatalf("SessionsClosed = %d, want 1", m.SessionsClosed)
	}
}

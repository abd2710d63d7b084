package conn_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
	"github.com/rawkafka/rawkafka/protocol"
)

func dialReal(t *testing.T, addr string, cfg conn.Config) *conn.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := conn.Dial(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func firstAddr(list string) string { a, _, _ := strings.Cut(list, ","); return a }

// checkMetadata asks for every topic and checks the answer looks like a cluster.
func checkMetadata(t *testing.T, c *conn.Conn) *protocol.MetadataResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, &protocol.MetadataRequest{AllowAutoTopicCreation: true})
	if err != nil {
		t.Fatal(err)
	}
	md := resp.(*protocol.MetadataResponse)
	if len(md.Brokers) == 0 || md.ClusterId == nil || *md.ClusterId == "" {
		t.Fatalf("metadata v%d without brokers or cluster id: %+v", md.Version, md)
	}
	return md
}

func TestIntegrationApiVersionsAndMetadata(t *testing.T) {
	c := dialReal(t, firstAddr(kafkatest.Brokers(t)), conn.Config{})
	// v5 from Kafka 4.4 on (KIP-1242), v4 before.
	_, served, _ := c.BrokerVersions(protocol.KeyApiVersions)
	if v, ok := c.Version(protocol.KeyApiVersions); !ok || v != min(served, 5) || v < 4 {
		t.Errorf("ApiVersions version %d, %v; want %d", v, ok, min(served, 5))
	}
	for _, k := range protocol.Keys() {
		v, ok := c.Version(k)
		lo, hi, bok := c.BrokerVersions(k)
		t.Logf("%-24s broker v%d-%d (%v)  use v%d (%v)", k, lo, hi, bok, v, ok)
	}
	v, ok := c.Version(protocol.KeyMetadata)
	if !ok || v < 12 {
		t.Fatalf("Metadata version %d, %v; want 12+", v, ok)
	}
	md := checkMetadata(t, c)
	if md.Version != v {
		t.Fatalf("Metadata answered at v%d, negotiated v%d", md.Version, v)
	}
	t.Logf("cluster %s, controller %d, %d brokers, %d topics", *md.ClusterId, md.ControllerId, len(md.Brokers), len(md.Topics))
}

func TestIntegrationPipelinedMetadata(t *testing.T) {
	c := dialReal(t, firstAddr(kafkatest.Brokers(t)), conn.Config{})
	errs := make(chan error, 50)
	for range 50 {
		go func() {
			_, err := c.Do(context.Background(), &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{}, AllowAutoTopicCreation: true})
			errs <- err
		}()
	}
	for range 50 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestIntegrationTLS(t *testing.T) {
	addr, tc := kafkatest.TLSBrokers(t)
	c := dialReal(t, firstAddr(addr), conn.Config{TLS: tc})
	checkMetadata(t, c)
}

func TestIntegrationSASL(t *testing.T) {
	addr := firstAddr(kafkatest.SASLBrokers(t))
	e := kafkatest.Get(t)
	for _, tc := range []struct {
		mech string
		cred kafkatest.Credentials
	}{
		{conn.MechanismPlain, e.Plain},
		{conn.MechanismScramSHA256, e.Scram256},
		{conn.MechanismScramSHA512, e.Scram512},
	} {
		t.Run(tc.mech, func(t *testing.T) {
			c := dialReal(t, addr, conn.Config{SASL: &conn.SASL{Mechanism: tc.mech, Username: tc.cred.User, Password: tc.cred.Password}})
			checkMetadata(t, c)
		})
		t.Run(tc.mech+"/wrong password", func(t *testing.T) {
			_, err := conn.Dial(context.Background(), addr, conn.Config{SASL: &conn.SASL{Mechanism: tc.mech, Username: tc.cred.User, Password: "wrong"}})
			var ce *conn.Error
			if !errors.As(err, &ce) || !errors.Is(err, conn.ErrAuth) || !errors.Is(err, protocol.ErrSaslAuthenticationFailed) {
				t.Fatalf("err = %v, want an authentication *conn.Error", err)
			}
			if !strings.Contains(err.Error(), tc.mech) || !strings.Contains(err.Error(), "the broker said") {
				t.Fatalf("error does not name the mechanism and the broker's message: %v", err)
			}
			t.Log(err)
		})
	}
}

// TestIntegrationWrongListener speaks the wrong security protocol to each
// listener and checks the error points at the cause.
func TestIntegrationWrongListener(t *testing.T) {
	plain := firstAddr(kafkatest.Brokers(t))
	sslAddr, tc := kafkatest.TLSBrokers(t)
	sslAddr = firstAddr(sslAddr)
	saslAddr := firstAddr(kafkatest.SASLBrokers(t))
	e := kafkatest.Get(t)
	ctx := context.Background()

	t.Run("plaintext to the TLS port", func(t *testing.T) {
		_, err := conn.Dial(ctx, sslAddr, conn.Config{ConnectTimeout: 10 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "TLS") {
			t.Fatalf("err = %v, want a hint about TLS", err)
		}
		t.Log(err)
	})
	t.Run("TLS to the plaintext port", func(t *testing.T) {
		_, err := conn.Dial(ctx, plain, conn.Config{TLS: tc, ConnectTimeout: 10 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "TLS listener") {
			t.Fatalf("err = %v, want a hint about TLS", err)
		}
		t.Log(err)
	})
	t.Run("SASL to the plaintext port", func(t *testing.T) {
		_, err := conn.Dial(ctx, plain, conn.Config{SASL: &conn.SASL{Mechanism: conn.MechanismPlain, Username: e.Plain.User, Password: e.Plain.Password}})
		if !errors.Is(err, conn.ErrAuth) || !strings.Contains(err.Error(), "SASL listener") {
			t.Fatalf("err = %v, want a hint about the SASL listener", err)
		}
		t.Log(err)
	})
	t.Run("no SASL to the SASL port", func(t *testing.T) {
		c, err := conn.Dial(ctx, saslAddr, conn.Config{})
		if err == nil {
			defer c.Close()
			_, err = c.Do(ctx, &protocol.MetadataRequest{AllowAutoTopicCreation: true})
		}
		if err == nil || !strings.Contains(err.Error(), "security protocol") {
			t.Fatalf("err = %v, want a hint about the security protocol", err)
		}
		t.Log(err)
	})
}

func TestIntegrationCluster(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 3, 1)
	kafkatest.Produce(t, brokers, topic, kafkatest.Record{Key: []byte("k"), Value: []byte("v"), Partition: 2})

	c, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(brokers, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	md, err := c.Metadata(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	tp := md.Topics[topic]
	if tp == nil || tp.Err != nil || len(tp.Partitions) != 3 || tp.ID.IsZero() {
		t.Fatalf("topic %s: %+v", topic, tp)
	}
	for p := int32(0); p < 3; p++ {
		cn, part, err := c.Leader(ctx, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		if part.LeaderEpoch < 0 || len(part.ISR) == 0 || cn.Err() != nil {
			t.Fatalf("partition %d: %+v", p, part)
		}
	}
	if md.ClusterID == "" || md.ControllerID < 0 {
		t.Fatalf("cluster id %q controller %d", md.ClusterID, md.ControllerID)
	}
	t.Logf("topic %s id %s: %d partitions on %d brokers", topic, tp.ID, len(tp.Partitions), len(md.Brokers))
}

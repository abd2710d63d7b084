package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// connSettings is what -X properties say about reaching brokers.
type connSettings struct {
	cfg            conn.Config
	requestTimeout time.Duration
}

// connConfig turns -X properties (librdkafka/Java names) into a connection
// config. An unknown property or a bad value is an error naming the key.
func connConfig(props map[string]string) (*connSettings, error) {
	s := &connSettings{requestTimeout: 30 * time.Second}
	secProto := "plaintext"
	var mechanism, user, pass, caFile, certFile, keyFile string
	verify := true
	for k, v := range props {
		switch k {
		case "bootstrap.servers", "metadata.broker.list":
			// handled with -b
		case "client.id":
			s.cfg.ClientID = v
		case "security.protocol":
			secProto = strings.ToLower(v)
		case "sasl.mechanism", "sasl.mechanisms":
			mechanism = strings.ToUpper(v)
		case "sasl.username":
			user = v
		case "sasl.password":
			pass = v
		case "ssl.ca.location":
			caFile = v
		case "ssl.certificate.location":
			certFile = v
		case "ssl.key.location":
			keyFile = v
		case "enable.ssl.certificate.verification":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("-X %s=%s: want true or false", k, v)
			}
			verify = b
		case "request.timeout.ms", "socket.connection.setup.timeout.ms":
			ms, err := strconv.Atoi(v)
			if err != nil || ms <= 0 {
				return nil, fmt.Errorf("-X %s=%s: want a positive number of milliseconds", k, v)
			}
			if k == "request.timeout.ms" {
				s.requestTimeout = time.Duration(ms) * time.Millisecond
			} else {
				s.cfg.ConnectTimeout = time.Duration(ms) * time.Millisecond
			}
		default:
			return nil, fmt.Errorf("-X %s: unknown property", k)
		}
	}
	var useTLS, useSASL bool
	switch secProto {
	case "plaintext":
	case "ssl":
		useTLS = true
	case "sasl_plaintext":
		useSASL = true
	case "sasl_ssl":
		useTLS, useSASL = true, true
	default:
		return nil, fmt.Errorf("-X security.protocol=%s: want plaintext, ssl, sasl_plaintext or sasl_ssl", secProto)
	}
	if useSASL {
		if mechanism == "" {
			mechanism = conn.MechanismPlain
		}
		switch mechanism {
		case conn.MechanismPlain, conn.MechanismScramSHA256, conn.MechanismScramSHA512:
		default:
			return nil, fmt.Errorf("-X sasl.mechanism=%s: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mechanism)
		}
		s.cfg.SASL = &conn.SASL{Mechanism: mechanism, Username: user, Password: pass}
	}
	if useTLS {
		t := &tls.Config{InsecureSkipVerify: !verify}
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return nil, fmt.Errorf("-X ssl.ca.location: %w", err)
			}
			t.RootCAs = x509.NewCertPool()
			if !t.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("-X ssl.ca.location=%s: no PEM certificate in the file", caFile)
			}
		}
		if certFile != "" || keyFile != "" {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return nil, fmt.Errorf("-X ssl.certificate.location/ssl.key.location: %w", err)
			}
			t.Certificates = []tls.Certificate{cert}
		}
		s.cfg.TLS = t
	}
	return s, nil
}

// fetchMetadata asks the bootstrap brokers, in order, for metadata until one
// answers.
func fetchMetadata(ctx context.Context, opts *options) (*metadata, error) {
	settings, err := connConfig(opts.props)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, addr := range opts.brokers {
		md, err := metadataFrom(ctx, addr, settings, opts.topic)
		if err == nil {
			return md, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, fmt.Errorf("no broker answered: %w", errors.Join(errs...))
}

func metadataFrom(ctx context.Context, addr string, s *connSettings, topic string) (*metadata, error) {
	c, err := conn.Dial(ctx, addr, s.cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	req := &protocol.MetadataRequest{}
	if topic != "" {
		req.Topics = []protocol.MetadataRequestTopic{{Name: &topic}}
	}
	ctx, cancel := context.WithTimeout(ctx, s.requestTimeout)
	defer cancel()
	r, err := c.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", addr, err)
	}
	resp := r.(*protocol.MetadataResponse)
	if err := protocol.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", addr, err)
	}
	// Partitions in id order, as kcat (librdkafka) lists them.
	for i := range resp.Topics {
		slices.SortFunc(resp.Topics[i].Partitions, func(a, b protocol.MetadataResponsePartition) int {
			return cmp.Compare(a.PartitionIndex, b.PartitionIndex)
		})
	}
	md := &metadata{originID: -1, originName: addr + "/bootstrap", resp: resp}
	host, port, _ := net.SplitHostPort(addr)
	for _, b := range resp.Brokers {
		if b.Host == host && strconv.Itoa(int(b.Port)) == port {
			md.originID = b.NodeId
			md.originName = fmt.Sprintf("%s/%d", addr, b.NodeId)
		}
	}
	return md, nil
}

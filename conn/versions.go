package conn

import (
	"context"
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

type versionRange struct{ min, max int16 }

// maxApiVersions is the highest ApiVersions version rawkafka asks for: v5
// carries the cluster and node the client means to reach (KIP-1242).
// Brokers before 4.4 answer v5 with UNSUPPORTED_VERSION and their own
// range, and the request is sent again at their highest version.
const maxApiVersions = 5

// negotiate asks the broker which versions it serves (ApiVersions v4, or the
// highest version it lists when it answers UNSUPPORTED_VERSION in a v0 body)
// and keeps its ranges.
func (c *Conn) negotiate(ctx context.Context) error {
	v := int16(maxApiVersions)
	if h := c.cfg.apiVersionsMax; h > 0 && h < v {
		v = h
	}
	for attempt := 0; ; attempt++ {
		req := &protocol.ApiVersionsRequest{Version: v, ClientSoftwareName: SoftwareName, ClientSoftwareVersion: SoftwareVersion}
		if e := c.cfg.Expect; e != nil && v >= 5 && e.ClusterID != "" && e.NodeID >= 0 {
			id := e.ClusterID
			req.ClusterId, req.NodeId = &id, e.NodeID
		}
		r, err := c.send(ctx, req)
		if err != nil {
			return err
		}
		resp := &protocol.ApiVersionsResponse{Version: v}
		derr := resp.Decode(r.body)
		if derr == nil && resp.ErrorCode == 0 {
			c.versions = make(map[protocol.APIKey]versionRange, len(resp.ApiKeys))
			for _, k := range resp.ApiKeys {
				c.versions[protocol.APIKey(k.ApiKey)] = versionRange{k.MinVersion, k.MaxVersion}
			}
			c.log.Debug("api versions negotiated", "version", v, "apis", len(resp.ApiKeys))
			return nil
		}
		if fb, ok := protocol.DecodeApiVersionsFallback(r.body); ok && attempt == 0 {
			next := int16(-1)
			for _, k := range fb.ApiKeys {
				if protocol.APIKey(k.ApiKey) == protocol.KeyApiVersions {
					next = min(k.MaxVersion, maxApiVersions)
				}
			}
			if next >= 0 && next < v {
				c.log.Debug("api versions: retrying at the broker's version", "asked", v, "version", next)
				v = next
				continue
			}
		}
		if derr != nil {
			return &Error{Broker: c.addr, Op: "api versions", Err: diagnose(
				fmt.Sprintf("the ApiVersions v%d response does not decode (%v); is this a Kafka broker?", v, derr), derr, ErrNotKafka)}
		}
		err = protocol.ErrorForCode(resp.ErrorCode)
		if errors.Is(err, protocol.ErrRebootstrapRequired) && c.cfg.Expect != nil {
			err = fmt.Errorf("the broker at %s is not node %d of cluster %s (the cluster was rebuilt or the address reused): %w",
				c.addr, c.cfg.Expect.NodeID, c.cfg.Expect.ClusterID, err)
		}
		return &Error{Broker: c.addr, Op: "api versions", Err: err}
	}
}

// Version returns the highest version of key that both rawkafka and the
// broker support; ok is false when there is none.
func (c *Conn) Version(key protocol.APIKey) (int16, bool) {
	lo, hi, ok := key.VersionRange()
	b, bok := c.versions[key]
	if !ok || !bok {
		return 0, false
	}
	lo, hi = max(lo, b.min), min(hi, b.max)
	if lo > hi {
		return 0, false
	}
	return hi, true
}

// BrokerVersions returns the range of versions of key the broker serves, as
// it said in ApiVersions; ok is false when it does not serve key.
func (c *Conn) BrokerVersions(key protocol.APIKey) (min, max int16, ok bool) {
	b, ok := c.versions[key]
	return b.min, b.max, ok
}

func (c *Conn) rangeString(key protocol.APIKey) string {
	if b, ok := c.versions[key]; ok {
		return fmt.Sprintf("v%d-%d", b.min, b.max)
	}
	return "no version of it"
}

// ErrUnsupported is returned (wrapped) by Do when rawkafka and the broker
// have no version of an API in common. It concerns that request only.
var ErrUnsupported = errors.New("no version in common")

func (c *Conn) unsupported(key protocol.APIKey) error {
	lo, hi, _ := key.VersionRange()
	return fmt.Errorf("conn: broker at %s: %s: %w (rawkafka speaks v%d-%d, the broker serves %s)",
		c.addr, key, ErrUnsupported, lo, hi, c.rangeString(key))
}

package protocol

import (
	"bytes"
	"testing"
)

func TestApiVersionsRoundTrip(t *testing.T) {
	for v := int16(0); v <= 5; v++ {
		req := &ApiVersionsRequest{Version: v, NodeId: -1}
		if v >= 3 {
			req.ClientSoftwareName, req.ClientSoftwareVersion = "rawkafka", "0.1.0"
		}
		checkRoundTrip(t, req, func() Message { return &ApiVersionsRequest{} })
		if v >= 5 {
			id := "MkU3OEVBNTcwNTJENDM2Qg"
			req.ClusterId, req.NodeId = &id, 3
			checkRoundTrip(t, req, func() Message { return &ApiVersionsRequest{} })
		}

		resp := &ApiVersionsResponse{Version: v, ErrorCode: 0, FinalizedFeaturesEpoch: -1,
			ApiKeys: []ApiVersionsKey{{ApiKey: 1, MinVersion: 4, MaxVersion: 18}, {ApiKey: 18, MinVersion: 0, MaxVersion: 4}}}
		if v >= 1 {
			resp.ThrottleTimeMs = 7
		}
		if v >= 3 {
			resp.SupportedFeatures = []ApiVersionsFeature{{Name: "metadata.version", MinVersion: 7, MaxVersion: 27}}
			resp.FinalizedFeaturesEpoch = 42
			resp.FinalizedFeatures = []ApiVersionsFinalizedFeature{{Name: "metadata.version", MaxVersionLevel: 27, MinVersionLevel: 27}}
			resp.ZkMigrationReady = true
			resp.Tags = TaggedFields{{Tag: 9, Data: []byte{1, 2}}}
		}
		checkRoundTrip(t, resp, func() Message { return &ApiVersionsResponse{} })
	}
}

func TestApiVersionsGoldenV3Request(t *testing.T) {
	// Header v2 (client id "c") + body: compact "a", compact "b", no tags.
	req := &ApiVersionsRequest{Version: 3, ClientSoftwareName: "a", ClientSoftwareVersion: "b"}
	id := "c"
	got, err := AppendRequest(nil, 7, &id, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 17, 0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 'c', 0, 2, 'a', 2, 'b', 0}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

func TestApiVersionsGoldenV5Request(t *testing.T) {
	// Body only: compact "a", compact "b", compact nullable ClusterId, int32
	// NodeId, no tags (ApiVersionsRequest.json, Kafka 4.4.0).
	id := "xy"
	cases := []struct {
		name string
		req  ApiVersionsRequest
		want []byte
	}{
		{"with cluster and node", ApiVersionsRequest{Version: 5, ClientSoftwareName: "a", ClientSoftwareVersion: "b", ClusterId: &id, NodeId: 2},
			[]byte{2, 'a', 2, 'b', 3, 'x', 'y', 0, 0, 0, 2, 0}},
		{"no check", ApiVersionsRequest{Version: 5, ClientSoftwareName: "a", ClientSoftwareVersion: "b", NodeId: -1},
			[]byte{2, 'a', 2, 'b', 0, 0xff, 0xff, 0xff, 0xff, 0}},
		// The zero NodeId is not sent without a ClusterId: Kafka would
		// answer INVALID_REQUEST to a node id alone.
		{"zero value", ApiVersionsRequest{Version: 5, ClientSoftwareName: "a", ClientSoftwareVersion: "b"},
			[]byte{2, 'a', 2, 'b', 0, 0xff, 0xff, 0xff, 0xff, 0}},
		// v4 cannot carry the fields; they are ignorable, so they are dropped.
		{"v4 drops them", ApiVersionsRequest{Version: 4, ClientSoftwareName: "a", ClientSoftwareVersion: "b", ClusterId: &id, NodeId: 2},
			[]byte{2, 'a', 2, 'b', 0}},
	}
	for _, c := range cases {
		got, err := c.req.Encode(nil)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s: encode = % x, %v\nwant % x", c.name, got, err, c.want)
		}
	}
	var got ApiVersionsRequest
	got.Version = 4
	if err := got.Decode([]byte{2, 'a', 2, 'b', 0}); err != nil || got.ClusterId != nil || got.NodeId != -1 {
		t.Errorf("v4 decode = %+v, %v; want no ClusterId and NodeId -1", got, err)
	}
	got.Version = 5
	if err := got.Decode(cases[0].want); err != nil || got.ClusterId == nil || *got.ClusterId != "xy" || got.NodeId != 2 {
		t.Errorf("v5 decode = %+v, %v", got, err)
	}
}

func TestApiVersionsRebootstrapRequired(t *testing.T) {
	// A v5 answer from a broker that is not the node the client asked for:
	// REBOOTSTRAP_REQUIRED, no API keys, throttle 0, no tags.
	body := []byte{0, 129, 1, 0, 0, 0, 0, 0}
	resp := &ApiVersionsResponse{Version: 5}
	if err := resp.Decode(body); err != nil {
		t.Fatal(err)
	}
	if err := ErrorForCode(resp.ErrorCode); err != ErrRebootstrapRequired {
		t.Fatalf("error = %v, want ErrRebootstrapRequired", err)
	}
	if ErrRebootstrapRequired.Code != 129 || ErrRebootstrapRequired.Name != "REBOOTSTRAP_REQUIRED" {
		t.Fatalf("ErrRebootstrapRequired = %+v", ErrRebootstrapRequired)
	}
}

func TestApiVersionsFallback(t *testing.T) {
	// What a broker sends when it does not know the version asked for.
	body := []byte{0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}
	resp, ok := DecodeApiVersionsFallback(body)
	if !ok || resp.ApiKeys[0].MaxVersion != 3 {
		t.Fatalf("fallback = %+v, %v", resp, ok)
	}
}

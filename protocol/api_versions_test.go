package protocol

import (
	"bytes"
	"testing"
)

func TestApiVersionsRoundTrip(t *testing.T) {
	for v := int16(0); v <= 4; v++ {
		req := &ApiVersionsRequest{Version: v}
		if v >= 3 {
			req.ClientSoftwareName, req.ClientSoftwareVersion = "rawkafka", "0.1.0"
		}
		checkRoundTrip(t, req, func() Message { return &ApiVersionsRequest{} })

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

func TestApiVersionsFallback(t *testing.T) {
	// What a broker sends when it does not know the version asked for.
	body := []byte{0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}
	resp, ok := DecodeApiVersionsFallback(body)
	if !ok || resp.ApiKeys[0].MaxVersion != 3 {
		t.Fatalf("fallback = %+v, %v", resp, ok)
	}
}

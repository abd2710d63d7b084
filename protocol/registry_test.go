package protocol

import "testing"

func TestRegistryCoversEveryAPI(t *testing.T) {
	for _, k := range Keys() {
		_, max, _ := k.VersionRange()
		req := NewRequest(k, max)
		if req == nil || req.Key() != k || req.APIVersion() != max {
			t.Fatalf("NewRequest(%s, %d) = %#v", k, max, req)
		}
		resp := NewResponse(k, max)
		if resp == nil || resp.Key() != k || resp.APIVersion() != max {
			t.Fatalf("NewResponse(%s, %d) = %#v", k, max, resp)
		}
	}
	if NewRequest(APIKey(0), 0) != nil {
		t.Fatal("Produce is not spoken, yet NewRequest returned a message")
	}
}

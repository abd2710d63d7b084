package protocol

import "testing"

func testFindCoordinatorRequest(v int16) *FindCoordinatorRequest {
	m := &FindCoordinatorRequest{Version: v, Tags: wireTags(v >= 3)}
	if v <= 3 {
		m.CoordinatorKey = "my-group"
	}
	if v >= 1 {
		m.KeyType = CoordinatorTransaction
	}
	if v >= 4 {
		m.CoordinatorKeys = []string{"g1", "g2", ""}
	}
	return m
}

func testFindCoordinatorResponse(v int16) *FindCoordinatorResponse {
	m := &FindCoordinatorResponse{Version: v, Tags: wireTags(v >= 3)}
	if v >= 1 {
		m.ThrottleTimeMs = 250
	}
	if v <= 3 {
		m.ErrorCode = 15
		m.NodeId = 2
		m.Host = "b2.example"
		m.Port = 9093
		if v >= 1 {
			m.ErrorMessage = wireStr("loading")
		}
	} else {
		m.Coordinators = []FindCoordinatorResponseCoordinator{
			{Key: "g1", NodeId: 1, Host: "b1.example", Port: 9092, Tags: wireUnknownTag},
			{Key: "g2", NodeId: -1, Host: "", Port: -1, ErrorCode: 15, ErrorMessage: wireStr("not yet")},
		}
	}
	return m
}

func TestFindCoordinatorRoundTrip(t *testing.T) {
	for v := int16(0); v <= 6; v++ {
		checkRoundTrip(t, testFindCoordinatorRequest(v), func() Message { return &FindCoordinatorRequest{} })
		checkRoundTrip(t, testFindCoordinatorResponse(v), func() Message { return &FindCoordinatorResponse{} })
	}
	// A v4+ response with no coordinators decodes to a non-nil empty slice.
	checkRoundTrip(t, &FindCoordinatorResponse{Version: 4, Coordinators: []FindCoordinatorResponseCoordinator{}},
		func() Message { return &FindCoordinatorResponse{} })
}

func TestFindCoordinatorEncodeRejectsWhatTheVersionCannotCarry(t *testing.T) {
	cases := []Message{
		&FindCoordinatorRequest{Version: 0, CoordinatorKey: "g", KeyType: 1},
		&FindCoordinatorRequest{Version: 4, CoordinatorKey: "g"},
		&FindCoordinatorRequest{Version: 3, CoordinatorKeys: []string{"g"}},
		&FindCoordinatorResponse{Version: 4, NodeId: 1},
		&FindCoordinatorResponse{Version: 3, Coordinators: []FindCoordinatorResponseCoordinator{{}}},
		&FindCoordinatorRequest{Version: 7},
	}
	for _, m := range cases {
		if _, err := m.Encode(nil); err == nil {
			t.Errorf("%T %+v: encoded without error", m, m)
		}
	}
}

func TestFindCoordinatorRequestGoldenV1(t *testing.T) {
	want := []byte{
		0, 2, 'g', '1', // Key: int16 length 2
		0, // KeyType (v1+): group
	}
	checkWireGolden(t, want, &FindCoordinatorRequest{Version: 1, CoordinatorKey: "g1"},
		func() Message { return &FindCoordinatorRequest{} })
}

func TestFindCoordinatorRequestGoldenV4(t *testing.T) {
	want := []byte{
		0,                 // KeyType: group (no Key from v4)
		3, 2, 'a', 2, 'b', // CoordinatorKeys: compact array 2+1 of compact strings "a", "b"
		0, // no tagged fields
	}
	checkWireGolden(t, want, &FindCoordinatorRequest{Version: 4, CoordinatorKeys: []string{"a", "b"}},
		func() Message { return &FindCoordinatorRequest{} })
}

func TestFindCoordinatorResponseGoldenV2(t *testing.T) {
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		0, 0, // ErrorCode
		0xff, 0xff, // ErrorMessage: null
		0, 0, 0, 1, // NodeId 1
		0, 1, 'h', // Host "h"
		0, 0, 0x23, 0x84, // Port 9092
	}
	checkWireGolden(t, want, &FindCoordinatorResponse{Version: 2, NodeId: 1, Host: "h", Port: 9092},
		func() Message { return &FindCoordinatorResponse{} })
}

func TestFindCoordinatorResponseGoldenV6(t *testing.T) {
	want := []byte{
		0, 0, 0, 5, // ThrottleTimeMs 5
		2,      // Coordinators: 1+1
		2, 'g', // Key "g"
		0, 0, 0, 1, // NodeId 1
		2, 'h', // Host "h"
		0, 0, 0x23, 0x84, // Port 9092
		0, 0x0f, // ErrorCode 15
		3, 'n', 'o', // ErrorMessage "no"
		0, // coordinator tags
		0, // tags
	}
	m := &FindCoordinatorResponse{Version: 6, ThrottleTimeMs: 5, Coordinators: []FindCoordinatorResponseCoordinator{
		{Key: "g", NodeId: 1, Host: "h", Port: 9092, ErrorCode: 15, ErrorMessage: wireStr("no")}}}
	checkWireGolden(t, want, m, func() Message { return &FindCoordinatorResponse{} })
}

package protocol

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// groupStr returns a pointer to s, for nullable string fields.
func groupStr(s string) *string { return &s }

// checkGroupGolden checks that m encodes to exactly want (bytes written by
// hand from the JSON spec) and that want decodes back to m.
func checkGroupGolden(t *testing.T, m Message, fresh func() Message, want []byte) {
	t.Helper()
	got, err := m.Encode(nil)
	if err != nil {
		t.Fatalf("%s v%d: encode: %v", m.Key(), m.APIVersion(), err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s v%d: encode\n got: % x\nwant: % x", m.Key(), m.APIVersion(), got, want)
	}
	d := fresh()
	d.SetAPIVersion(m.APIVersion())
	if err := d.Decode(want); err != nil {
		t.Fatalf("%s v%d: decode: %v", m.Key(), m.APIVersion(), err)
	}
	if !reflect.DeepEqual(d, m) {
		t.Fatalf("%s v%d: decode\n got: %+v\nwant: %+v", m.Key(), m.APIVersion(), d, m)
	}
}

// groupBytes concatenates byte slices, to write golden bytes field by field.
func groupBytes(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestJoinGroupRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 7, Data: []byte{1, 2, 3}}}
	for v := int16(0); v <= 9; v++ {
		flex := v >= 6
		req := &JoinGroupRequest{Version: v, GroupId: "group", SessionTimeoutMs: 45000, RebalanceTimeoutMs: -1,
			MemberId: "member-1", ProtocolType: "consumer",
			Protocols: []JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{0, 3, 1}}, {Name: "cooperative-sticky", Metadata: []byte{}}}}
		if v >= 1 {
			req.RebalanceTimeoutMs = 300000
		}
		if v >= 5 {
			req.GroupInstanceId = groupStr("instance-1")
		}
		if v >= 8 {
			req.Reason = groupStr("rebalance needed")
		}
		if flex {
			req.Tags = unknown
			req.Protocols[1].Tags = unknown
		}
		checkRoundTrip(t, req, func() Message { return &JoinGroupRequest{} })

		resp := &JoinGroupResponse{Version: v, ErrorCode: 27, GenerationId: 12, ProtocolName: groupStr("range"),
			Leader: "member-2", MemberId: "member-1",
			Members: []JoinGroupResponseMember{{MemberId: "member-1", Metadata: []byte{9, 8}}, {MemberId: "member-2", Metadata: []byte{}}}}
		if v >= 2 {
			resp.ThrottleTimeMs = 11
		}
		if v >= 5 {
			resp.Members[0].GroupInstanceId = groupStr("instance-1")
		}
		if v >= 7 {
			resp.ProtocolType = groupStr("consumer")
		}
		if v >= 9 {
			resp.SkipAssignment = true
		}
		if flex {
			resp.Tags = unknown
			resp.Members[0].Tags = unknown
		}
		checkRoundTrip(t, resp, func() Message { return &JoinGroupResponse{} })
	}
}

func TestJoinGroupDefaults(t *testing.T) {
	// v7+ lets ProtocolName be null; the v0 decode of an absent rebalance
	// timeout is its JSON default -1.
	resp := &JoinGroupResponse{Version: 7, GenerationId: -1, Members: []JoinGroupResponseMember{}}
	checkRoundTrip(t, resp, func() Message { return &JoinGroupResponse{} })
	req := &JoinGroupRequest{Version: 0}
	b, _ := req.Encode(nil)
	if err := req.Decode(b); err != nil || req.RebalanceTimeoutMs != -1 {
		t.Fatalf("v0 RebalanceTimeoutMs = %d, %v; want -1", req.RebalanceTimeoutMs, err)
	}
	req = &JoinGroupRequest{Version: 4, GroupInstanceId: groupStr("i")}
	if _, err := req.Encode(nil); err == nil || !strings.Contains(err.Error(), "GroupInstanceId") {
		t.Fatalf("v4 with GroupInstanceId: err = %v", err)
	}
}

func TestJoinGroupGoldenV5(t *testing.T) {
	req := &JoinGroupRequest{Version: 5, GroupId: "g", SessionTimeoutMs: 10000, RebalanceTimeoutMs: 300000,
		MemberId: "m", GroupInstanceId: groupStr("i"), ProtocolType: "consumer",
		Protocols: []JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{1, 2, 3}}}}
	want := groupBytes(
		[]byte{0, 1, 'g'},                // GroupId
		[]byte{0, 0, 0x27, 0x10},         // SessionTimeoutMs 10000
		[]byte{0, 0x04, 0x93, 0xe0},      // RebalanceTimeoutMs 300000
		[]byte{0, 1, 'm'},                // MemberId
		[]byte{0, 1, 'i'},                // GroupInstanceId
		[]byte{0, 8}, []byte("consumer"), // ProtocolType
		[]byte{0, 0, 0, 1},            // Protocols: 1
		[]byte{0, 5}, []byte("range"), // Name
		[]byte{0, 0, 0, 3, 1, 2, 3}, // Metadata
	)
	checkGroupGolden(t, req, func() Message { return &JoinGroupRequest{} }, want)

	resp := &JoinGroupResponse{Version: 1, GenerationId: 5, ProtocolName: groupStr("range"), Leader: "m", MemberId: "m",
		Members: []JoinGroupResponseMember{{MemberId: "m", Metadata: []byte{9}}}}
	want = groupBytes(
		// v1: no ThrottleTimeMs
		[]byte{0, 0},                  // ErrorCode
		[]byte{0, 0, 0, 5},            // GenerationId
		[]byte{0, 5}, []byte("range"), // ProtocolName
		[]byte{0, 1, 'm'},     // Leader
		[]byte{0, 1, 'm'},     // MemberId
		[]byte{0, 0, 0, 1},    // Members: 1
		[]byte{0, 1, 'm'},     // MemberId
		[]byte{0, 0, 0, 1, 9}, // Metadata
	)
	checkGroupGolden(t, resp, func() Message { return &JoinGroupResponse{} }, want)
}

func TestJoinGroupGoldenV9(t *testing.T) {
	req := &JoinGroupRequest{Version: 9, GroupId: "g", SessionTimeoutMs: 10000, RebalanceTimeoutMs: 300000,
		ProtocolType: "consumer", Reason: groupStr("r"),
		Protocols: []JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{1, 2}}}}
	want := groupBytes(
		[]byte{2, 'g'},                // GroupId, compact
		[]byte{0, 0, 0x27, 0x10},      // SessionTimeoutMs
		[]byte{0, 0x04, 0x93, 0xe0},   // RebalanceTimeoutMs
		[]byte{1},                     // MemberId ""
		[]byte{0},                     // GroupInstanceId null
		[]byte{9}, []byte("consumer"), // ProtocolType
		[]byte{2},                  // Protocols: 1
		[]byte{6}, []byte("range"), // Name
		[]byte{3, 1, 2}, // Metadata
		[]byte{0},       // protocol tags
		[]byte{2, 'r'},  // Reason
		[]byte{0},       // tags
	)
	checkGroupGolden(t, req, func() Message { return &JoinGroupRequest{} }, want)

	resp := &JoinGroupResponse{Version: 9, ErrorCode: 79, GenerationId: -1, ProtocolName: groupStr("range"),
		SkipAssignment: true, MemberId: "m", Members: []JoinGroupResponseMember{},
		Tags: TaggedFields{{Tag: 5, Data: []byte{0xaa}}}}
	want = groupBytes(
		[]byte{0, 0, 0, 0},             // ThrottleTimeMs
		[]byte{0, 79},                  // ErrorCode MEMBER_ID_REQUIRED
		[]byte{0xff, 0xff, 0xff, 0xff}, // GenerationId -1
		[]byte{0},                      // ProtocolType null
		[]byte{6}, []byte("range"),     // ProtocolName
		[]byte{1},             // Leader ""
		[]byte{1},             // SkipAssignment
		[]byte{2, 'm'},        // MemberId
		[]byte{1},             // Members: 0
		[]byte{1, 5, 1, 0xaa}, // tags: one unknown, tag 5, 1 byte
	)
	checkGroupGolden(t, resp, func() Message { return &JoinGroupResponse{} }, want)
}

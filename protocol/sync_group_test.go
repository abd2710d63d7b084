package protocol

import "testing"

func TestSyncGroupRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 3, Data: []byte{0xee}}}
	for v := int16(0); v <= 5; v++ {
		flex := v >= 4
		req := &SyncGroupRequest{Version: v, GroupId: "group", GenerationId: 3, MemberId: "member-1",
			Assignments: []SyncGroupRequestAssignment{{MemberId: "member-1", Assignment: []byte{0, 3, 0}}, {MemberId: "member-2", Assignment: []byte{}}}}
		if v >= 3 {
			req.GroupInstanceId = groupStr("instance-1")
		}
		if v >= 5 {
			req.ProtocolType, req.ProtocolName = groupStr("consumer"), groupStr("range")
		}
		if flex {
			req.Tags = unknown
			req.Assignments[0].Tags = unknown
		}
		checkRoundTrip(t, req, func() Message { return &SyncGroupRequest{} })

		resp := &SyncGroupResponse{Version: v, ErrorCode: 22, Assignment: []byte{0, 3, 0, 0, 0, 0}}
		if v >= 1 {
			resp.ThrottleTimeMs = 9
		}
		if v >= 5 {
			resp.ProtocolType, resp.ProtocolName = groupStr("consumer"), groupStr("range")
		}
		if flex {
			resp.Tags = unknown
		}
		checkRoundTrip(t, resp, func() Message { return &SyncGroupResponse{} })
	}
	if _, err := (&SyncGroupRequest{Version: 2, GroupInstanceId: groupStr("i")}).Encode(nil); err == nil {
		t.Fatal("v2 with GroupInstanceId encoded")
	}
}

func TestSyncGroupGoldenV3(t *testing.T) {
	req := &SyncGroupRequest{Version: 3, GroupId: "g", GenerationId: 7, MemberId: "m",
		Assignments: []SyncGroupRequestAssignment{{MemberId: "m", Assignment: []byte{0, 1}}}}
	want := groupBytes(
		[]byte{0, 1, 'g'},        // GroupId
		[]byte{0, 0, 0, 7},       // GenerationId
		[]byte{0, 1, 'm'},        // MemberId
		[]byte{0xff, 0xff},       // GroupInstanceId null
		[]byte{0, 0, 0, 1},       // Assignments: 1
		[]byte{0, 1, 'm'},        // MemberId
		[]byte{0, 0, 0, 2, 0, 1}, // Assignment
	)
	checkGroupGolden(t, req, func() Message { return &SyncGroupRequest{} }, want)

	resp := &SyncGroupResponse{Version: 0, Assignment: []byte{0xaa, 0xbb, 0xcc}}
	want = groupBytes(
		[]byte{0, 0},                         // ErrorCode (v0: no ThrottleTimeMs)
		[]byte{0, 0, 0, 3, 0xaa, 0xbb, 0xcc}, // Assignment
	)
	checkGroupGolden(t, resp, func() Message { return &SyncGroupResponse{} }, want)
}

func TestSyncGroupGoldenV5(t *testing.T) {
	req := &SyncGroupRequest{Version: 5, GroupId: "g", GenerationId: 7, MemberId: "m", GroupInstanceId: groupStr("i"),
		ProtocolType: groupStr("consumer"), ProtocolName: groupStr("range"), Assignments: []SyncGroupRequestAssignment{}}
	want := groupBytes(
		[]byte{2, 'g'},                // GroupId
		[]byte{0, 0, 0, 7},            // GenerationId
		[]byte{2, 'm'},                // MemberId
		[]byte{2, 'i'},                // GroupInstanceId
		[]byte{9}, []byte("consumer"), // ProtocolType
		[]byte{6}, []byte("range"), // ProtocolName
		[]byte{1}, // Assignments: 0
		[]byte{0}, // tags
	)
	checkGroupGolden(t, req, func() Message { return &SyncGroupRequest{} }, want)

	resp := &SyncGroupResponse{Version: 5, ThrottleTimeMs: 100, ProtocolType: groupStr("consumer"),
		ProtocolName: groupStr("range"), Assignment: []byte{}}
	want = groupBytes(
		[]byte{0, 0, 0, 100},          // ThrottleTimeMs
		[]byte{0, 0},                  // ErrorCode
		[]byte{9}, []byte("consumer"), // ProtocolType
		[]byte{6}, []byte("range"), // ProtocolName
		[]byte{1}, // Assignment: empty
		[]byte{0}, // tags
	)
	checkGroupGolden(t, resp, func() Message { return &SyncGroupResponse{} }, want)
}

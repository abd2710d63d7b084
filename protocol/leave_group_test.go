package protocol

import "testing"

func TestLeaveGroupRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 4, Data: []byte{1}}}
	for v := int16(0); v <= 5; v++ {
		flex := v >= 4
		req := &LeaveGroupRequest{Version: v, GroupId: "group"}
		resp := &LeaveGroupResponse{Version: v, ErrorCode: 16}
		if v >= 1 {
			resp.ThrottleTimeMs = 3
		}
		if v <= 2 {
			req.MemberId = "member-1"
		} else {
			req.Members = []LeaveGroupRequestMemberIdentity{{MemberId: "member-1"}, {MemberId: "", GroupInstanceId: groupStr("instance-2")}}
			resp.Members = []LeaveGroupResponseMemberResponse{{MemberId: "member-1", ErrorCode: 25}, {MemberId: "member-2", GroupInstanceId: groupStr("instance-2")}}
		}
		if v >= 5 {
			req.Members[0].Reason = groupStr("closing")
		}
		if flex {
			req.Tags, req.Members[1].Tags = unknown, unknown
			resp.Tags, resp.Members[0].Tags = unknown, unknown
		}
		checkRoundTrip(t, req, func() Message { return &LeaveGroupRequest{} })
		checkRoundTrip(t, resp, func() Message { return &LeaveGroupResponse{} })
	}
	if _, err := (&LeaveGroupRequest{Version: 3, MemberId: "m"}).Encode(nil); err == nil {
		t.Fatal("v3 with MemberId encoded")
	}
	if _, err := (&LeaveGroupRequest{Version: 2, Members: []LeaveGroupRequestMemberIdentity{{MemberId: "m"}}}).Encode(nil); err == nil {
		t.Fatal("v2 with Members encoded")
	}
}

func TestLeaveGroupGoldenV3(t *testing.T) {
	req := &LeaveGroupRequest{Version: 0, GroupId: "g", MemberId: "m"}
	want := []byte{0, 1, 'g', 0, 1, 'm'} // GroupId, MemberId
	checkGroupGolden(t, req, func() Message { return &LeaveGroupRequest{} }, want)

	req = &LeaveGroupRequest{Version: 3, GroupId: "g",
		Members: []LeaveGroupRequestMemberIdentity{{GroupInstanceId: groupStr("i")}}}
	want = groupBytes(
		[]byte{0, 1, 'g'},  // GroupId
		[]byte{0, 0, 0, 1}, // Members: 1
		[]byte{0, 0},       // MemberId ""
		[]byte{0, 1, 'i'},  // GroupInstanceId
	)
	checkGroupGolden(t, req, func() Message { return &LeaveGroupRequest{} }, want)

	resp := &LeaveGroupResponse{Version: 1, ThrottleTimeMs: 0, ErrorCode: 0}
	want = []byte{0, 0, 0, 0, 0, 0} // ThrottleTimeMs, ErrorCode
	checkGroupGolden(t, resp, func() Message { return &LeaveGroupResponse{} }, want)
}

func TestLeaveGroupGoldenV5(t *testing.T) {
	req := &LeaveGroupRequest{Version: 5, GroupId: "g",
		Members: []LeaveGroupRequestMemberIdentity{{GroupInstanceId: groupStr("i"), Reason: groupStr("r")}}}
	want := groupBytes(
		[]byte{2, 'g'}, // GroupId
		[]byte{2},      // Members: 1
		[]byte{1},      // MemberId ""
		[]byte{2, 'i'}, // GroupInstanceId
		[]byte{2, 'r'}, // Reason
		[]byte{0},      // member tags
		[]byte{0},      // tags
	)
	checkGroupGolden(t, req, func() Message { return &LeaveGroupRequest{} }, want)

	resp := &LeaveGroupResponse{Version: 5, ThrottleTimeMs: 1,
		Members: []LeaveGroupResponseMemberResponse{{MemberId: "m", ErrorCode: 25}}}
	want = groupBytes(
		[]byte{0, 0, 0, 1}, // ThrottleTimeMs
		[]byte{0, 0},       // ErrorCode
		[]byte{2},          // Members: 1
		[]byte{2, 'm'},     // MemberId
		[]byte{0},          // GroupInstanceId null
		[]byte{0, 25},      // ErrorCode
		[]byte{0},          // member tags
		[]byte{0},          // tags
	)
	checkGroupGolden(t, resp, func() Message { return &LeaveGroupResponse{} }, want)
}

package protocol

import "testing"

func TestHeartbeatRoundTrip(t *testing.T) {
	for v := int16(0); v <= 4; v++ {
		req := &HeartbeatRequest{Version: v, GroupId: "group", GenerationId: 4, MemberId: "member-1"}
		if v >= 3 {
			req.GroupInstanceId = groupStr("instance-1")
		}
		resp := &HeartbeatResponse{Version: v, ErrorCode: 27}
		if v >= 1 {
			resp.ThrottleTimeMs = 13
		}
		if v >= 4 {
			req.Tags = TaggedFields{{Tag: 1, Data: []byte{5}}}
			resp.Tags = TaggedFields{{Tag: 0, Data: []byte{}}, {Tag: 2, Data: []byte{6}}}
		}
		checkRoundTrip(t, req, func() Message { return &HeartbeatRequest{} })
		checkRoundTrip(t, resp, func() Message { return &HeartbeatResponse{} })
	}
	if _, err := (&HeartbeatRequest{Version: 2, GroupInstanceId: groupStr("i")}).Encode(nil); err == nil {
		t.Fatal("v2 with GroupInstanceId encoded")
	}
}

func TestHeartbeatGoldenV1(t *testing.T) {
	req := &HeartbeatRequest{Version: 0, GroupId: "g", GenerationId: 1, MemberId: "m"}
	want := groupBytes(
		[]byte{0, 1, 'g'},  // GroupId
		[]byte{0, 0, 0, 1}, // GenerationId
		[]byte{0, 1, 'm'},  // MemberId
	)
	checkGroupGolden(t, req, func() Message { return &HeartbeatRequest{} }, want)

	// ThrottleTimeMs comes first, then ErrorCode.
	resp := &HeartbeatResponse{Version: 1, ThrottleTimeMs: 5, ErrorCode: 27}
	want = []byte{0, 0, 0, 5, 0, 27}
	checkGroupGolden(t, resp, func() Message { return &HeartbeatResponse{} }, want)
}

func TestHeartbeatGoldenV4(t *testing.T) {
	req := &HeartbeatRequest{Version: 4, GroupId: "g", GenerationId: 1, MemberId: "m"}
	want := groupBytes(
		[]byte{2, 'g'},     // GroupId
		[]byte{0, 0, 0, 1}, // GenerationId
		[]byte{2, 'm'},     // MemberId
		[]byte{0},          // GroupInstanceId null
		[]byte{0},          // tags
	)
	checkGroupGolden(t, req, func() Message { return &HeartbeatRequest{} }, want)

	resp := &HeartbeatResponse{Version: 4, ThrottleTimeMs: 5, ErrorCode: 25, Tags: TaggedFields{{Tag: 0, Data: []byte{}}}}
	want = groupBytes(
		[]byte{0, 0, 0, 5}, // ThrottleTimeMs
		[]byte{0, 25},      // ErrorCode UNKNOWN_MEMBER_ID
		[]byte{1, 0, 0},    // tags: tag 0, no data
	)
	checkGroupGolden(t, resp, func() Message { return &HeartbeatResponse{} }, want)
}

package protocol

import "testing"

func TestListGroupsRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 2, Data: []byte{7}}}
	for v := int16(0); v <= 5; v++ {
		flex := v >= 3
		req := &ListGroupsRequest{Version: v}
		if v >= 4 {
			req.StatesFilter = []string{"Stable", "Empty"}
		}
		if v >= 5 {
			req.TypesFilter = []string{"consumer"}
		}
		if flex {
			req.Tags = unknown
		}
		checkRoundTrip(t, req, func() Message { return &ListGroupsRequest{} })

		resp := &ListGroupsResponse{Version: v, ErrorCode: 15, Groups: []ListGroupsResponseListedGroup{
			{GroupId: "group-a", ProtocolType: "consumer"}, {GroupId: "group-b", ProtocolType: ""}}}
		if v >= 1 {
			resp.ThrottleTimeMs = 2
		}
		if v >= 4 {
			resp.Groups[0].GroupState, resp.Groups[1].GroupState = "Stable", "Empty"
		}
		if v >= 5 {
			resp.Groups[0].GroupType, resp.Groups[1].GroupType = "classic", "consumer"
		}
		if flex {
			resp.Tags = unknown
			resp.Groups[1].Tags = unknown
		}
		checkRoundTrip(t, resp, func() Message { return &ListGroupsResponse{} })
	}
	if _, err := (&ListGroupsRequest{Version: 3, StatesFilter: []string{"Stable"}}).Encode(nil); err == nil {
		t.Fatal("v3 with StatesFilter encoded")
	}
	if _, err := (&ListGroupsRequest{Version: 4, TypesFilter: []string{"classic"}}).Encode(nil); err == nil {
		t.Fatal("v4 with TypesFilter encoded")
	}
}

func TestListGroupsGoldenV0(t *testing.T) {
	checkGroupGolden(t, &ListGroupsRequest{Version: 0}, func() Message { return &ListGroupsRequest{} }, []byte{})

	resp := &ListGroupsResponse{Version: 0, Groups: []ListGroupsResponseListedGroup{{GroupId: "g", ProtocolType: "consumer"}}}
	want := groupBytes(
		[]byte{0, 0},                     // ErrorCode (v0: no ThrottleTimeMs)
		[]byte{0, 0, 0, 1},               // Groups: 1
		[]byte{0, 1, 'g'},                // GroupId
		[]byte{0, 8}, []byte("consumer"), // ProtocolType
	)
	checkGroupGolden(t, resp, func() Message { return &ListGroupsResponse{} }, want)
}

func TestListGroupsGoldenV5(t *testing.T) {
	req := &ListGroupsRequest{Version: 5, StatesFilter: []string{"Stable"}, TypesFilter: []string{}}
	want := groupBytes(
		[]byte{2, 7}, []byte("Stable"), // StatesFilter: 1
		[]byte{1}, // TypesFilter: 0
		[]byte{0}, // tags
	)
	checkGroupGolden(t, req, func() Message { return &ListGroupsRequest{} }, want)

	resp := &ListGroupsResponse{Version: 5, Groups: []ListGroupsResponseListedGroup{
		{GroupId: "g", ProtocolType: "consumer", GroupState: "Stable", GroupType: "classic"}}}
	want = groupBytes(
		[]byte{0, 0, 0, 0},            // ThrottleTimeMs
		[]byte{0, 0},                  // ErrorCode
		[]byte{2},                     // Groups: 1
		[]byte{2, 'g'},                // GroupId
		[]byte{9}, []byte("consumer"), // ProtocolType
		[]byte{7}, []byte("Stable"), // GroupState
		[]byte{8}, []byte("classic"), // GroupType
		[]byte{0}, // group tags
		[]byte{0}, // tags
	)
	checkGroupGolden(t, resp, func() Message { return &ListGroupsResponse{} }, want)
}

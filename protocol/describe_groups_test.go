package protocol

import (
	"math"
	"testing"
)

func TestDescribeGroupsRoundTrip(t *testing.T) {
	unknown := TaggedFields{{Tag: 6, Data: []byte{0, 1}}}
	for v := int16(0); v <= 6; v++ {
		flex := v >= 5
		req := &DescribeGroupsRequest{Version: v, Groups: []string{"group-a", "group-b"}}
		if v >= 3 {
			req.IncludeAuthorizedOperations = true
		}
		if flex {
			req.Tags = unknown
		}
		checkRoundTrip(t, req, func() Message { return &DescribeGroupsRequest{} })

		resp := &DescribeGroupsResponse{Version: v, Groups: []DescribeGroupsResponseDescribedGroup{
			{ErrorCode: 0, GroupId: "group-a", GroupState: "Stable", ProtocolType: "consumer", ProtocolData: "range",
				AuthorizedOperations: math.MinInt32,
				Members: []DescribeGroupsResponseDescribedGroupMember{
					{MemberId: "member-1", ClientId: "client-1", ClientHost: "/10.0.0.1", MemberMetadata: []byte{0, 3}, MemberAssignment: []byte{0, 3, 1}},
					{MemberId: "member-2", ClientId: "client-2", ClientHost: "/10.0.0.2", MemberMetadata: []byte{}, MemberAssignment: []byte{}},
				}},
			{ErrorCode: 16, GroupId: "group-b", AuthorizedOperations: math.MinInt32, Members: []DescribeGroupsResponseDescribedGroupMember{}},
		}}
		if v >= 1 {
			resp.ThrottleTimeMs = 21
		}
		if v >= 3 {
			resp.Groups[0].AuthorizedOperations = 0x0f00
		}
		if v >= 4 {
			resp.Groups[0].Members[0].GroupInstanceId = groupStr("instance-1")
		}
		if v >= 6 {
			resp.Groups[1].ErrorMessage = groupStr("not the coordinator")
		}
		if flex {
			resp.Tags = unknown
			resp.Groups[1].Tags = unknown
			resp.Groups[0].Members[1].Tags = unknown
		}
		checkRoundTrip(t, resp, func() Message { return &DescribeGroupsResponse{} })
	}
	if _, err := (&DescribeGroupsRequest{Version: 2, IncludeAuthorizedOperations: true}).Encode(nil); err == nil {
		t.Fatal("v2 with IncludeAuthorizedOperations encoded")
	}
}

func TestDescribeGroupsGoldenV4(t *testing.T) {
	req := &DescribeGroupsRequest{Version: 0, Groups: []string{"g"}}
	want := []byte{0, 0, 0, 1, 0, 1, 'g'} // Groups: 1, "g"
	checkGroupGolden(t, req, func() Message { return &DescribeGroupsRequest{} }, want)

	resp := &DescribeGroupsResponse{Version: 4, Groups: []DescribeGroupsResponseDescribedGroup{{
		GroupId: "g", GroupState: "Stable", ProtocolType: "consumer", ProtocolData: "range", AuthorizedOperations: 8,
		Members: []DescribeGroupsResponseDescribedGroupMember{{MemberId: "m", ClientId: "c", ClientHost: "/h",
			MemberMetadata: []byte{1}, MemberAssignment: []byte{}}}}}}
	want = groupBytes(
		[]byte{0, 0, 0, 0},             // ThrottleTimeMs
		[]byte{0, 0, 0, 1},             // Groups: 1
		[]byte{0, 0},                   // ErrorCode
		[]byte{0, 1, 'g'},              // GroupId
		[]byte{0, 6}, []byte("Stable"), // GroupState
		[]byte{0, 8}, []byte("consumer"), // ProtocolType
		[]byte{0, 5}, []byte("range"), // ProtocolData
		[]byte{0, 0, 0, 1},     // Members: 1
		[]byte{0, 1, 'm'},      // MemberId
		[]byte{0xff, 0xff},     // GroupInstanceId null
		[]byte{0, 1, 'c'},      // ClientId
		[]byte{0, 2, '/', 'h'}, // ClientHost
		[]byte{0, 0, 0, 1, 1},  // MemberMetadata
		[]byte{0, 0, 0, 0},     // MemberAssignment: empty
		[]byte{0, 0, 0, 8},     // AuthorizedOperations
	)
	checkGroupGolden(t, resp, func() Message { return &DescribeGroupsResponse{} }, want)
}

func TestDescribeGroupsGoldenV6(t *testing.T) {
	req := &DescribeGroupsRequest{Version: 6, Groups: []string{"g"}, IncludeAuthorizedOperations: true}
	want := []byte{2, 2, 'g', 1, 0} // Groups: 1, "g"; IncludeAuthorizedOperations; tags
	checkGroupGolden(t, req, func() Message { return &DescribeGroupsRequest{} }, want)

	resp := &DescribeGroupsResponse{Version: 6, Groups: []DescribeGroupsResponseDescribedGroup{{
		ErrorCode: 69, ErrorMessage: groupStr("x"), GroupId: "g", GroupState: "Dead",
		Members: []DescribeGroupsResponseDescribedGroupMember{}, AuthorizedOperations: math.MinInt32}}}
	want = groupBytes(
		[]byte{0, 0, 0, 0},        // ThrottleTimeMs
		[]byte{2},                 // Groups: 1
		[]byte{0, 69},             // ErrorCode GROUP_ID_NOT_FOUND
		[]byte{2, 'x'},            // ErrorMessage
		[]byte{2, 'g'},            // GroupId
		[]byte{5}, []byte("Dead"), // GroupState
		[]byte{1},             // ProtocolType ""
		[]byte{1},             // ProtocolData ""
		[]byte{1},             // Members: 0
		[]byte{0x80, 0, 0, 0}, // AuthorizedOperations MinInt32
		[]byte{0},             // group tags
		[]byte{0},             // tags
	)
	checkGroupGolden(t, resp, func() Message { return &DescribeGroupsResponse{} }, want)
}

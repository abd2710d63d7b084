package protocol

// NewRequest returns an empty request for k at version v, or nil for an API
// rawkafka does not speak. Tools that decode captured traffic (fixture tests,
// fuzz targets, test brokers) use it to pick the type from the header.
func NewRequest(k APIKey, v int16) Request {
	var m Request
	switch k {
	case KeyFetch:
		m = &FetchRequest{}
	case KeyListOffsets:
		m = &ListOffsetsRequest{}
	case KeyMetadata:
		m = &MetadataRequest{}
	case KeyOffsetCommit:
		m = &OffsetCommitRequest{}
	case KeyOffsetFetch:
		m = &OffsetFetchRequest{}
	case KeyFindCoordinator:
		m = &FindCoordinatorRequest{}
	case KeyJoinGroup:
		m = &JoinGroupRequest{}
	case KeyHeartbeat:
		m = &HeartbeatRequest{}
	case KeyLeaveGroup:
		m = &LeaveGroupRequest{}
	case KeySyncGroup:
		m = &SyncGroupRequest{}
	case KeyDescribeGroups:
		m = &DescribeGroupsRequest{}
	case KeyListGroups:
		m = &ListGroupsRequest{}
	case KeySaslHandshake:
		m = &SaslHandshakeRequest{}
	case KeyApiVersions:
		m = &ApiVersionsRequest{}
	case KeyCreateTopics:
		m = &CreateTopicsRequest{}
	case KeyOffsetForLeaderEpoch:
		m = &OffsetForLeaderEpochRequest{}
	case KeySaslAuthenticate:
		m = &SaslAuthenticateRequest{}
	case KeyConsumerGroupHeartbeat:
		m = &ConsumerGroupHeartbeatRequest{}
	default:
		return nil
	}
	m.SetAPIVersion(v)
	return m
}

// NewResponse returns an empty response for k at version v, or nil for an
// API rawkafka does not speak.
func NewResponse(k APIKey, v int16) Response {
	req := NewRequest(k, v)
	if req == nil {
		return nil
	}
	return req.NewResponse()
}

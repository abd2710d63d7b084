// One fuzz target per message decoder; each calls fuzzMessage.

package fuzz

import (
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

func FuzzApiVersionsRequest(f *testing.F) {
	cluster := "MkU3OEVBNTcwNTJENDM2Qg"
	fuzzMessage(f, protocol.KeyApiVersions, true, // v5 (Kafka 4.4, KIP-1242): no capture yet
		&protocol.ApiVersionsRequest{Version: 5, ClientSoftwareName: "rawkafka", ClientSoftwareVersion: "0.1", ClusterId: &cluster, NodeId: 1})
}

func FuzzApiVersionsResponse(f *testing.F) {
	fuzzMessage(f, protocol.KeyApiVersions, false,
		&protocol.ApiVersionsResponse{Version: 5, ErrorCode: protocol.ErrRebootstrapRequired.Code, FinalizedFeaturesEpoch: -1},
		&protocol.ApiVersionsResponse{Version: 5, FinalizedFeaturesEpoch: 3,
			ApiKeys:           []protocol.ApiVersionsKey{{ApiKey: 18, MinVersion: 0, MaxVersion: 5}, {ApiKey: 2, MinVersion: 1, MaxVersion: 11}},
			SupportedFeatures: []protocol.ApiVersionsFeature{{Name: "metadata.version", MinVersion: 7, MaxVersion: 29}}})
}

func FuzzMetadataRequest(f *testing.F) { fuzzMessage(f, protocol.KeyMetadata, true) }

func FuzzMetadataResponse(f *testing.F) { fuzzMessage(f, protocol.KeyMetadata, false) }

func FuzzFindCoordinatorRequest(f *testing.F) { fuzzMessage(f, protocol.KeyFindCoordinator, true) }

func FuzzFindCoordinatorResponse(f *testing.F) { fuzzMessage(f, protocol.KeyFindCoordinator, false) }

func FuzzListOffsetsRequest(f *testing.F) {
	fuzzMessage(f, protocol.KeyListOffsets, true, // v11 (KIP-1023): no capture yet
		&protocol.ListOffsetsRequest{Version: 11, ReplicaId: -1, IsolationLevel: 1, TimeoutMs: 30000,
			Topics: []protocol.ListOffsetsRequestTopic{{Name: "t", Partitions: []protocol.ListOffsetsRequestPartition{
				{PartitionIndex: 0, CurrentLeaderEpoch: 4, Timestamp: protocol.ListOffsetsEarliestPendingUpload}}}}})
}

func FuzzListOffsetsResponse(f *testing.F) {
	fuzzMessage(f, protocol.KeyListOffsets, false,
		&protocol.ListOffsetsResponse{Version: 11, Topics: []protocol.ListOffsetsResponseTopic{{Name: "t",
			Partitions: []protocol.ListOffsetsResponsePartition{{PartitionIndex: 0, Timestamp: -1, Offset: 42, LeaderEpoch: 4}}}}})
}

func FuzzFetchRequest(f *testing.F) { fuzzMessage(f, protocol.KeyFetch, true) }

func FuzzFetchResponse(f *testing.F) { fuzzMessage(f, protocol.KeyFetch, false) }

func FuzzOffsetForLeaderEpochRequest(f *testing.F) {
	fuzzMessage(f, protocol.KeyOffsetForLeaderEpoch, true)
}

func FuzzOffsetForLeaderEpochResponse(f *testing.F) {
	fuzzMessage(f, protocol.KeyOffsetForLeaderEpoch, false)
}

func FuzzJoinGroupRequest(f *testing.F) { fuzzMessage(f, protocol.KeyJoinGroup, true) }

func FuzzJoinGroupResponse(f *testing.F) { fuzzMessage(f, protocol.KeyJoinGroup, false) }

func FuzzSyncGroupRequest(f *testing.F) { fuzzMessage(f, protocol.KeySyncGroup, true) }

func FuzzSyncGroupResponse(f *testing.F) { fuzzMessage(f, protocol.KeySyncGroup, false) }

func FuzzHeartbeatRequest(f *testing.F) { fuzzMessage(f, protocol.KeyHeartbeat, true) }

func FuzzHeartbeatResponse(f *testing.F) { fuzzMessage(f, protocol.KeyHeartbeat, false) }

func FuzzLeaveGroupRequest(f *testing.F) { fuzzMessage(f, protocol.KeyLeaveGroup, true) }

func FuzzLeaveGroupResponse(f *testing.F) { fuzzMessage(f, protocol.KeyLeaveGroup, false) }

func FuzzOffsetCommitRequest(f *testing.F) { fuzzMessage(f, protocol.KeyOffsetCommit, true) }

func FuzzOffsetCommitResponse(f *testing.F) { fuzzMessage(f, protocol.KeyOffsetCommit, false) }

func FuzzOffsetFetchRequest(f *testing.F) { fuzzMessage(f, protocol.KeyOffsetFetch, true) }

func FuzzOffsetFetchResponse(f *testing.F) { fuzzMessage(f, protocol.KeyOffsetFetch, false) }

func FuzzDescribeGroupsRequest(f *testing.F) { fuzzMessage(f, protocol.KeyDescribeGroups, true) }

func FuzzDescribeGroupsResponse(f *testing.F) { fuzzMessage(f, protocol.KeyDescribeGroups, false) }

func FuzzListGroupsRequest(f *testing.F) { fuzzMessage(f, protocol.KeyListGroups, true) }

func FuzzListGroupsResponse(f *testing.F) { fuzzMessage(f, protocol.KeyListGroups, false) }

func FuzzConsumerGroupHeartbeatRequest(f *testing.F) {
	fuzzMessage(f, protocol.KeyConsumerGroupHeartbeat, true)
}

func FuzzConsumerGroupHeartbeatResponse(f *testing.F) {
	fuzzMessage(f, protocol.KeyConsumerGroupHeartbeat, false)
}

func FuzzSaslHandshakeRequest(f *testing.F) { fuzzMessage(f, protocol.KeySaslHandshake, true) }

func FuzzSaslHandshakeResponse(f *testing.F) { fuzzMessage(f, protocol.KeySaslHandshake, false) }

func FuzzSaslAuthenticateRequest(f *testing.F) { fuzzMessage(f, protocol.KeySaslAuthenticate, true) }

func FuzzSaslAuthenticateResponse(f *testing.F) { fuzzMessage(f, protocol.KeySaslAuthenticate, false) }

func FuzzCreateTopicsRequest(f *testing.F) { fuzzMessage(f, protocol.KeyCreateTopics, true) }

func FuzzCreateTopicsResponse(f *testing.F) { fuzzMessage(f, protocol.KeyCreateTopics, false) }

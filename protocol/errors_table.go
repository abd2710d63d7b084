// Code generated from the error table of Apache Kafka 4.4.0 (code, name, retriable); DO NOT EDIT.
// Regenerate with scripts/gen-errors if Kafka adds codes.

package protocol

// The error codes a Kafka broker can return, as values for errors.Is.
var (
	ErrUnknownServerError                     = &Error{Code: -1, Name: "UNKNOWN_SERVER_ERROR", Retriable: false}
	ErrOffsetOutOfRange                       = &Error{Code: 1, Name: "OFFSET_OUT_OF_RANGE", Retriable: false}
	ErrCorruptMessage                         = &Error{Code: 2, Name: "CORRUPT_MESSAGE", Retriable: true}
	ErrUnknownTopicOrPartition                = &Error{Code: 3, Name: "UNKNOWN_TOPIC_OR_PARTITION", Retriable: true}
	ErrInvalidFetchSize                       = &Error{Code: 4, Name: "INVALID_FETCH_SIZE", Retriable: false}
	ErrLeaderNotAvailable                     = &Error{Code: 5, Name: "LEADER_NOT_AVAILABLE", Retriable: true}
	ErrNotLeaderOrFollower                    = &Error{Code: 6, Name: "NOT_LEADER_OR_FOLLOWER", Retriable: true}
	ErrRequestTimedOut                        = &Error{Code: 7, Name: "REQUEST_TIMED_OUT", Retriable: true}
	ErrBrokerNotAvailable                     = &Error{Code: 8, Name: "BROKER_NOT_AVAILABLE", Retriable: false}
	ErrReplicaNotAvailable                    = &Error{Code: 9, Name: "REPLICA_NOT_AVAILABLE", Retriable: true}
	ErrMessageTooLarge                        = &Error{Code: 10, Name: "MESSAGE_TOO_LARGE", Retriable: false}
	ErrStaleControllerEpoch                   = &Error{Code: 11, Name: "STALE_CONTROLLER_EPOCH", Retriable: false}
	ErrOffsetMetadataTooLarge                 = &Error{Code: 12, Name: "OFFSET_METADATA_TOO_LARGE", Retriable: false}
	ErrNetworkException                       = &Error{Code: 13, Name: "NETWORK_EXCEPTION", Retriable: true}
	ErrCoordinatorLoadInProgress              = &Error{Code: 14, Name: "COORDINATOR_LOAD_IN_PROGRESS", Retriable: true}
	ErrCoordinatorNotAvailable                = &Error{Code: 15, Name: "COORDINATOR_NOT_AVAILABLE", Retriable: true}
	ErrNotCoordinator                         = &Error{Code: 16, Name: "NOT_COORDINATOR", Retriable: true}
	ErrInvalidTopicException                  = &Error{Code: 17, Name: "INVALID_TOPIC_EXCEPTION", Retriable: false}
	ErrRecordListTooLarge                     = &Error{Code: 18, Name: "RECORD_LIST_TOO_LARGE", Retriable: false}
	ErrNotEnoughReplicas                      = &Error{Code: 19, Name: "NOT_ENOUGH_REPLICAS", Retriable: true}
	ErrNotEnoughReplicasAfterAppend           = &Error{Code: 20, Name: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", Retriable: true}
	ErrInvalidRequiredAcks                    = &Error{Code: 21, Name: "INVALID_REQUIRED_ACKS", Retriable: false}
	ErrIllegalGeneration                      = &Error{Code: 22, Name: "ILLEGAL_GENERATION", Retriable: false}
	ErrInconsistentGroupProtocol              = &Error{Code: 23, Name: "INCONSISTENT_GROUP_PROTOCOL", Retriable: false}
	ErrInvalidGroupId                         = &Error{Code: 24, Name: "INVALID_GROUP_ID", Retriable: false}
	ErrUnknownMemberId                        = &Error{Code: 25, Name: "UNKNOWN_MEMBER_ID", Retriable: false}
	ErrInvalidSessionTimeout                  = &Error{Code: 26, Name: "INVALID_SESSION_TIMEOUT", Retriable: false}
	ErrRebalanceInProgress                    = &Error{Code: 27, Name: "REBALANCE_IN_PROGRESS", Retriable: false}
	ErrInvalidCommitOffsetSize                = &Error{Code: 28, Name: "INVALID_COMMIT_OFFSET_SIZE", Retriable: false}
	ErrTopicAuthorizationFailed               = &Error{Code: 29, Name: "TOPIC_AUTHORIZATION_FAILED", Retriable: false}
	ErrGroupAuthorizationFailed               = &Error{Code: 30, Name: "GROUP_AUTHORIZATION_FAILED", Retriable: false}
	ErrClusterAuthorizationFailed             = &Error{Code: 31, Name: "CLUSTER_AUTHORIZATION_FAILED", Retriable: false}
	ErrInvalidTimestamp                       = &Error{Code: 32, Name: "INVALID_TIMESTAMP", Retriable: false}
	ErrUnsupportedSaslMechanism               = &Error{Code: 33, Name: "UNSUPPORTED_SASL_MECHANISM", Retriable: false}
	ErrIllegalSaslState                       = &Error{Code: 34, Name: "ILLEGAL_SASL_STATE", Retriable: false}
	ErrUnsupportedVersion                     = &Error{Code: 35, Name: "UNSUPPORTED_VERSION", Retriable: false}
	ErrTopicAlreadyExists                     = &Error{Code: 36, Name: "TOPIC_ALREADY_EXISTS", Retriable: false}
	ErrInvalidPartitions                      = &Error{Code: 37, Name: "INVALID_PARTITIONS", Retriable: false}
	ErrInvalidReplicationFactor               = &Error{Code: 38, Name: "INVALID_REPLICATION_FACTOR", Retriable: false}
	ErrInvalidReplicaAssignment               = &Error{Code: 39, Name: "INVALID_REPLICA_ASSIGNMENT", Retriable: false}
	ErrInvalidConfig                          = &Error{Code: 40, Name: "INVALID_CONFIG", Retriable: false}
	ErrNotController                          = &Error{Code: 41, Name: "NOT_CONTROLLER", Retriable: true}
	ErrInvalidRequest                         = &Error{Code: 42, Name: "INVALID_REQUEST", Retriable: false}
	ErrUnsupportedForMessageFormat            = &Error{Code: 43, Name: "UNSUPPORTED_FOR_MESSAGE_FORMAT", Retriable: false}
	ErrPolicyViolation                        = &Error{Code: 44, Name: "POLICY_VIOLATION", Retriable: false}
	ErrOutOfOrderSequenceNumber               = &Error{Code: 45, Name: "OUT_OF_ORDER_SEQUENCE_NUMBER", Retriable: false}
	ErrDuplicateSequenceNumber                = &Error{Code: 46, Name: "DUPLICATE_SEQUENCE_NUMBER", Retriable: false}
	ErrInvalidProducerEpoch                   = &Error{Code: 47, Name: "INVALID_PRODUCER_EPOCH", Retriable: false}
	ErrInvalidTxnState                        = &Error{Code: 48, Name: "INVALID_TXN_STATE", Retriable: false}
	ErrInvalidProducerIdMapping               = &Error{Code: 49, Name: "INVALID_PRODUCER_ID_MAPPING", Retriable: false}
	ErrInvalidTransactionTimeout              = &Error{Code: 50, Name: "INVALID_TRANSACTION_TIMEOUT", Retriable: false}
	ErrConcurrentTransactions                 = &Error{Code: 51, Name: "CONCURRENT_TRANSACTIONS", Retriable: true}
	ErrTransactionCoordinatorFenced           = &Error{Code: 52, Name: "TRANSACTION_COORDINATOR_FENCED", Retriable: false}
	ErrTransactionalIdAuthorizationFailed     = &Error{Code: 53, Name: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", Retriable: false}
	ErrSecurityDisabled                       = &Error{Code: 54, Name: "SECURITY_DISABLED", Retriable: false}
	ErrOperationNotAttempted                  = &Error{Code: 55, Name: "OPERATION_NOT_ATTEMPTED", Retriable: false}
	ErrKafkaStorageError                      = &Error{Code: 56, Name: "KAFKA_STORAGE_ERROR", Retriable: true}
	ErrLogDirNotFound                         = &Error{Code: 57, Name: "LOG_DIR_NOT_FOUND", Retriable: false}
	ErrSaslAuthenticationFailed               = &Error{Code: 58, Name: "SASL_AUTHENTICATION_FAILED", Retriable: false}
	ErrUnknownProducerId                      = &Error{Code: 59, Name: "UNKNOWN_PRODUCER_ID", Retriable: false}
	ErrReassignmentInProgress                 = &Error{Code: 60, Name: "REASSIGNMENT_IN_PROGRESS", Retriable: false}
	ErrDelegationTokenAuthDisabled            = &Error{Code: 61, Name: "DELEGATION_TOKEN_AUTH_DISABLED", Retriable: false}
	ErrDelegationTokenNotFound                = &Error{Code: 62, Name: "DELEGATION_TOKEN_NOT_FOUND", Retriable: false}
	ErrDelegationTokenOwnerMismatch           = &Error{Code: 63, Name: "DELEGATION_TOKEN_OWNER_MISMATCH", Retriable: false}
	ErrDelegationTokenRequestNotAllowed       = &Error{Code: 64, Name: "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", Retriable: false}
	ErrDelegationTokenAuthorizationFailed     = &Error{Code: 65, Name: "DELEGATION_TOKEN_AUTHORIZATION_FAILED", Retriable: false}
	ErrDelegationTokenExpired                 = &Error{Code: 66, Name: "DELEGATION_TOKEN_EXPIRED", Retriable: false}
	ErrInvalidPrincipalType                   = &Error{Code: 67, Name: "INVALID_PRINCIPAL_TYPE", Retriable: false}
	ErrNonEmptyGroup                          = &Error{Code: 68, Name: "NON_EMPTY_GROUP", Retriable: false}
	ErrGroupIdNotFound                        = &Error{Code: 69, Name: "GROUP_ID_NOT_FOUND", Retriable: false}
	ErrFetchSessionIdNotFound                 = &Error{Code: 70, Name: "FETCH_SESSION_ID_NOT_FOUND", Retriable: true}
	ErrInvalidFetchSessionEpoch               = &Error{Code: 71, Name: "INVALID_FETCH_SESSION_EPOCH", Retriable: true}
	ErrListenerNotFound                       = &Error{Code: 72, Name: "LISTENER_NOT_FOUND", Retriable: true}
	ErrTopicDeletionDisabled                  = &Error{Code: 73, Name: "TOPIC_DELETION_DISABLED", Retriable: false}
	ErrFencedLeaderEpoch                      = &Error{Code: 74, Name: "FENCED_LEADER_EPOCH", Retriable: true}
	ErrUnknownLeaderEpoch                     = &Error{Code: 75, Name: "UNKNOWN_LEADER_EPOCH", Retriable: true}
	ErrUnsupportedCompressionType             = &Error{Code: 76, Name: "UNSUPPORTED_COMPRESSION_TYPE", Retriable: false}
	ErrStaleBrokerEpoch                       = &Error{Code: 77, Name: "STALE_BROKER_EPOCH", Retriable: false}
	ErrOffsetNotAvailable                     = &Error{Code: 78, Name: "OFFSET_NOT_AVAILABLE", Retriable: true}
	ErrMemberIdRequired                       = &Error{Code: 79, Name: "MEMBER_ID_REQUIRED", Retriable: false}
	ErrPreferredLeaderNotAvailable            = &Error{Code: 80, Name: "PREFERRED_LEADER_NOT_AVAILABLE", Retriable: true}
	ErrGroupMaxSizeReached                    = &Error{Code: 81, Name: "GROUP_MAX_SIZE_REACHED", Retriable: false}
	ErrFencedInstanceId                       = &Error{Code: 82, Name: "FENCED_INSTANCE_ID", Retriable: false}
	ErrEligibleLeadersNotAvailable            = &Error{Code: 83, Name: "ELIGIBLE_LEADERS_NOT_AVAILABLE", Retriable: true}
	ErrElectionNotNeeded                      = &Error{Code: 84, Name: "ELECTION_NOT_NEEDED", Retriable: true}
	ErrNoReassignmentInProgress               = &Error{Code: 85, Name: "NO_REASSIGNMENT_IN_PROGRESS", Retriable: false}
	ErrGroupSubscribedToTopic                 = &Error{Code: 86, Name: "GROUP_SUBSCRIBED_TO_TOPIC", Retriable: false}
	ErrInvalidRecord                          = &Error{Code: 87, Name: "INVALID_RECORD", Retriable: false}
	ErrUnstableOffsetCommit                   = &Error{Code: 88, Name: "UNSTABLE_OFFSET_COMMIT", Retriable: true}
	ErrThrottlingQuotaExceeded                = &Error{Code: 89, Name: "THROTTLING_QUOTA_EXCEEDED", Retriable: true}
	ErrProducerFenced                         = &Error{Code: 90, Name: "PRODUCER_FENCED", Retriable: false}
	ErrResourceNotFound                       = &Error{Code: 91, Name: "RESOURCE_NOT_FOUND", Retriable: false}
	ErrDuplicateResource                      = &Error{Code: 92, Name: "DUPLICATE_RESOURCE", Retriable: false}
	ErrUnacceptableCredential                 = &Error{Code: 93, Name: "UNACCEPTABLE_CREDENTIAL", Retriable: false}
	ErrInconsistentVoterSet                   = &Error{Code: 94, Name: "INCONSISTENT_VOTER_SET", Retriable: false}
	ErrInvalidUpdateVersion                   = &Error{Code: 95, Name: "INVALID_UPDATE_VERSION", Retriable: false}
	ErrFeatureUpdateFailed                    = &Error{Code: 96, Name: "FEATURE_UPDATE_FAILED", Retriable: false}
	ErrPrincipalDeserializationFailure        = &Error{Code: 97, Name: "PRINCIPAL_DESERIALIZATION_FAILURE", Retriable: false}
	ErrSnapshotNotFound                       = &Error{Code: 98, Name: "SNAPSHOT_NOT_FOUND", Retriable: false}
	ErrPositionOutOfRange                     = &Error{Code: 99, Name: "POSITION_OUT_OF_RANGE", Retriable: false}
	ErrUnknownTopicId                         = &Error{Code: 100, Name: "UNKNOWN_TOPIC_ID", Retriable: true}
	ErrDuplicateBrokerRegistration            = &Error{Code: 101, Name: "DUPLICATE_BROKER_REGISTRATION", Retriable: false}
	ErrBrokerIdNotRegistered                  = &Error{Code: 102, Name: "BROKER_ID_NOT_REGISTERED", Retriable: false}
	ErrInconsistentTopicId                    = &Error{Code: 103, Name: "INCONSISTENT_TOPIC_ID", Retriable: true}
	ErrInconsistentClusterId                  = &Error{Code: 104, Name: "INCONSISTENT_CLUSTER_ID", Retriable: false}
	ErrTransactionalIdNotFound                = &Error{Code: 105, Name: "TRANSACTIONAL_ID_NOT_FOUND", Retriable: false}
	ErrFetchSessionTopicIdError               = &Error{Code: 106, Name: "FETCH_SESSION_TOPIC_ID_ERROR", Retriable: true}
	ErrIneligibleReplica                      = &Error{Code: 107, Name: "INELIGIBLE_REPLICA", Retriable: false}
	ErrNewLeaderElected                       = &Error{Code: 108, Name: "NEW_LEADER_ELECTED", Retriable: false}
	ErrOffsetMovedToTieredStorage             = &Error{Code: 109, Name: "OFFSET_MOVED_TO_TIERED_STORAGE", Retriable: false}
	ErrFencedMemberEpoch                      = &Error{Code: 110, Name: "FENCED_MEMBER_EPOCH", Retriable: false}
	ErrUnreleasedInstanceId                   = &Error{Code: 111, Name: "UNRELEASED_INSTANCE_ID", Retriable: false}
	ErrUnsupportedAssignor                    = &Error{Code: 112, Name: "UNSUPPORTED_ASSIGNOR", Retriable: false}
	ErrStaleMemberEpoch                       = &Error{Code: 113, Name: "STALE_MEMBER_EPOCH", Retriable: false}
	ErrMismatchedEndpointType                 = &Error{Code: 114, Name: "MISMATCHED_ENDPOINT_TYPE", Retriable: false}
	ErrUnsupportedEndpointType                = &Error{Code: 115, Name: "UNSUPPORTED_ENDPOINT_TYPE", Retriable: false}
	ErrUnknownControllerId                    = &Error{Code: 116, Name: "UNKNOWN_CONTROLLER_ID", Retriable: false}
	ErrUnknownSubscriptionId                  = &Error{Code: 117, Name: "UNKNOWN_SUBSCRIPTION_ID", Retriable: false}
	ErrTelemetryTooLarge                      = &Error{Code: 118, Name: "TELEMETRY_TOO_LARGE", Retriable: false}
	ErrInvalidRegistration                    = &Error{Code: 119, Name: "INVALID_REGISTRATION", Retriable: false}
	ErrTransactionAbortable                   = &Error{Code: 120, Name: "TRANSACTION_ABORTABLE", Retriable: false}
	ErrInvalidRecordState                     = &Error{Code: 121, Name: "INVALID_RECORD_STATE", Retriable: false}
	ErrShareSessionNotFound                   = &Error{Code: 122, Name: "SHARE_SESSION_NOT_FOUND", Retriable: true}
	ErrInvalidShareSessionEpoch               = &Error{Code: 123, Name: "INVALID_SHARE_SESSION_EPOCH", Retriable: true}
	ErrFencedStateEpoch                       = &Error{Code: 124, Name: "FENCED_STATE_EPOCH", Retriable: false}
	ErrInvalidVoterKey                        = &Error{Code: 125, Name: "INVALID_VOTER_KEY", Retriable: false}
	ErrDuplicateVoter                         = &Error{Code: 126, Name: "DUPLICATE_VOTER", Retriable: false}
	ErrVoterNotFound                          = &Error{Code: 127, Name: "VOTER_NOT_FOUND", Retriable: false}
	ErrInvalidRegularExpression               = &Error{Code: 128, Name: "INVALID_REGULAR_EXPRESSION", Retriable: false}
	ErrRebootstrapRequired                    = &Error{Code: 129, Name: "REBOOTSTRAP_REQUIRED", Retriable: false}
	ErrStreamsInvalidTopology                 = &Error{Code: 130, Name: "STREAMS_INVALID_TOPOLOGY", Retriable: false}
	ErrStreamsInvalidTopologyEpoch            = &Error{Code: 131, Name: "STREAMS_INVALID_TOPOLOGY_EPOCH", Retriable: false}
	ErrStreamsTopologyFenced                  = &Error{Code: 132, Name: "STREAMS_TOPOLOGY_FENCED", Retriable: false}
	ErrShareSessionLimitReached               = &Error{Code: 133, Name: "SHARE_SESSION_LIMIT_REACHED", Retriable: true}
	ErrGroupDeletionFailed                    = &Error{Code: 134, Name: "GROUP_DELETION_FAILED", Retriable: false}
	ErrStreamsTopologyDescriptionUpdateFailed = &Error{Code: 135, Name: "STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED", Retriable: false}
	ErrControllerIdNotRegistered              = &Error{Code: 136, Name: "CONTROLLER_ID_NOT_REGISTERED", Retriable: false}
)

var errorsByCode = map[int16]*Error{
	-1:  ErrUnknownServerError,
	1:   ErrOffsetOutOfRange,
	2:   ErrCorruptMessage,
	3:   ErrUnknownTopicOrPartition,
	4:   ErrInvalidFetchSize,
	5:   ErrLeaderNotAvailable,
	6:   ErrNotLeaderOrFollower,
	7:   ErrRequestTimedOut,
	8:   ErrBrokerNotAvailable,
	9:   ErrReplicaNotAvailable,
	10:  ErrMessageTooLarge,
	11:  ErrStaleControllerEpoch,
	12:  ErrOffsetMetadataTooLarge,
	13:  ErrNetworkException,
	14:  ErrCoordinatorLoadInProgress,
	15:  ErrCoordinatorNotAvailable,
	16:  ErrNotCoordinator,
	17:  ErrInvalidTopicException,
	18:  ErrRecordListTooLarge,
	19:  ErrNotEnoughReplicas,
	20:  ErrNotEnoughReplicasAfterAppend,
	21:  ErrInvalidRequiredAcks,
	22:  ErrIllegalGeneration,
	23:  ErrInconsistentGroupProtocol,
	24:  ErrInvalidGroupId,
	25:  ErrUnknownMemberId,
	26:  ErrInvalidSessionTimeout,
	27:  ErrRebalanceInProgress,
	28:  ErrInvalidCommitOffsetSize,
	29:  ErrTopicAuthorizationFailed,
	30:  ErrGroupAuthorizationFailed,
	31:  ErrClusterAuthorizationFailed,
	32:  ErrInvalidTimestamp,
	33:  ErrUnsupportedSaslMechanism,
	34:  ErrIllegalSaslState,
	35:  ErrUnsupportedVersion,
	36:  ErrTopicAlreadyExists,
	37:  ErrInvalidPartitions,
	38:  ErrInvalidReplicationFactor,
	39:  ErrInvalidReplicaAssignment,
	40:  ErrInvalidConfig,
	41:  ErrNotController,
	42:  ErrInvalidRequest,
	43:  ErrUnsupportedForMessageFormat,
	44:  ErrPolicyViolation,
	45:  ErrOutOfOrderSequenceNumber,
	46:  ErrDuplicateSequenceNumber,
	47:  ErrInvalidProducerEpoch,
	48:  ErrInvalidTxnState,
	49:  ErrInvalidProducerIdMapping,
	50:  ErrInvalidTransactionTimeout,
	51:  ErrConcurrentTransactions,
	52:  ErrTransactionCoordinatorFenced,
	53:  ErrTransactionalIdAuthorizationFailed,
	54:  ErrSecurityDisabled,
	55:  ErrOperationNotAttempted,
	56:  ErrKafkaStorageError,
	57:  ErrLogDirNotFound,
	58:  ErrSaslAuthenticationFailed,
	59:  ErrUnknownProducerId,
	60:  ErrReassignmentInProgress,
	61:  ErrDelegationTokenAuthDisabled,
	62:  ErrDelegationTokenNotFound,
	63:  ErrDelegationTokenOwnerMismatch,
	64:  ErrDelegationTokenRequestNotAllowed,
	65:  ErrDelegationTokenAuthorizationFailed,
	66:  ErrDelegationTokenExpired,
	67:  ErrInvalidPrincipalType,
	68:  ErrNonEmptyGroup,
	69:  ErrGroupIdNotFound,
	70:  ErrFetchSessionIdNotFound,
	71:  ErrInvalidFetchSessionEpoch,
	72:  ErrListenerNotFound,
	73:  ErrTopicDeletionDisabled,
	74:  ErrFencedLeaderEpoch,
	75:  ErrUnknownLeaderEpoch,
	76:  ErrUnsupportedCompressionType,
	77:  ErrStaleBrokerEpoch,
	78:  ErrOffsetNotAvailable,
	79:  ErrMemberIdRequired,
	80:  ErrPreferredLeaderNotAvailable,
	81:  ErrGroupMaxSizeReached,
	82:  ErrFencedInstanceId,
	83:  ErrEligibleLeadersNotAvailable,
	84:  ErrElectionNotNeeded,
	85:  ErrNoReassignmentInProgress,
	86:  ErrGroupSubscribedToTopic,
	87:  ErrInvalidRecord,
	88:  ErrUnstableOffsetCommit,
	89:  ErrThrottlingQuotaExceeded,
	90:  ErrProducerFenced,
	91:  ErrResourceNotFound,
	92:  ErrDuplicateResource,
	93:  ErrUnacceptableCredential,
	94:  ErrInconsistentVoterSet,
	95:  ErrInvalidUpdateVersion,
	96:  ErrFeatureUpdateFailed,
	97:  ErrPrincipalDeserializationFailure,
	98:  ErrSnapshotNotFound,
	99:  ErrPositionOutOfRange,
	100: ErrUnknownTopicId,
	101: ErrDuplicateBrokerRegistration,
	102: ErrBrokerIdNotRegistered,
	103: ErrInconsistentTopicId,
	104: ErrInconsistentClusterId,
	105: ErrTransactionalIdNotFound,
	106: ErrFetchSessionTopicIdError,
	107: ErrIneligibleReplica,
	108: ErrNewLeaderElected,
	109: ErrOffsetMovedToTieredStorage,
	110: ErrFencedMemberEpoch,
	111: ErrUnreleasedInstanceId,
	112: ErrUnsupportedAssignor,
	113: ErrStaleMemberEpoch,
	114: ErrMismatchedEndpointType,
	115: ErrUnsupportedEndpointType,
	116: ErrUnknownControllerId,
	117: ErrUnknownSubscriptionId,
	118: ErrTelemetryTooLarge,
	119: ErrInvalidRegistration,
	120: ErrTransactionAbortable,
	121: ErrInvalidRecordState,
	122: ErrShareSessionNotFound,
	123: ErrInvalidShareSessionEpoch,
	124: ErrFencedStateEpoch,
	125: ErrInvalidVoterKey,
	126: ErrDuplicateVoter,
	127: ErrVoterNotFound,
	128: ErrInvalidRegularExpression,
	129: ErrRebootstrapRequired,
	130: ErrStreamsInvalidTopology,
	131: ErrStreamsInvalidTopologyEpoch,
	132: ErrStreamsTopologyFenced,
	133: ErrShareSessionLimitReached,
	134: ErrGroupDeletionFailed,
	135: ErrStreamsTopologyDescriptionUpdateFailed,
	136: ErrControllerIdNotRegistered,
}

package protocol

import "fmt"

// APIKey identifies a Kafka API.
type APIKey int16

// The APIs rawkafka speaks.
const (
	KeyFetch                  APIKey = 1
	KeyListOffsets            APIKey = 2
	KeyMetadata               APIKey = 3
	KeyOffsetCommit           APIKey = 8
	KeyOffsetFetch            APIKey = 9
	KeyFindCoordinator        APIKey = 10
	KeyJoinGroup              APIKey = 11
	KeyHeartbeat              APIKey = 12
	KeyLeaveGroup             APIKey = 13
	KeySyncGroup              APIKey = 14
	KeyDescribeGroups         APIKey = 15
	KeyListGroups             APIKey = 16
	KeySaslHandshake          APIKey = 17
	KeyApiVersions            APIKey = 18
	KeyCreateTopics           APIKey = 19
	KeyOffsetForLeaderEpoch   APIKey = 23
	KeySaslAuthenticate       APIKey = 36
	KeyConsumerGroupHeartbeat APIKey = 68
)

// api describes what rawkafka supports of one API: the union of the versions
// Kafka 3.9 to 4.4 serve, and the first flexible version (-1: never).
type api struct {
	name         string
	min, max     int16
	flexibleFrom int16
}

var apis = map[APIKey]api{
	KeyFetch:                  {"Fetch", 0, 18, 12},
	KeyListOffsets:            {"ListOffsets", 0, 11, 6},
	KeyMetadata:               {"Metadata", 0, 13, 9},
	KeyOffsetCommit:           {"OffsetCommit", 0, 10, 8},
	KeyOffsetFetch:            {"OffsetFetch", 0, 10, 6},
	KeyFindCoordinator:        {"FindCoordinator", 0, 6, 3},
	KeyJoinGroup:              {"JoinGroup", 0, 9, 6},
	KeyHeartbeat:              {"Heartbeat", 0, 4, 4},
	KeyLeaveGroup:             {"LeaveGroup", 0, 5, 4},
	KeySyncGroup:              {"SyncGroup", 0, 5, 4},
	KeyDescribeGroups:         {"DescribeGroups", 0, 6, 5},
	KeyListGroups:             {"ListGroups", 0, 5, 3},
	KeySaslHandshake:          {"SaslHandshake", 0, 1, -1},
	KeyApiVersions:            {"ApiVersions", 0, 5, 3},
	KeyCreateTopics:           {"CreateTopics", 0, 7, 5},
	KeyOffsetForLeaderEpoch:   {"OffsetForLeaderEpoch", 0, 4, 4},
	KeySaslAuthenticate:       {"SaslAuthenticate", 0, 2, 2},
	KeyConsumerGroupHeartbeat: {"ConsumerGroupHeartbeat", 0, 1, 0},
}

// String returns the API's name, e.g. "Fetch".
func (k APIKey) String() string {
	if a, ok := apis[k]; ok {
		return a.name
	}
	return fmt.Sprintf("ApiKey(%d)", int16(k))
}

// VersionRange returns the versions rawkafka can encode and decode for k;
// ok is false for an API it does not speak.
func (k APIKey) VersionRange() (min, max int16, ok bool) {
	a, ok := apis[k]
	return a.min, a.max, ok
}

// Flexible reports whether version v of k uses the flexible encoding
// (compact lengths and tagged fields, KIP-482).
func (k APIKey) Flexible(v int16) bool {
	a, ok := apis[k]
	return ok && a.flexibleFrom >= 0 && v >= a.flexibleFrom
}

// Keys returns every API key rawkafka speaks, in ascending order.
func Keys() []APIKey {
	keys := make([]APIKey, 0, len(apis))
	for k := KeyFetch; k <= KeyConsumerGroupHeartbeat; k++ {
		if _, ok := apis[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// checkVersion returns an error if v is outside what rawkafka supports of k.
func checkVersion(k APIKey, v int16) error {
	a, ok := apis[k]
	if !ok || v < a.min || v > a.max {
		return fmt.Errorf("protocol: %s v%d is not supported (rawkafka speaks v%d-%d)", k, v, a.min, a.max)
	}
	return nil
}

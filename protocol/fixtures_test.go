package protocol_test

// Tests against the frames real brokers exchanged with rawkafka, captured by
// scripts/capture-fixtures into testdata/fixtures (see the README there).
// Every request and response must decode, carry the values the capture
// produced, and re-encode to exactly the bytes on the wire.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

const fixturesDir = "../testdata/fixtures"

// fixtureBrokers are the broker generations captured; each must have its
// directory.
var fixtureBrokers = []string{"kafka-3.9.1", "kafka-4.1.1", "kafka-4.4.0"}

// What internal/capture did, which the fixtures must show.
const (
	fxClientID   = "rawkafka-fixtures"
	fxTopic      = "fixtures"
	fxOldTopic   = "fixtures-old"
	fxGroup      = "fixtures-group"
	fxNewGroup   = "fixtures-consumer"
	fxPartitions = 3
	fxHost       = "127.0.0.1"
	fxNodeID     = 1
	fxMetadata   = "committed by rawkafka-fixtures"
)

// fxHighWater is the high watermark of each partition of fxTopic: three
// records each, plus a second batch of two in partition 0.
var fxHighWater = [fxPartitions]int64{5, 3, 3}

// fixture is one captured exchange: NAME-request.bin and NAME-response.bin.
type fixture struct {
	name    string // e.g. "JoinGroup-v9-member-id"
	key     protocol.APIKey
	version int16
	label   string // "" for the plain exchange at that version
	req     []byte // whole frames, size prefix included
	resp    []byte
}

var fixtureName = regexp.MustCompile(`^([A-Za-z]+)-v([0-9]+)(?:-([a-z0-9-]+))?$`)

func apiKeyByName(name string) (protocol.APIKey, bool) {
	for _, k := range protocol.Keys() {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

func loadFixtures(t *testing.T, dir string) []fixture {
	t.Helper()
	reqs, err := filepath.Glob(filepath.Join(dir, "*-request.bin"))
	if err != nil {
		t.Fatal(err)
	}
	resps, _ := filepath.Glob(filepath.Join(dir, "*-response.bin"))
	if len(resps) != len(reqs) {
		t.Errorf("%s: %d request files but %d response files", dir, len(reqs), len(resps))
	}
	var out []fixture
	for _, path := range reqs {
		name := strings.TrimSuffix(filepath.Base(path), "-request.bin")
		m := fixtureName.FindStringSubmatch(name)
		if m == nil {
			t.Errorf("%s: file name is not <Api>-v<N>[-label]-request.bin", path)
			continue
		}
		key, ok := apiKeyByName(m[1])
		if !ok {
			t.Errorf("%s: %q is not an API rawkafka speaks", path, m[1])
			continue
		}
		v, _ := strconv.Atoi(m[2])
		f := fixture{name: name, key: key, version: int16(v), label: m[3]}
		if f.req, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
		if f.resp, err = os.ReadFile(filepath.Join(dir, name+"-response.bin")); err != nil {
			t.Errorf("%s: no response: %v", name, err)
			continue
		}
		out = append(out, f)
	}
	return out
}

// TestFixtures decodes, checks and re-encodes every captured exchange, and
// checks that each broker generation has the lowest and highest version of
// every API that it and rawkafka have in common.
func TestFixtures(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(fixturesDir, "kafka-*"))
	for _, want := range fixtureBrokers {
		if !slices.Contains(dirs, filepath.Join(fixturesDir, want)) {
			t.Errorf("%s/%s is missing (capture it with scripts/capture-fixtures)", fixturesDir, want)
		}
	}
	for _, dir := range dirs {
		broker := filepath.Base(dir)
		t.Run(broker, func(t *testing.T) {
			fixtures := loadFixtures(t, dir)
			if len(fixtures) == 0 {
				t.Fatalf("%s holds no fixtures", dir)
			}
			byName := map[string]fixture{}
			for _, f := range fixtures {
				byName[f.name] = f
				t.Run(f.name, func(t *testing.T) {
					req, resp := roundTrip(t, f)
					checkFixture(t, f, req, resp)
				})
			}
			checkCoverage(t, byName)
		})
	}
}

// roundTrip decodes both frames of f, re-encodes them and compares the
// bytes, and returns the decoded messages.
func roundTrip(t *testing.T, f fixture) (protocol.Request, protocol.Response) {
	t.Helper()
	reqBody := frameBody(t, "request", f.req)
	var h protocol.RequestHeader
	body, err := h.Decode(reqBody)
	if err != nil {
		t.Fatalf("request header: %v", err)
	}
	if h.APIKey != f.key || h.APIVersion != f.version {
		t.Fatalf("request header says %s v%d, the file name %s v%d", h.APIKey, h.APIVersion, f.key, f.version)
	}
	if h.ClientID == nil || *h.ClientID != fxClientID {
		t.Errorf("client id %v, want %q", h.ClientID, fxClientID)
	}
	if len(h.Tags) != 0 {
		t.Errorf("request header has tagged fields %v", h.Tags)
	}
	req := protocol.NewRequest(f.key, f.version)
	if err := req.Decode(body); err != nil {
		t.Fatalf("request: %v\nbody: % x", err, body)
	}
	again, err := protocol.AppendRequest(nil, h.CorrelationID, h.ClientID, req)
	if err != nil {
		t.Fatalf("re-encoding the request: %v", err)
	}
	compareFrames(t, "request", again, f.req)

	respBody := frameBody(t, "response", f.resp)
	id, body, err := protocol.ParseResponseHeader(respBody, f.key, f.version)
	if err != nil {
		t.Fatalf("response header: %v", err)
	}
	if id != h.CorrelationID {
		t.Errorf("response correlation id %d, request %d", id, h.CorrelationID)
	}
	resp := req.NewResponse()
	if resp.APIVersion() != f.version {
		t.Fatalf("NewResponse has version %d, want %d", resp.APIVersion(), f.version)
	}
	if err := resp.Decode(body); err != nil {
		t.Fatalf("response: %v\nbody: % x", err, body)
	}
	again, err = protocol.AppendResponse(nil, id, resp)
	if err != nil {
		t.Fatalf("re-encoding the response: %v", err)
	}
	compareFrames(t, "response", again, f.resp)
	for _, m := range []any{req, resp} {
		if tags := unknownTags(reflect.ValueOf(m), ""); len(tags) > 0 {
			t.Errorf("%T has tagged fields the codec does not know: %s", m, strings.Join(tags, ", "))
		}
	}
	return req, resp
}

// frameBody checks a frame's size prefix and returns what follows it.
func frameBody(t *testing.T, what string, frame []byte) []byte {
	t.Helper()
	if len(frame) < 8 {
		t.Fatalf("%s frame of %d bytes", what, len(frame))
	}
	if size := binary.BigEndian.Uint32(frame); int(size) != len(frame)-4 {
		t.Fatalf("%s frame: size prefix %d, %d bytes follow", what, size, len(frame)-4)
	}
	return frame[4:]
}

// compareFrames reports the first differing byte and the bytes around it.
func compareFrames(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-16)
	t.Errorf("re-encoded %s differs from the broker's bytes at offset %d (lengths %d, want %d)\n got[%d:]: % x\nwant[%d:]: % x",
		what, i, len(got), len(want), lo, got[lo:min(len(got), i+32)], lo, want[lo:min(len(want), i+32)])
}

// unknownTags lists the tagged fields kept as unknown anywhere in a decoded
// message: a broker sending a tag the JSON defines means a codec misses it.
func unknownTags(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return unknownTags(v.Elem(), path)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[protocol.TaggedFields]() {
			var out []string
			for i := range v.Len() {
				out = append(out, fmt.Sprintf("%s tag %d", path, v.Index(i).Field(0).Uint()))
			}
			return out
		}
		if v.Type().Elem().Kind() != reflect.Struct {
			return nil
		}
		var out []string
		for i := range v.Len() {
			out = append(out, unknownTags(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, unknownTags(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
		return out
	}
	return nil
}

// notServed lists the APIs a broker generation serves no version of (in
// common with rawkafka); every other API must have fixtures.
var notServed = map[string][]protocol.APIKey{}

// extraExchanges are the labelled exchanges each broker must also have, at
// the highest version of their API.
var extraExchanges = map[protocol.APIKey][]string{
	protocol.KeyCreateTopics:           {"exists"},
	protocol.KeyFetch:                  {"out-of-range"},
	protocol.KeyJoinGroup:              {"member-id"},
	protocol.KeyConsumerGroupHeartbeat: {"leave"},
	protocol.KeySaslHandshake:          {"scram"},
	protocol.KeySaslAuthenticate:       {"bad-password", "scram-first", "scram-final"},
}

// checkCoverage checks that every API rawkafka speaks has fixtures at the
// lowest and highest version this broker serves of it, as its own
// ApiVersions fixture says.
func checkCoverage(t *testing.T, byName map[string]fixture) {
	t.Helper()
	var av *protocol.ApiVersionsResponse
	for _, f := range byName {
		if f.key == protocol.KeyApiVersions && f.label == "" && (av == nil || f.version > av.Version) {
			r := &protocol.ApiVersionsResponse{Version: f.version}
			_, body, err := protocol.ParseResponseHeader(f.resp[4:], f.key, f.version)
			if err != nil || r.Decode(body) != nil {
				t.Fatalf("%s does not decode", f.name)
			}
			av = r
		}
	}
	if av == nil {
		t.Fatal("no ApiVersions fixture: cannot tell which versions the broker serves")
	}
	served := map[protocol.APIKey][2]int16{}
	for _, k := range av.ApiKeys {
		served[protocol.APIKey(k.ApiKey)] = [2]int16{k.MinVersion, k.MaxVersion}
	}
	broker := strings.TrimPrefix(t.Name(), "TestFixtures/")
	var missing []string
	for _, k := range protocol.Keys() {
		lo, hi, _ := k.VersionRange()
		b, ok := served[k]
		lo, hi = max(lo, b[0]), min(hi, b[1])
		if !ok || lo > hi {
			if !slices.Contains(notServed[broker], k) {
				missing = append(missing, fmt.Sprintf("%s (the broker serves no version of it in common with rawkafka; list it in notServed if that is right)", k))
			}
			continue
		}
		if slices.Contains(notServed[broker], k) {
			t.Errorf("%s is listed in notServed but the broker serves v%d-%d", k, b[0], b[1])
		}
		var names []string
		for _, v := range []int16{lo, hi} {
			names = append(names, fmt.Sprintf("%s-v%d", k, v))
		}
		for _, label := range extraExchanges[k] {
			names = append(names, fmt.Sprintf("%s-v%d-%s", k, hi, label))
		}
		for _, name := range names {
			if _, ok := byName[name]; !ok {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("missing fixtures (the lowest and highest version of each API both sides support):\n  %s", strings.Join(slices.Compact(missing), "\n  "))
	}
}

func expect[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// expectCode compares Kafka error codes by name; want nil means NONE.
func expectCode(t *testing.T, what string, got int16, want *protocol.Error) {
	t.Helper()
	var code int16
	if want != nil {
		code = want.Code
	}
	if got != code {
		t.Errorf("%s = %v, want %v", what, codeName(got), codeName(code))
	}
}

func codeName(code int16) string {
	if err := protocol.ErrorForCode(code); err != nil {
		return err.(*protocol.Error).Name
	}
	return "NONE"
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// checkFixture checks the values the capture produced (see index.txt of each
// broker for what each exchange did).
func checkFixture(t *testing.T, f fixture, req protocol.Request, resp protocol.Response) {
	v := f.version
	switch r := resp.(type) {
	case *protocol.ApiVersionsResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		listed := map[protocol.APIKey]bool{}
		for _, k := range r.ApiKeys {
			listed[protocol.APIKey(k.ApiKey)] = true
		}
		for _, k := range []protocol.APIKey{protocol.KeyFetch, protocol.KeyMetadata, protocol.KeyApiVersions, protocol.KeyJoinGroup} {
			if !listed[k] {
				t.Errorf("ApiKeys does not list %s", k)
			}
		}
		if v >= 3 {
			expect(t, "request ClientSoftwareName", req.(*protocol.ApiVersionsRequest).ClientSoftwareName, "rawkafka")
			if len(r.FinalizedFeatures) == 0 || r.FinalizedFeaturesEpoch < 0 {
				t.Errorf("a KRaft broker finalizes features (metadata.version): got %d, epoch %d", len(r.FinalizedFeatures), r.FinalizedFeaturesEpoch)
			}
		}

	case *protocol.CreateTopicsResponse:
		if len(r.Topics) != 1 {
			t.Fatalf("%d topics, want 1", len(r.Topics))
		}
		tp := r.Topics[0]
		if f.label == "exists" {
			expect(t, "Name", tp.Name, fxTopic)
			expectCode(t, "ErrorCode", tp.ErrorCode, protocol.ErrTopicAlreadyExists)
			if v >= 1 && tp.ErrorMessage == nil {
				t.Error("no ErrorMessage")
			}
			break
		}
		expectCode(t, "ErrorCode", tp.ErrorCode, nil)
		want := fxTopic
		if req.(*protocol.CreateTopicsRequest).Topics[0].Name == fxOldTopic {
			want = fxOldTopic
		}
		expect(t, "Name", tp.Name, want)
		if v >= 5 {
			parts := int32(fxPartitions)
			if want == fxOldTopic {
				parts = 1
			}
			expect(t, "NumPartitions", tp.NumPartitions, parts)
			expect(t, "ReplicationFactor", tp.ReplicationFactor, 1)
			found := false
			for _, c := range tp.Configs {
				if c.Name == "retention.ms" && want == fxTopic {
					found = true
					expect(t, "retention.ms", str(c.Value), "604800000")
				}
			}
			if want == fxTopic && !found {
				t.Errorf("Configs (%d) lack retention.ms", len(tp.Configs))
			}
		}
		if v >= 7 && tp.TopicId.IsZero() {
			t.Error("TopicId is zero")
		}

	case *protocol.MetadataResponse:
		if len(r.Brokers) != 1 {
			t.Fatalf("%d brokers, want 1", len(r.Brokers))
		}
		expect(t, "Brokers[0].Host", r.Brokers[0].Host, fxHost)
		expect(t, "Brokers[0].NodeId", r.Brokers[0].NodeId, fxNodeID)
		if v >= 2 && r.ClusterId == nil {
			t.Error("ClusterId is null")
		}
		if v >= 1 {
			expect(t, "ControllerId", r.ControllerId, fxNodeID)
		}
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if len(r.Topics) != 1 {
			t.Fatalf("%d topics, want 1", len(r.Topics))
		}
		tp := r.Topics[0]
		expectCode(t, "topic ErrorCode", tp.ErrorCode, nil)
		expect(t, "topic Name", str(tp.Name), fxTopic)
		if v >= 10 && tp.TopicId.IsZero() {
			t.Error("TopicId is zero")
		}
		if len(tp.Partitions) != fxPartitions {
			t.Fatalf("%d partitions, want %d", len(tp.Partitions), fxPartitions)
		}
		seen := map[int32]bool{}
		for _, p := range tp.Partitions {
			seen[p.PartitionIndex] = true
			expectCode(t, "partition ErrorCode", p.ErrorCode, nil)
			expect(t, "LeaderId", p.LeaderId, fxNodeID)
			if !slices.Equal(p.ReplicaNodes, []int32{fxNodeID}) || !slices.Equal(p.IsrNodes, []int32{fxNodeID}) {
				t.Errorf("partition %d: replicas %v, isr %v, want [%d]", p.PartitionIndex, p.ReplicaNodes, p.IsrNodes, fxNodeID)
			}
			if v >= 7 && p.LeaderEpoch < 0 {
				t.Errorf("partition %d: LeaderEpoch %d", p.PartitionIndex, p.LeaderEpoch)
			}
		}
		if len(seen) != fxPartitions || !seen[0] || !seen[1] || !seen[2] {
			t.Errorf("partitions %v, want 0-2", seen)
		}

	case *protocol.ListOffsetsResponse:
		rq := req.(*protocol.ListOffsetsRequest)
		if len(r.Topics) != 1 || r.Topics[0].Name != fxTopic || len(r.Topics[0].Partitions) != fxPartitions {
			t.Fatalf("want topic %q with %d partitions, got %+v", fxTopic, fxPartitions, r.Topics)
		}
		for _, p := range r.Topics[0].Partitions {
			expectCode(t, "ErrorCode", p.ErrorCode, nil)
			i := p.PartitionIndex
			if i < 0 || i >= fxPartitions {
				t.Fatalf("partition %d", i)
			}
			var want int64
			switch rq.Topics[0].Partitions[i].Timestamp {
			case protocol.ListOffsetsEarliest:
				want = 0
			case protocol.ListOffsetsLatest:
				want = fxHighWater[i]
			case protocol.ListOffsetsMaxTimestamp:
				want = -2 // any record of the partition
			}
			got := p.Offset
			if v == 0 {
				if len(p.OldStyleOffsets) != 1 {
					t.Errorf("partition %d: OldStyleOffsets %v, want one offset", i, p.OldStyleOffsets)
					continue
				}
				got = p.OldStyleOffsets[0]
			}
			if want == -2 {
				if got < 0 || got >= fxHighWater[i] {
					t.Errorf("partition %d: max timestamp offset %d, want 0..%d", i, got, fxHighWater[i]-1)
				}
			} else if got != want {
				t.Errorf("partition %d: offset %d, want %d", i, got, want)
			}
			if v >= 4 && p.LeaderEpoch < 0 {
				t.Errorf("partition %d: LeaderEpoch %d", i, p.LeaderEpoch)
			}
		}

	case *protocol.FetchResponse:
		checkFetch(t, f, req.(*protocol.FetchRequest), r)

	case *protocol.OffsetForLeaderEpochResponse:
		if len(r.Topics) != 1 || r.Topics[0].Topic != fxTopic || len(r.Topics[0].Partitions) != fxPartitions {
			t.Fatalf("want topic %q with %d partitions, got %+v", fxTopic, fxPartitions, r.Topics)
		}
		for _, p := range r.Topics[0].Partitions {
			expectCode(t, "ErrorCode", p.ErrorCode, nil)
			if p.Partition < 0 || p.Partition >= fxPartitions {
				t.Fatalf("partition %d", p.Partition)
			}
			expect(t, fmt.Sprintf("partition %d EndOffset", p.Partition), p.EndOffset, fxHighWater[p.Partition])
			if v >= 1 && p.LeaderEpoch < 0 {
				t.Errorf("partition %d: LeaderEpoch %d", p.Partition, p.LeaderEpoch)
			}
		}

	case *protocol.FindCoordinatorResponse:
		if v < 4 {
			expectCode(t, "ErrorCode", r.ErrorCode, nil)
			expect(t, "Host", r.Host, fxHost)
			expect(t, "NodeId", r.NodeId, fxNodeID)
			break
		}
		if len(r.Coordinators) != 1 {
			t.Fatalf("%d coordinators, want 1", len(r.Coordinators))
		}
		c := r.Coordinators[0]
		expect(t, "Key", c.Key, fxGroup)
		expectCode(t, "ErrorCode", c.ErrorCode, nil)
		expect(t, "Host", c.Host, fxHost)
		expect(t, "NodeId", c.NodeId, fxNodeID)

	case *protocol.JoinGroupResponse:
		expect(t, "request GroupId", req.(*protocol.JoinGroupRequest).GroupId, fxGroup)
		if f.label == "" && v >= 4 {
			expectCode(t, "ErrorCode", r.ErrorCode, protocol.ErrMemberIdRequired)
			if r.MemberId == "" {
				t.Error("MEMBER_ID_REQUIRED without a MemberId")
			}
			break
		}
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if r.GenerationId < 1 || r.MemberId == "" || r.Leader != r.MemberId {
			t.Errorf("generation %d, member %q, leader %q: want a generation and this member as leader", r.GenerationId, r.MemberId, r.Leader)
		}
		expect(t, "ProtocolName", str(r.ProtocolName), "range")
		if v >= 7 {
			expect(t, "ProtocolType", str(r.ProtocolType), "consumer")
		}
		if len(r.Members) != 1 {
			t.Fatalf("%d members, want 1", len(r.Members))
		}
		var sub protocol.ConsumerProtocolSubscription
		if err := sub.Decode(r.Members[0].Metadata); err != nil {
			t.Fatalf("member metadata: %v", err)
		}
		if !slices.Equal(sub.Topics, []string{fxTopic}) {
			t.Errorf("subscription topics %v, want [%s]", sub.Topics, fxTopic)
		}

	case *protocol.SyncGroupResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if v >= 5 {
			expect(t, "ProtocolType", str(r.ProtocolType), "consumer")
			expect(t, "ProtocolName", str(r.ProtocolName), "range")
		}
		var a protocol.ConsumerProtocolAssignment
		if err := a.Decode(r.Assignment); err != nil {
			t.Fatalf("assignment: %v", err)
		}
		if len(a.AssignedPartitions) != 1 || a.AssignedPartitions[0].Topic != fxTopic ||
			!slices.Equal(a.AssignedPartitions[0].Partitions, []int32{0, 1, 2}) {
			t.Errorf("assignment %+v, want %s 0-2", a.AssignedPartitions, fxTopic)
		}

	case *protocol.HeartbeatResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)

	case *protocol.OffsetCommitResponse:
		// OffsetCommit v0 stored offsets in ZooKeeper; a KRaft broker of
		// 3.9 still serves the version but refuses it.
		var want *protocol.Error
		if v == 0 {
			want = protocol.ErrUnsupportedVersion
		}
		if len(r.Topics) != 1 || len(r.Topics[0].Partitions) != fxPartitions {
			t.Fatalf("want one topic with %d partitions, got %+v", fxPartitions, r.Topics)
		}
		if v < 10 {
			expect(t, "Name", r.Topics[0].Name, fxTopic)
		} else if r.Topics[0].TopicId.IsZero() {
			t.Error("TopicId is zero")
		}
		for _, p := range r.Topics[0].Partitions {
			expectCode(t, fmt.Sprintf("partition %d ErrorCode", p.PartitionIndex), p.ErrorCode, want)
		}

	case *protocol.OffsetFetchResponse:
		checkOffsetFetch(t, v, r)

	case *protocol.DescribeGroupsResponse:
		if len(r.Groups) != 1 {
			t.Fatalf("%d groups, want 1", len(r.Groups))
		}
		g := r.Groups[0]
		expectCode(t, "ErrorCode", g.ErrorCode, nil)
		expect(t, "GroupId", g.GroupId, fxGroup)
		expect(t, "GroupState", g.GroupState, "Stable")
		expect(t, "ProtocolType", g.ProtocolType, "consumer")
		expect(t, "ProtocolData", g.ProtocolData, "range")
		if len(g.Members) != 1 {
			t.Fatalf("%d members, want 1", len(g.Members))
		}
		expect(t, "member ClientId", g.Members[0].ClientId, fxClientID)
		var a protocol.ConsumerProtocolAssignment
		if err := a.Decode(g.Members[0].MemberAssignment); err != nil || len(a.AssignedPartitions) != 1 {
			t.Errorf("member assignment %+v (%v), want %s 0-2", a, err, fxTopic)
		}
		if v >= 3 && req.(*protocol.DescribeGroupsRequest).IncludeAuthorizedOperations && g.AuthorizedOperations == protocol.AuthorizedOperationsOmitted {
			t.Error("AuthorizedOperations omitted though asked for")
		}

	case *protocol.ListGroupsResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		found := false
		for _, g := range r.Groups {
			if g.GroupId == fxGroup {
				found = true
				expect(t, "ProtocolType", g.ProtocolType, "consumer")
				if v >= 4 {
					expect(t, "GroupState", g.GroupState, "Stable")
				}
				if v >= 5 {
					expect(t, "GroupType", g.GroupType, "classic")
				}
			}
		}
		if !found {
			t.Errorf("groups %+v lack %q", r.Groups, fxGroup)
		}

	case *protocol.LeaveGroupResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if v >= 3 {
			if len(r.Members) != 1 {
				t.Fatalf("%d members, want 1", len(r.Members))
			}
			expectCode(t, "member ErrorCode", r.Members[0].ErrorCode, nil)
			expect(t, "member MemberId", r.Members[0].MemberId, req.(*protocol.LeaveGroupRequest).Members[0].MemberId)
		}

	case *protocol.ConsumerGroupHeartbeatResponse:
		expect(t, "request GroupId", req.(*protocol.ConsumerGroupHeartbeatRequest).GroupId, fxNewGroup)
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if f.label == "leave" {
			expect(t, "MemberEpoch", r.MemberEpoch, -1)
			break
		}
		if r.MemberId == nil || *r.MemberId == "" || r.MemberEpoch < 1 || r.HeartbeatIntervalMs <= 0 {
			t.Errorf("member %s, epoch %d, heartbeat interval %d: want a member that joined", str(r.MemberId), r.MemberEpoch, r.HeartbeatIntervalMs)
		}
		if r.Assignment == nil || len(r.Assignment.TopicPartitions) != 1 || len(r.Assignment.TopicPartitions[0].Partitions) != fxPartitions {
			t.Errorf("assignment %+v, want the %d partitions of %q", r.Assignment, fxPartitions, fxTopic)
		}

	case *protocol.SaslHandshakeResponse:
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		for _, m := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
			if !slices.Contains(r.Mechanisms, m) {
				t.Errorf("Mechanisms %v lack %s", r.Mechanisms, m)
			}
		}

	case *protocol.SaslAuthenticateResponse:
		switch f.label {
		case "bad-password":
			expectCode(t, "ErrorCode", r.ErrorCode, protocol.ErrSaslAuthenticationFailed)
			if r.ErrorMessage == nil || *r.ErrorMessage == "" {
				t.Error("no ErrorMessage")
			}
		case "scram-first":
			expectCode(t, "ErrorCode", r.ErrorCode, nil)
			if !bytes.HasPrefix(r.AuthBytes, []byte("r=")) || !bytes.Contains(r.AuthBytes, []byte(",i=")) {
				t.Errorf("server-first message %q, want r=<nonce>,s=<salt>,i=<iterations>", r.AuthBytes)
			}
		case "scram-final":
			expectCode(t, "ErrorCode", r.ErrorCode, nil)
			if !bytes.HasPrefix(r.AuthBytes, []byte("v=")) {
				t.Errorf("server-final message %q, want v=<verifier>", r.AuthBytes)
			}
		default:
			expectCode(t, "ErrorCode", r.ErrorCode, nil)
		}

	default:
		t.Errorf("no checks for %T", resp)
	}
}

// checkFetch checks a Fetch of fxTopic partitions 0-2: every partition has
// its records, and the out-of-range exchange fails partition 1 only.
func checkFetch(t *testing.T, f fixture, req *protocol.FetchRequest, r *protocol.FetchResponse) {
	v := f.version
	expectCode(t, "ErrorCode", r.ErrorCode, nil)
	if v >= 7 && req.SessionEpoch == 0 && r.SessionId == 0 {
		t.Error("a full fetch with epoch 0 opened no session")
	}
	if len(r.Responses) != 1 || len(r.Responses[0].Partitions) != fxPartitions {
		t.Fatalf("want one topic with %d partitions, got %d topics", fxPartitions, len(r.Responses))
	}
	tp := r.Responses[0]
	if v < 13 {
		expect(t, "Topic", tp.Topic, fxTopic)
	} else if tp.TopicId.IsZero() || tp.TopicId != req.Topics[0].TopicId {
		t.Errorf("TopicId %v, request %v", tp.TopicId, req.Topics[0].TopicId)
	}
	// The record format the broker returns: magic 2 batches from v4, and
	// down-converted message sets before (magic 1 for v2-3, 0 for v0-1).
	// The magic byte is at offset 16 in all three.
	magic := byte(2)
	switch {
	case v < 2:
		magic = 0
	case v < 4:
		magic = 1
	}
	for _, p := range tp.Partitions {
		i := p.PartitionIndex
		if i < 0 || i >= fxPartitions {
			t.Fatalf("partition %d", i)
		}
		if f.label == "out-of-range" && i == 1 {
			expectCode(t, "partition 1 ErrorCode", p.ErrorCode, protocol.ErrOffsetOutOfRange)
			if len(p.Records) != 0 {
				t.Errorf("partition 1: %d bytes of records with OFFSET_OUT_OF_RANGE", len(p.Records))
			}
			continue
		}
		expectCode(t, fmt.Sprintf("partition %d ErrorCode", i), p.ErrorCode, nil)
		expect(t, fmt.Sprintf("partition %d HighWatermark", i), p.HighWatermark, fxHighWater[i])
		if v >= 4 {
			expect(t, fmt.Sprintf("partition %d LastStableOffset", i), p.LastStableOffset, fxHighWater[i])
		}
		if v >= 5 {
			expect(t, fmt.Sprintf("partition %d LogStartOffset", i), p.LogStartOffset, 0)
		}
		if len(p.Records) <= 16 {
			t.Errorf("partition %d: %d bytes of records, want record batches", i, len(p.Records))
			continue
		}
		expect(t, fmt.Sprintf("partition %d magic", i), p.Records[16], magic)
		if first := int64(binary.BigEndian.Uint64(p.Records)); first != 0 {
			t.Errorf("partition %d: first batch at offset %d, want 0", i, first)
		}
		if !bytes.Contains(p.Records, []byte(fmt.Sprintf("value-%d-0", i))) {
			t.Errorf("partition %d: the records lack value-%d-0", i, i)
		}
	}
}

// checkOffsetFetch checks that the offsets committed just before are read
// back. OffsetFetch v0 read ZooKeeper; a KRaft broker of 3.9 still serves
// the version but answers UNSUPPORTED_VERSION for every partition.
func checkOffsetFetch(t *testing.T, v int16, r *protocol.OffsetFetchResponse) {
	type part struct {
		index  int32
		offset int64
		meta   *string
		code   int16
	}
	var parts []part
	if v >= 8 {
		if len(r.Groups) != 1 || len(r.Groups[0].Topics) != 1 {
			t.Fatalf("want one group with one topic, got %+v", r.Groups)
		}
		expect(t, "GroupId", r.Groups[0].GroupId, fxGroup)
		expectCode(t, "group ErrorCode", r.Groups[0].ErrorCode, nil)
		for _, p := range r.Groups[0].Topics[0].Partitions {
			parts = append(parts, part{p.PartitionIndex, p.CommittedOffset, p.Metadata, p.ErrorCode})
		}
	} else {
		expectCode(t, "ErrorCode", r.ErrorCode, nil)
		if len(r.Topics) != 1 {
			t.Fatalf("want one topic, got %+v", r.Topics)
		}
		expect(t, "Name", r.Topics[0].Name, fxTopic)
		for _, p := range r.Topics[0].Partitions {
			parts = append(parts, part{p.PartitionIndex, p.CommittedOffset, p.Metadata, p.ErrorCode})
		}
	}
	if len(parts) != fxPartitions {
		t.Fatalf("%d partitions, want %d", len(parts), fxPartitions)
	}
	for _, p := range parts {
		if p.index < 0 || p.index >= fxPartitions {
			t.Fatalf("partition %d", p.index)
		}
		if v == 0 {
			expectCode(t, fmt.Sprintf("partition %d ErrorCode", p.index), p.code, protocol.ErrUnsupportedVersion)
			expect(t, fmt.Sprintf("partition %d CommittedOffset", p.index), p.offset, -1)
			continue
		}
		expectCode(t, fmt.Sprintf("partition %d ErrorCode", p.index), p.code, nil)
		expect(t, fmt.Sprintf("partition %d CommittedOffset", p.index), p.offset, fxHighWater[p.index])
		expect(t, fmt.Sprintf("partition %d Metadata", p.index), str(p.meta), fxMetadata)
	}
}

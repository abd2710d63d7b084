package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

func (s *session) findCoordinator(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyFindCoordinator)
	if len(vs) == 0 {
		return errors.New("the broker does not serve FindCoordinator")
	}
	// The first request creates __consumer_offsets; wait for it unrecorded,
	// so that the fixtures show a coordinator rather than
	// COORDINATOR_NOT_AVAILABLE.
	for {
		req := &protocol.FindCoordinatorRequest{Version: vs[len(vs)-1]}
		setCoordinatorKey(req, groupName)
		resp, err := s.c.DoPinned(ctx, req)
		if err != nil {
			return err
		}
		if coordinatorError(resp.(*protocol.FindCoordinatorResponse)) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no coordinator for %q: %w", groupName, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err := s.waitForGroupCoordinator(ctx); err != nil {
		return err
	}
	for _, v := range vs {
		req := &protocol.FindCoordinatorRequest{Version: v}
		setCoordinatorKey(req, groupName)
		desc := fmt.Sprintf("the group coordinator of %q", groupName)
		if v >= 4 {
			desc += " (batched keys, KIP-699)"
		}
		if _, err := s.exchange(ctx, s.c, "", desc, req); err != nil {
			return err
		}
	}
	return nil
}

// waitForGroupCoordinator asks for the group's committed offsets
// (unrecorded) until the coordinator answers without
// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS: a broker can name itself
// coordinator before it has loaded the offsets partition (Kafka 3.9 does).
func (s *session) waitForGroupCoordinator(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyOffsetFetch)
	if len(vs) == 0 || vs[len(vs)-1] < 2 {
		return errors.New("the broker serves no OffsetFetch v2+")
	}
	for {
		req := &protocol.OffsetFetchRequest{Version: vs[len(vs)-1]}
		if req.Version >= 8 {
			req.Groups = []protocol.OffsetFetchRequestGroup{{GroupId: groupName, MemberEpoch: -1}}
		} else {
			req.GroupId = groupName
		}
		resp, err := s.c.DoPinned(ctx, req)
		if err != nil {
			return err
		}
		r := resp.(*protocol.OffsetFetchResponse)
		code := r.ErrorCode
		if len(r.Groups) == 1 {
			code = r.Groups[0].ErrorCode
		}
		if code == 0 {
			return nil
		}
		if !protocol.ErrorForCode(code).(*protocol.Error).Retriable {
			return fmt.Errorf("OffsetFetch for %q: %v", groupName, protocol.ErrorForCode(code))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("coordinator of %q not ready: %w", groupName, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func setCoordinatorKey(req *protocol.FindCoordinatorRequest, key string) {
	if req.Version >= 4 {
		req.CoordinatorKeys = []string{key}
	} else {
		req.CoordinatorKey = key
	}
	req.KeyType = protocol.CoordinatorGroup
}

func coordinatorError(r *protocol.FindCoordinatorResponse) int16 {
	if r.Version < 4 {
		return r.ErrorCode
	}
	if len(r.Coordinators) != 1 {
		return -1
	}
	return r.Coordinators[0].ErrorCode
}

// classicGroups runs the classic consumer group protocol twice on
// groupName, as the only member: once with the lowest version of every
// group API and once with the highest.
func (s *session) classicGroups(ctx context.Context) error {
	keys := []protocol.APIKey{protocol.KeyJoinGroup, protocol.KeySyncGroup, protocol.KeyHeartbeat,
		protocol.KeyOffsetCommit, protocol.KeyOffsetFetch, protocol.KeyDescribeGroups,
		protocol.KeyListGroups, protocol.KeyLeaveGroup}
	lo, hi := map[protocol.APIKey]int16{}, map[protocol.APIKey]int16{}
	for _, k := range keys {
		vs := versions(s.c, k)
		if len(vs) == 0 {
			return fmt.Errorf("the broker does not serve %s", k)
		}
		lo[k], hi[k] = vs[0], vs[len(vs)-1]
	}
	if err := s.classicGroup(ctx, lo, false); err != nil {
		return fmt.Errorf("lowest versions: %w", err)
	}
	if err := s.classicGroup(ctx, hi, true); err != nil {
		return fmt.Errorf("highest versions: %w", err)
	}
	return nil
}

// classicGroup joins groupName, syncs as its leader with all partitions of
// topicName, heartbeats, commits, fetches the commit, describes and lists
// the group, and leaves. newest selects the newer embedded protocol
// versions and the optional request fields.
func (s *session) classicGroup(ctx context.Context, v map[protocol.APIKey]int16, newest bool) error {
	subVersion, assignVersion := int16(0), int16(0)
	if newest {
		subVersion, assignVersion = protocol.ConsumerProtocolMaxVersion, protocol.ConsumerProtocolMaxVersion
	}
	sub := protocol.ConsumerProtocolSubscription{Version: subVersion, Topics: []string{topicName}, GenerationId: -1}
	meta, err := sub.Encode(nil)
	if err != nil {
		return err
	}

	// JoinGroup: v4+ answers MEMBER_ID_REQUIRED first (KIP-394).
	jv := v[protocol.KeyJoinGroup]
	join := &protocol.JoinGroupRequest{
		Version: jv, GroupId: groupName, SessionTimeoutMs: 10000, RebalanceTimeoutMs: -1, ProtocolType: "consumer",
		Protocols: []protocol.JoinGroupRequestProtocol{{Name: "range", Metadata: meta}, {Name: "cooperative-sticky", Metadata: meta}},
	}
	if jv >= 1 {
		join.RebalanceTimeoutMs = 30000
	}
	desc := fmt.Sprintf("joins %q (subscription v%d to %q, protocols range and cooperative-sticky)", groupName, subVersion, topicName)
	if jv >= 4 {
		desc += " with an empty member id: MEMBER_ID_REQUIRED and the id to use"
	}
	resp, err := s.exchange(ctx, s.c, "", desc, join)
	if err != nil {
		return err
	}
	jr := resp.(*protocol.JoinGroupResponse)
	if jr.ErrorCode == protocol.ErrMemberIdRequired.Code {
		join.MemberId = jr.MemberId
		if jv >= 8 {
			reason := "rejoining with the member id the coordinator assigned"
			join.Reason = &reason
		}
		resp, err = s.exchange(ctx, s.c, "member-id", "joins again with the assigned member id: generation, leader and the members' metadata", join)
		if err != nil {
			return err
		}
		jr = resp.(*protocol.JoinGroupResponse)
	}
	if jr.ErrorCode != 0 {
		return fmt.Errorf("JoinGroup: %v", protocol.ErrorForCode(jr.ErrorCode))
	}
	member, generation := jr.MemberId, jr.GenerationId
	protoName := "range"
	if jr.ProtocolName != nil {
		protoName = *jr.ProtocolName
	}

	// SyncGroup: the leader hands itself every partition.
	assign := protocol.ConsumerProtocolAssignment{Version: assignVersion,
		AssignedPartitions: []protocol.ConsumerProtocolTopicPartition{{Topic: topicName, Partitions: []int32{0, 1, 2}}}}
	ab, err := assign.Encode(nil)
	if err != nil {
		return err
	}
	sync := &protocol.SyncGroupRequest{Version: v[protocol.KeySyncGroup], GroupId: groupName, GenerationId: generation, MemberId: member,
		Assignments: []protocol.SyncGroupRequestAssignment{{MemberId: member, Assignment: ab}}}
	if sync.Version >= 5 {
		pt := "consumer"
		sync.ProtocolType, sync.ProtocolName = &pt, &protoName
	}
	resp, err = s.exchange(ctx, s.c, "", fmt.Sprintf("the leader assigns itself %q partitions 0-2 (assignment v%d)", topicName, assignVersion), sync)
	if err != nil {
		return err
	}
	if code := resp.(*protocol.SyncGroupResponse).ErrorCode; code != 0 {
		return fmt.Errorf("SyncGroup: %v", protocol.ErrorForCode(code))
	}

	hb := &protocol.HeartbeatRequest{Version: v[protocol.KeyHeartbeat], GroupId: groupName, GenerationId: generation, MemberId: member}
	if _, err := s.exchange(ctx, s.c, "", "a heartbeat of the stable group's only member", hb); err != nil {
		return err
	}

	if err := s.offsetCommit(ctx, v[protocol.KeyOffsetCommit], generation, member); err != nil {
		return err
	}
	if err := s.offsetFetch(ctx, v[protocol.KeyOffsetFetch]); err != nil {
		return err
	}

	dg := &protocol.DescribeGroupsRequest{Version: v[protocol.KeyDescribeGroups], Groups: []string{groupName}}
	desc = fmt.Sprintf("describes %q: Stable, one member with its metadata and assignment", groupName)
	if dg.Version >= 3 && newest {
		dg.IncludeAuthorizedOperations = true
		desc += ", with authorized operations"
	}
	if _, err := s.exchange(ctx, s.c, "", desc, dg); err != nil {
		return err
	}

	lg := &protocol.ListGroupsRequest{Version: v[protocol.KeyListGroups]}
	desc = "lists every group"
	if newest && lg.Version >= 4 {
		lg.StatesFilter = []string{"Stable"}
		desc = "lists the Stable groups"
		if lg.Version >= 5 {
			lg.TypesFilter = []string{"classic"}
			desc = "lists the Stable classic groups"
		}
	}
	if _, err := s.exchange(ctx, s.c, "", desc, lg); err != nil {
		return err
	}

	lv := &protocol.LeaveGroupRequest{Version: v[protocol.KeyLeaveGroup], GroupId: groupName}
	if lv.Version >= 3 {
		m := protocol.LeaveGroupRequestMemberIdentity{MemberId: member}
		if lv.Version >= 5 {
			reason := "fixture capture done"
			m.Reason = &reason
		}
		lv.Members = []protocol.LeaveGroupRequestMemberIdentity{m}
	} else {
		lv.MemberId = member
	}
	_, err = s.exchange(ctx, s.c, "", fmt.Sprintf("the only member leaves %q", groupName), lv)
	return err
}

// offsetCommit commits the high watermark of every partition.
func (s *session) offsetCommit(ctx context.Context, v int16, generation int32, member string) error {
	req := &protocol.OffsetCommitRequest{Version: v, GroupId: groupName, GenerationIdOrMemberEpoch: -1, RetentionTimeMs: -1}
	desc := fmt.Sprintf("commits the high watermarks of %q partitions 0-2 with metadata", topicName)
	if v >= 1 {
		req.GenerationIdOrMemberEpoch, req.MemberId = generation, member
		desc += ", as the group's member"
	}
	t := protocol.OffsetCommitRequestTopic{Name: topicName}
	if v >= 10 {
		t = protocol.OffsetCommitRequestTopic{TopicId: s.topicID}
		desc += ", topic by id"
	}
	md := "committed by rawkafka-fixtures"
	for p := range numPartitions {
		part := protocol.OffsetCommitRequestPartition{PartitionIndex: int32(p), CommittedOffset: s.highWater[p],
			CommittedLeaderEpoch: -1, CommitTimestamp: -1, CommittedMetadata: &md}
		if v >= 6 {
			part.CommittedLeaderEpoch = s.leaderEpochs[p]
		}
		t.Partitions = append(t.Partitions, part)
	}
	req.Topics = []protocol.OffsetCommitRequestTopic{t}
	_, err := s.exchange(ctx, s.c, "", desc, req)
	return err
}

// offsetFetch reads back what offsetCommit committed.
func (s *session) offsetFetch(ctx context.Context, v int16) error {
	req := &protocol.OffsetFetchRequest{Version: v}
	desc := fmt.Sprintf("the committed offsets of %q partitions 0-2 in %q", topicName, groupName)
	if v >= 8 {
		t := protocol.OffsetFetchRequestTopics{Name: topicName, PartitionIndexes: []int32{0, 1, 2}}
		if v >= 10 {
			t = protocol.OffsetFetchRequestTopics{TopicId: s.topicID, PartitionIndexes: []int32{0, 1, 2}}
			desc += ", topic by id"
		}
		req.Groups = []protocol.OffsetFetchRequestGroup{{GroupId: groupName, MemberEpoch: -1, Topics: []protocol.OffsetFetchRequestTopics{t}}}
		desc += " (batched groups, KIP-709)"
	} else {
		req.GroupId = groupName
		req.Topics = []protocol.OffsetFetchRequestTopic{{Name: topicName, PartitionIndexes: []int32{0, 1, 2}}}
	}
	if v >= 7 {
		req.RequireStable = true
		desc += ", require_stable"
	}
	_, err := s.exchange(ctx, s.c, "", desc, req)
	return err
}

// consumerMemberID is the member id rawkafka picks for ConsumerGroupHeartbeat
// v1+, where the client chooses it (KIP-1082): a fixed UUID, base64url
// ("rawkafka-fixture").
const consumerMemberID = "cmF3a2Fma2EtZml4dHVyZQ"

// consumerGroupHeartbeat joins and leaves newGroupName with the next
// generation protocol (KIP-848), at each version the broker serves.
func (s *session) consumerGroupHeartbeat(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyConsumerGroupHeartbeat)
	if len(vs) == 0 {
		return nil // index.txt and the README say so
	}
	for _, v := range vs {
		req := &protocol.ConsumerGroupHeartbeatRequest{Version: v, GroupId: newGroupName, MemberEpoch: 0,
			RebalanceTimeoutMs: 30000, SubscribedTopicNames: []string{topicName},
			TopicPartitions: []protocol.ConsumerGroupHeartbeatRequestTopicPartitions{}}
		desc := fmt.Sprintf("joins consumer group %q subscribed to %q", newGroupName, topicName)
		if v >= 1 {
			req.MemberId = consumerMemberID
			desc += " with a member id of its own (KIP-1082)"
		} else {
			desc += "; the coordinator assigns the member id"
		}
		resp, err := s.exchange(ctx, s.c, "", desc+": epoch and assignment", req)
		if err != nil {
			return err
		}
		r := resp.(*protocol.ConsumerGroupHeartbeatResponse)
		if r.ErrorCode != 0 {
			return fmt.Errorf("ConsumerGroupHeartbeat v%d: %v", v, protocol.ErrorWithMessage(r.ErrorCode, r.ErrorMessage))
		}
		if r.MemberId != nil {
			req.MemberId = *r.MemberId
		}
		leave := &protocol.ConsumerGroupHeartbeatRequest{Version: v, GroupId: newGroupName, MemberId: req.MemberId,
			MemberEpoch: -1, RebalanceTimeoutMs: -1}
		if _, err := s.exchange(ctx, s.c, "leave", "leaves with member epoch -1", leave); err != nil {
			return err
		}
	}
	return nil
}

package group

import (
	"fmt"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// The requests the driver builds from actions, at the version the
// coordinator connection chose, and the events it makes of the answers.

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func joinRequest(a SendJoin, v int16) (*protocol.JoinGroupRequest, error) {
	req := &protocol.JoinGroupRequest{
		Version:            v,
		GroupId:            a.Group,
		SessionTimeoutMs:   int32(a.SessionTimeout / time.Millisecond),
		RebalanceTimeoutMs: int32(a.RebalanceTimeout / time.Millisecond),
		MemberId:           a.MemberID,
		GroupInstanceId:    nullable(a.InstanceID),
		ProtocolType:       a.ProtocolType,
		Reason:             nullable(a.Reason),
	}
	for _, p := range a.Protocols {
		meta, err := p.Subscription.Encode(nil)
		if err != nil {
			return nil, fmt.Errorf("group: JoinGroup: the subscription of protocol %q: %w", p.Name, err)
		}
		req.Protocols = append(req.Protocols, protocol.JoinGroupRequestProtocol{Name: p.Name, Metadata: meta})
	}
	return req, nil
}

func joinEvent(now time.Time, r *protocol.JoinGroupResponse) JoinResponse {
	return JoinResponse{
		Now:            now,
		Err:            protocol.ErrorForCode(r.ErrorCode),
		MemberID:       r.MemberId,
		Generation:     r.GenerationId,
		Leader:         r.Leader,
		ProtocolType:   r.ProtocolType,
		ProtocolName:   r.ProtocolName,
		SkipAssignment: r.SkipAssignment,
		Members:        r.Members,
	}
}

func syncRequest(a SendSync, v int16) *protocol.SyncGroupRequest {
	return &protocol.SyncGroupRequest{
		Version:         v,
		GroupId:         a.Group,
		GenerationId:    a.Generation,
		MemberId:        a.MemberID,
		GroupInstanceId: nullable(a.InstanceID),
		ProtocolType:    nullable(a.ProtocolType),
		ProtocolName:    nullable(a.Protocol),
		Assignments:     a.Assignments,
	}
}

func syncEvent(now time.Time, gen int32, r *protocol.SyncGroupResponse) SyncResponse {
	return SyncResponse{
		Now:          now,
		Generation:   gen,
		Err:          protocol.ErrorForCode(r.ErrorCode),
		ProtocolType: r.ProtocolType,
		ProtocolName: r.ProtocolName,
		Assignment:   r.Assignment,
	}
}

func heartbeatRequest(a SendHeartbeat, v int16) *protocol.HeartbeatRequest {
	return &protocol.HeartbeatRequest{
		Version:         v,
		GroupId:         a.Group,
		GenerationId:    a.Generation,
		MemberId:        a.MemberID,
		GroupInstanceId: nullable(a.InstanceID),
	}
}

// leaveRequest names the member by id (v0-2) or in Members (v3+, where a
// static member can also be named by instance id).
func leaveRequest(a SendLeave, v int16) *protocol.LeaveGroupRequest {
	req := &protocol.LeaveGroupRequest{Version: v, GroupId: a.Group}
	if v < 3 {
		req.MemberId = a.MemberID
		return req
	}
	req.Members = []protocol.LeaveGroupRequestMemberIdentity{{
		MemberId:        a.MemberID,
		GroupInstanceId: nullable(a.InstanceID),
		Reason:          nullable(a.Reason),
	}}
	return req
}

// leaveError is the top-level error, or the member's own (v3+).
func leaveError(r *protocol.LeaveGroupResponse) error {
	if err := protocol.ErrorForCode(r.ErrorCode); err != nil {
		return err
	}
	for _, m := range r.Members {
		if err := protocol.ErrorForCode(m.ErrorCode); err != nil {
			return err
		}
	}
	return nil
}

package assignor

import "github.com/rawkafka/rawkafka/protocol"

// MemberFromSubscription is the Member a leader sees for one entry of the
// JoinGroup response: its member id and group.instance.id (nil for a
// dynamic member) and its decoded subscription. Fields the subscription's
// version lacks keep their defaults (no owned partitions, generation -1, no
// rack). The Member shares Topics and UserData with s.
func MemberFromSubscription(id string, instanceID *string, s *protocol.ConsumerProtocolSubscription) Member {
	m := Member{
		ID:         id,
		Topics:     s.Topics,
		Owned:      flatten(s.OwnedPartitions),
		Generation: s.GenerationId,
		UserData:   s.UserData,
	}
	if instanceID != nil {
		m.InstanceID = *instanceID
	}
	if s.RackId != nil {
		m.Rack = *s.RackId
	}
	return m
}

// AssignmentFromProtocol is the Assignment a member reads from the
// ConsumerProtocolAssignment the leader sent it in SyncGroup. It shares
// UserData with p.
func AssignmentFromProtocol(p *protocol.ConsumerProtocolAssignment) Assignment {
	return Assignment{Partitions: flatten(p.AssignedPartitions), UserData: p.UserData}
}

// Protocol is the ConsumerProtocolAssignment of the given version that
// carries a, its partitions grouped by topic in the order topics first
// appear (which for an Assignor's output is topic order). It shares
// UserData with a.
func (a Assignment) Protocol(version int16) protocol.ConsumerProtocolAssignment {
	p := protocol.ConsumerProtocolAssignment{Version: version, UserData: a.UserData}
	index := make(map[string]int)
	for _, tp := range a.Partitions {
		i, ok := index[tp.Topic]
		if !ok {
			i = len(p.AssignedPartitions)
			index[tp.Topic] = i
			p.AssignedPartitions = append(p.AssignedPartitions, protocol.ConsumerProtocolTopicPartition{Topic: tp.Topic})
		}
		p.AssignedPartitions[i].Partitions = append(p.AssignedPartitions[i].Partitions, tp.Partition)
	}
	return p
}

// flatten lists topic-partitions one by one; nil for none.
func flatten(tps []protocol.ConsumerProtocolTopicPartition) []protocol.TopicPartition {
	n := 0
	for _, t := range tps {
		n += len(t.Partitions)
	}
	if n == 0 {
		return nil
	}
	out := make([]protocol.TopicPartition, 0, n)
	for _, t := range tps {
		for _, p := range t.Partitions {
			out = append(out, protocol.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return out
}

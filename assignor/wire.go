package assignor

import "github.com/rawkafka/rawkafka/protocol"

// MemberFromSubscription is the Member a leader sees for one entry of the
// JoinGroup response: its member id and group.instance.id (nil for a
// dynamic member) and its decoded subscription. Fields the subscription's
// version lacks keep their defaults (no owned partitions, generation -1, no
// rack). The Member shares Topics and UserData with s.
func MemberFromSubscription(id string, instanceID *string, s *protocol.ConsumerProtocolSubscription) Member {
	return member(id, instanceID, s, flatten(s.OwnedPartitions))
}

// MemberFromJoin is MemberFromSubscription of the subscription metadata
// decodes to, read straight into the Member: the owned partitions are
// decoded flat (ConsumerProtocolSubscription.DecodeFlat), and the topic
// names kept in names, which a leader shares across all the members of a
// JoinGroup response. The Member's UserData points into metadata, and its
// Topics may be the slice of the member decoded before it with names: a
// leader reads them and changes neither.
func MemberFromJoin(id string, instanceID *string, metadata []byte, names *protocol.TopicNames) (Member, error) {
	var s protocol.ConsumerProtocolSubscription
	owned, err := s.DecodeFlat(metadata, names)
	if err != nil {
		return Member{}, err
	}
	return member(id, instanceID, &s, owned), nil
}

// member is the Member of subscription s, owning owned.
func member(id string, instanceID *string, s *protocol.ConsumerProtocolSubscription, owned []protocol.TopicPartition) Member {
	m := Member{
		ID:         id,
		Topics:     s.Topics,
		Owned:      owned,
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
// appear (which for an Assignor's output is topic order), all in one
// backing array. It shares UserData with a.
func (a Assignment) Protocol(version int16) protocol.ConsumerProtocolAssignment {
	p := protocol.ConsumerProtocolAssignment{Version: version, UserData: a.UserData}
	if len(a.Partitions) == 0 {
		return p
	}
	if runs, ok := topicRuns(a.Partitions); ok {
		// Each topic is one run: the entries are the runs, no map needed.
		all := make([]int32, len(a.Partitions))
		p.AssignedPartitions = make([]protocol.ConsumerProtocolTopicPartition, 0, runs)
		start := 0
		for i, tp := range a.Partitions {
			all[i] = tp.Partition
			if i == 0 || tp.Topic != a.Partitions[i-1].Topic {
				start = i
				p.AssignedPartitions = append(p.AssignedPartitions, protocol.ConsumerProtocolTopicPartition{Topic: tp.Topic})
			}
			p.AssignedPartitions[len(p.AssignedPartitions)-1].Partitions = all[start : i+1 : i+1]
		}
		return p
	}
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

// Encode appends a's ConsumerProtocolAssignment of the given version to
// dst, the bytes of a.Protocol(version).Encode(dst). An Assignor's output,
// sorted by topic, is written straight from a.Partitions, with nothing
// built in between; partitions in any other order go through Protocol.
func (a Assignment) Encode(dst []byte, version int16) ([]byte, error) {
	if _, ok := topicRuns(a.Partitions); ok {
		return protocol.AppendConsumerProtocolAssignment(dst, version, a.Partitions, a.UserData)
	}
	p := a.Protocol(version)
	return p.Encode(dst)
}

// EncodedLen is at least the length of what Encode appends (exactly that
// for an Assignor's output, sorted by topic), for one buffer for every
// member's assignment.
func (a Assignment) EncodedLen() int {
	return protocol.ConsumerProtocolAssignmentLen(a.Partitions, a.UserData)
}

// topicRuns counts the runs of consecutive partitions of one topic in tps,
// and reports whether each topic is one run, which it is when the runs'
// topics ascend (as an Assignor's output does); ok is false otherwise,
// even when the runs happen to be distinct.
func topicRuns(tps []protocol.TopicPartition) (runs int, ok bool) {
	for i := range tps {
		if i > 0 && tps[i].Topic == tps[i-1].Topic {
			continue
		}
		if i > 0 && tps[i].Topic < tps[i-1].Topic {
			return 0, false
		}
		runs++
	}
	return runs, true
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

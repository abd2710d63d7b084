package conn

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// Metadata is a snapshot of the cluster as one Metadata response described
// it. Snapshots are shared: treat them as read-only.
type Metadata struct {
	ClusterID    string
	ControllerID int32 // -1 when unknown
	Brokers      map[int32]Broker
	Topics       map[string]*Topic
	FetchedAt    time.Time
	// AllTopics is true when the snapshot lists every topic of the cluster,
	// false when it lists only the topics asked for.
	AllTopics bool
}

// Broker is one broker of the cluster.
type Broker struct {
	ID   int32
	Host string
	Port int32
	Rack string // "" when none
}

// Addr returns the broker's host:port.
func (b Broker) Addr() string { return net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))) }

// Topic is one topic's metadata. Err is the topic-level Kafka error
// (e.g. protocol.ErrUnknownTopicOrPartition), nil when there is none.
type Topic struct {
	Name       string
	ID         protocol.UUID // zero before Metadata v10
	Internal   bool
	Err        error
	Partitions []Partition // sorted by ID
}

// Partition is one partition's leader and replicas. Err is the
// partition-level Kafka error (e.g. LEADER_NOT_AVAILABLE), nil when none.
type Partition struct {
	ID          int32
	Leader      int32 // -1 when there is none
	LeaderEpoch int32 // -1 before Metadata v7
	Replicas    []int32
	ISR         []int32
	Offline     []int32
	Err         error
}

// Partition returns partition p of topic.
func (m *Metadata) Partition(topic string, p int32) (Partition, bool) {
	t, ok := m.Topics[topic]
	if !ok {
		return Partition{}, false
	}
	i, ok := slices.BinarySearchFunc(t.Partitions, p, func(x Partition, id int32) int { return int(x.ID - id) })
	if !ok {
		return Partition{}, false
	}
	return t.Partitions[i], true
}

// Age returns how old the snapshot is.
func (m *Metadata) Age() time.Duration { return time.Since(m.FetchedAt) }

// fetchMetadata asks c for the given topics (nil: every topic).
func fetchMetadata(ctx context.Context, c *Conn, topics []string, autoCreate bool) (*Metadata, error) {
	v, ok := c.Version(protocol.KeyMetadata)
	if !ok {
		return nil, c.unsupported(protocol.KeyMetadata)
	}
	req := &protocol.MetadataRequest{Version: v, AllowAutoTopicCreation: autoCreate || v < 4}
	if topics != nil {
		req.Topics = make([]protocol.MetadataRequestTopic, len(topics))
		for i := range topics {
			req.Topics[i].Name = &topics[i]
		}
		if v == 0 && len(topics) == 0 {
			req.Topics = nil // v0 cannot ask for no topics
		}
	}
	resp, err := c.DoPinned(ctx, req)
	if err != nil {
		return nil, err
	}
	md := resp.(*protocol.MetadataResponse)
	if err := protocol.ErrorForCode(md.ErrorCode); err != nil {
		return nil, fmt.Errorf("conn: metadata from %s: %w", c.Addr(), err)
	}
	return newMetadata(md, topics == nil), nil
}

// newMetadata converts a response into a snapshot.
func newMetadata(md *protocol.MetadataResponse, all bool) *Metadata {
	m := &Metadata{
		ControllerID: md.ControllerId,
		Brokers:      make(map[int32]Broker, len(md.Brokers)),
		Topics:       make(map[string]*Topic, len(md.Topics)),
		FetchedAt:    time.Now(),
		AllTopics:    all,
	}
	if md.ClusterId != nil {
		m.ClusterID = *md.ClusterId
	}
	for _, b := range md.Brokers {
		br := Broker{ID: b.NodeId, Host: b.Host, Port: b.Port}
		if b.Rack != nil {
			br.Rack = *b.Rack
		}
		m.Brokers[b.NodeId] = br
	}
	for _, t := range md.Topics {
		if t.Name == nil {
			continue // asked by id and unknown; rawkafka asks by name
		}
		tp := &Topic{Name: *t.Name, ID: t.TopicId, Internal: t.IsInternal, Err: protocol.ErrorForCode(t.ErrorCode),
			Partitions: make([]Partition, len(t.Partitions))}
		for i, p := range t.Partitions {
			tp.Partitions[i] = Partition{ID: p.PartitionIndex, Leader: p.LeaderId, LeaderEpoch: p.LeaderEpoch,
				Replicas: p.ReplicaNodes, ISR: p.IsrNodes, Offline: p.OfflineReplicas, Err: protocol.ErrorForCode(p.ErrorCode)}
		}
		slices.SortFunc(tp.Partitions, func(a, b Partition) int { return int(a.ID - b.ID) })
		m.Topics[tp.Name] = tp
	}
	return m
}

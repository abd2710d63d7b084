package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// session is one capture run against one broker.
type session struct {
	rec      *recorder
	addr     string
	saslAddr string
	kcat     []string

	c *conn.Conn // PLAINTEXT, client id clientID

	// Learnt from Metadata, for the requests that need them.
	topicID      protocol.UUID
	leaderEpochs [numPartitions]int32
	highWater    [numPartitions]int64
}

// Records produced into topicName: partition p gets recordsPerPartition
// records in one batch, and partition 0 a second, gzip-compressed batch.
const (
	recordsPerPartition = 3
	secondBatchRecords  = 2
)

func (s *session) config() conn.Config {
	return conn.Config{ClientID: clientID, OnFrame: s.rec.onFrame}
}

func (s *session) dial(ctx context.Context) error {
	c, err := conn.Dial(ctx, s.addr, s.config())
	if err != nil {
		return err
	}
	s.c = c
	return nil
}

// versions returns the lowest and highest version of key that both the
// broker behind c and rawkafka support: one version when they are equal,
// none when there is no version in common.
func versions(c *conn.Conn, key protocol.APIKey) []int16 {
	blo, bhi, ok := c.BrokerVersions(key)
	lo, hi, _ := key.VersionRange()
	lo, hi = max(lo, blo), min(hi, bhi)
	if !ok || lo > hi {
		return nil
	}
	if lo == hi {
		return []int16{lo}
	}
	return []int16{lo, hi}
}

func (s *session) apiVersions(ctx context.Context) error {
	for _, v := range versions(s.c, protocol.KeyApiVersions) {
		req := &protocol.ApiVersionsRequest{Version: v}
		desc := "the broker's API ranges"
		if v >= 3 {
			req.ClientSoftwareName, req.ClientSoftwareVersion = conn.SoftwareName, conn.SoftwareVersion
			desc += ", features and finalized features; the request names the client software (KIP-511)"
		}
		if _, err := s.exchange(ctx, s.c, "", desc, req); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) createTopics(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyCreateTopics)
	if len(vs) == 0 {
		return errors.New("the broker does not serve CreateTopics")
	}
	hi := vs[len(vs)-1]
	retention := "604800000"
	main := protocol.CreateTopicsRequestTopic{
		Name: topicName, NumPartitions: numPartitions, ReplicationFactor: 1,
		Configs: []protocol.CreateTopicsRequestConfig{{Name: "retention.ms", Value: &retention}},
	}
	req := &protocol.CreateTopicsRequest{Version: hi, Topics: []protocol.CreateTopicsRequestTopic{main}, TimeoutMs: 30000}
	if _, err := s.exchange(ctx, s.c, "", fmt.Sprintf("creates %q: %d partitions, replication factor 1, retention.ms set", topicName, numPartitions), req); err != nil {
		return err
	}
	if err := s.waitForTopic(ctx); err != nil {
		return err
	}
	if len(vs) == 2 {
		old := protocol.CreateTopicsRequestTopic{
			Name: oldTopicName, NumPartitions: -1, ReplicationFactor: -1,
			Assignments: []protocol.CreateTopicsRequestAssignment{{PartitionIndex: 0, BrokerIds: []int32{1}}},
			Configs:     []protocol.CreateTopicsRequestConfig{},
		}
		req := &protocol.CreateTopicsRequest{Version: vs[0], Topics: []protocol.CreateTopicsRequestTopic{old}, TimeoutMs: 30000}
		if _, err := s.exchange(ctx, s.c, "", fmt.Sprintf("creates %q with an explicit replica assignment (partition 0 on broker 1)", oldTopicName), req); err != nil {
			return err
		}
	}
	req = &protocol.CreateTopicsRequest{Version: hi, Topics: []protocol.CreateTopicsRequestTopic{main}, TimeoutMs: 30000}
	_, err := s.exchange(ctx, s.c, "exists", fmt.Sprintf("creates %q again: TOPIC_ALREADY_EXISTS with a message", topicName), req)
	return err
}

// waitForTopic asks for metadata (not recorded) until every partition of
// topicName has a leader, and keeps the topic id and leader epochs.
func (s *session) waitForTopic(ctx context.Context) error {
	name := topicName
	for {
		resp, err := s.c.Do(ctx, &protocol.MetadataRequest{Topics: []protocol.MetadataRequestTopic{{Name: &name}}})
		if err != nil {
			return err
		}
		md := resp.(*protocol.MetadataResponse)
		if len(md.Topics) == 1 && md.Topics[0].ErrorCode == 0 && len(md.Topics[0].Partitions) == numPartitions {
			ready := true
			for _, p := range md.Topics[0].Partitions {
				if p.LeaderId < 0 || p.ErrorCode != 0 || p.PartitionIndex < 0 || p.PartitionIndex >= numPartitions {
					ready = false
					break
				}
				s.leaderEpochs[p.PartitionIndex] = p.LeaderEpoch
			}
			if ready {
				s.topicID = md.Topics[0].TopicId
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topic %q has no leaders yet: %w", topicName, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// produce writes the records with kcat: one batch of recordsPerPartition
// records into each partition, then a gzip batch into partition 0.
func (s *session) produce(ctx context.Context) error {
	batch := func(partition int, first, n int, extra ...string) error {
		var in strings.Builder
		for i := first; i < first+n; i++ {
			fmt.Fprintf(&in, "key-%d-%d:value-%d-%d\n", partition, i, partition, i)
		}
		args := append(append([]string{}, s.kcat[1:]...),
			"-P", "-b", s.addr, "-t", topicName, "-p", fmt.Sprint(partition), "-K", ":",
			"-H", "origin=rawkafka-fixtures", "-X", "client.id="+clientID)
		args = append(args, extra...)
		cmd := exec.CommandContext(ctx, s.kcat[0], args...)
		cmd.Stdin = strings.NewReader(in.String())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("kcat into partition %d: %v: %s", partition, err, stderr.String())
		}
		return nil
	}
	for p := range numPartitions {
		if err := batch(p, 0, recordsPerPartition); err != nil {
			return err
		}
		s.highWater[p] = recordsPerPartition
	}
	if err := batch(0, recordsPerPartition, secondBatchRecords, "-z", "gzip"); err != nil {
		return err
	}
	s.highWater[0] += secondBatchRecords
	return nil
}

func (s *session) metadata(ctx context.Context) error {
	name := topicName
	for _, v := range versions(s.c, protocol.KeyMetadata) {
		req := &protocol.MetadataRequest{Version: v, Topics: []protocol.MetadataRequestTopic{{Name: &name}}, AllowAutoTopicCreation: v < 4}
		desc := fmt.Sprintf("topic %q by name", topicName)
		if v >= 8 {
			req.IncludeTopicAuthorizedOperations = true
			desc += ", with its authorized operations"
		}
		if _, err := s.exchange(ctx, s.c, "", desc, req); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) listOffsets(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyListOffsets)
	for i, v := range vs {
		req := &protocol.ListOffsetsRequest{Version: v, ReplicaId: -1}
		specs := []int64{protocol.ListOffsetsEarliest, protocol.ListOffsetsLatest, protocol.ListOffsetsLatest}
		desc := fmt.Sprintf("%q partition 0 earliest, 1 and 2 latest", topicName)
		if v >= 7 {
			specs[2] = protocol.ListOffsetsMaxTimestamp
			desc = fmt.Sprintf("%q partition 0 earliest, 1 latest, 2 max timestamp", topicName)
		}
		if v >= 2 && i == len(vs)-1 && len(vs) > 1 {
			req.IsolationLevel = 1
			desc += ", read_committed"
		}
		if v >= 10 {
			req.TimeoutMs = 30000
		}
		t := protocol.ListOffsetsRequestTopic{Name: topicName}
		for p, ts := range specs {
			part := protocol.ListOffsetsRequestPartition{PartitionIndex: int32(p), CurrentLeaderEpoch: -1, Timestamp: ts, MaxNumOffsets: 1}
			if v >= 4 {
				part.CurrentLeaderEpoch = s.leaderEpochs[p]
			}
			t.Partitions = append(t.Partitions, part)
		}
		req.Topics = []protocol.ListOffsetsRequestTopic{t}
		if _, err := s.exchange(ctx, s.c, "", desc, req); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) fetchRequest(v int16, offsets [numPartitions]int64) *protocol.FetchRequest {
	req := &protocol.FetchRequest{
		Version: v, ReplicaId: -1, MaxWaitMs: 500, MinBytes: 1, MaxBytes: 1 << 20,
		SessionId: 0, SessionEpoch: -1,
		ReplicaState: protocol.FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1},
	}
	t := protocol.FetchTopic{Topic: topicName}
	if v >= 13 {
		t = protocol.FetchTopic{TopicId: s.topicID}
	}
	for p := range numPartitions {
		part := protocol.FetchPartition{Partition: int32(p), CurrentLeaderEpoch: -1, FetchOffset: offsets[p],
			LastFetchedEpoch: -1, LogStartOffset: -1, PartitionMaxBytes: 1 << 20, HighWatermark: 1<<63 - 1}
		if v >= 9 {
			part.CurrentLeaderEpoch = s.leaderEpochs[p]
		}
		t.Partitions = append(t.Partitions, part)
	}
	req.Topics = []protocol.FetchTopic{t}
	req.ForgottenTopicsData = []protocol.FetchRequestForgottenTopic{}
	return req
}

func (s *session) fetch(ctx context.Context) error {
	vs := versions(s.c, protocol.KeyFetch)
	for i, v := range vs {
		req := s.fetchRequest(v, [numPartitions]int64{})
		desc := fmt.Sprintf("%q partitions 0-2 from offset 0: real record batches", topicName)
		switch {
		case v < 2:
			desc += " (down-converted to magic 0 message sets)"
		case v < 4:
			desc += " (down-converted to magic 1 message sets)"
		}
		if v >= 13 {
			desc += ", topic by id"
		}
		if i == len(vs)-1 && len(vs) > 1 {
			req.IsolationLevel = 1
			req.SessionEpoch = 0 // a full fetch that opens a session (KIP-227)
			desc += ", read_committed, opening a fetch session"
		}
		if _, err := s.exchange(ctx, s.c, "", desc, req); err != nil {
			return err
		}
	}
	hi := vs[len(vs)-1]
	offsets := [numPartitions]int64{0, 1000, 0}
	req := s.fetchRequest(hi, offsets)
	_, err := s.exchange(ctx, s.c, "out-of-range", fmt.Sprintf("%q partition 1 at offset 1000: OFFSET_OUT_OF_RANGE; partitions 0 and 2 from 0", topicName), req)
	return err
}

func (s *session) offsetForLeaderEpoch(ctx context.Context) error {
	for _, v := range versions(s.c, protocol.KeyOffsetForLeaderEpoch) {
		req := &protocol.OffsetForLeaderEpochRequest{Version: v, ReplicaId: -2}
		if v >= 3 {
			req.ReplicaId = -1
		}
		t := protocol.OffsetForLeaderEpochRequestTopic{Topic: topicName}
		for p := range numPartitions {
			part := protocol.OffsetForLeaderEpochRequestPartition{Partition: int32(p), CurrentLeaderEpoch: -1, LeaderEpoch: s.leaderEpochs[p]}
			if v >= 2 {
				part.CurrentLeaderEpoch = s.leaderEpochs[p]
			}
			t.Partitions = append(t.Partitions, part)
		}
		req.Topics = []protocol.OffsetForLeaderEpochRequestTopic{t}
		if _, err := s.exchange(ctx, s.c, "", fmt.Sprintf("%q partitions 0-2 at their current leader epoch: end offset = high watermark", topicName), req); err != nil {
			return err
		}
	}
	return nil
}

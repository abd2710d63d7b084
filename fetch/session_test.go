package fetch

import (
	"reflect"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// fp is a FetchPartition as session.build writes it.
func fp(p int32, offset int64, epoch int32) protocol.FetchPartition {
	x := protocol.NewFetchPartition(p, offset, 100)
	x.CurrentLeaderEpoch = epoch
	return x
}

func TestSessionBuild(t *testing.T) {
	idA, idB := protocol.UUID{1}, protocol.UUID{2}
	w := func(topic string, id protocol.UUID, p int32, off int64) wantPart {
		return wantPart{tp: protocol.TopicPartition{Topic: topic, Partition: p}, topicID: id, offset: off, leaderEpoch: 3, maxBytes: 100}
	}
	type step struct {
		want      []wantPart
		respID    int32 // session id in the response (success) or 0
		errReset  int   // 0 success, 1 reset(false), 2 reset(true) instead of success
		id, epoch int32 // expected request session fields
		topics    []protocol.FetchTopic
		forgotten []protocol.FetchRequestForgottenTopic
	}
	tests := []struct {
		name     string
		version  int16
		disabled bool
		steps    []step
	}{
		{"full, then incremental with changes only, then forgotten", 17, false, []step{
			{want: []wantPart{w("a", idA, 0, 5), w("a", idA, 1, 7), w("b", idB, 0, 1)}, respID: 42, id: 0, epoch: 0,
				topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3), fp(1, 7, 3)}},
					{TopicId: idB, Partitions: []protocol.FetchPartition{fp(0, 1, 3)}}}},
			{want: []wantPart{w("a", idA, 0, 5), w("a", idA, 1, 9), w("b", idB, 0, 1)}, respID: 42, id: 42, epoch: 1,
				topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(1, 9, 3)}}}},
			{want: []wantPart{w("a", idA, 1, 9)}, respID: 42, id: 42, epoch: 2,
				forgotten: []protocol.FetchRequestForgottenTopic{{TopicId: idA, Partitions: []int32{0}}, {TopicId: idB, Partitions: []int32{0}}}},
			{want: []wantPart{w("a", idA, 1, 9)}, respID: 42, id: 42, epoch: 3},
		}},
		{"names before v13", 12, false, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 7, id: 0, epoch: 0,
				topics: []protocol.FetchTopic{{Topic: "a", Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
			{want: []wantPart{w("b", idB, 2, 6)}, respID: 7, id: 7, epoch: 1,
				topics:    []protocol.FetchTopic{{Topic: "b", Partitions: []protocol.FetchPartition{fp(2, 6, 3)}}},
				forgotten: []protocol.FetchRequestForgottenTopic{{Topic: "a", Partitions: []int32{0}}}},
		}},
		{"session id not found starts a new one; invalid epoch closes and reopens", 17, false, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 9, id: 0, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
			{want: []wantPart{w("a", idA, 0, 5)}, errReset: 1, id: 9, epoch: 1},
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 10, id: 9, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
			{want: []wantPart{w("a", idA, 0, 5)}, errReset: 2, id: 10, epoch: 1},
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 11, id: 0, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
		}},
		{"broker keeps no session: full fetches", 17, false, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 0, id: 0, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 0, id: 0, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
		}},
		{"disabled", 17, true, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 0, id: 0, epoch: -1, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 0, id: 0, epoch: -1, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
		}},
		{"no sessions before v7", 6, false, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 0, id: 0, epoch: -1, topics: []protocol.FetchTopic{{Topic: "a", Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
		}},
		{"epoch wraps to 1", 17, false, []step{
			{want: []wantPart{w("a", idA, 0, 5)}, respID: 3, id: 0, epoch: 0, topics: []protocol.FetchTopic{{TopicId: idA, Partitions: []protocol.FetchPartition{fp(0, 5, 3)}}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := session{disabled: tt.disabled}
			for i, st := range tt.steps {
				req := protocol.NewFetchRequest(tt.version)
				s.build(req, st.want)
				if req.SessionId != st.id || req.SessionEpoch != st.epoch {
					t.Fatalf("step %d: session %d epoch %d, want %d epoch %d", i, req.SessionId, req.SessionEpoch, st.id, st.epoch)
				}
				if !reflect.DeepEqual(req.Topics, st.topics) {
					t.Fatalf("step %d: topics\n got %+v\nwant %+v", i, req.Topics, st.topics)
				}
				if !reflect.DeepEqual(req.ForgottenTopicsData, st.forgotten) {
					t.Fatalf("step %d: forgotten\n got %+v\nwant %+v", i, req.ForgottenTopicsData, st.forgotten)
				}
				if _, err := req.Encode(nil); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				switch st.errReset {
				case 0:
					s.success(st.respID)
				case 1:
					s.reset(false)
				case 2:
					s.reset(true)
				}
			}
		})
	}
	s := session{id: 3, epoch: 1<<31 - 1, sentEpoch: 1<<31 - 1}
	s.success(3)
	if s.epoch != 1 {
		t.Fatalf("epoch after MaxInt32 = %d, want 1", s.epoch)
	}
}

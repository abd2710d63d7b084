package fetch

import (
	"errors"
	"slices"

	"github.com/rawkafka/rawkafka/protocol"
)

// wantPart is one partition a fetch asks for.
type wantPart struct {
	tp          protocol.TopicPartition
	topicID     protocol.UUID
	offset      int64
	leaderEpoch int32
	maxBytes    int32
}

// sessionPart is a partition as the broker's fetch session holds it.
type sessionPart struct {
	topicID     protocol.UUID
	offset      int64
	leaderEpoch int32
	maxBytes    int32
}

// session is the client side of one broker's incremental fetch session
// (KIP-227). Its epoch is that of the next request: 0 sends a full fetch
// that opens a session (closing session id first when id is not 0); from 1
// on, requests are incremental and carry only the partitions that changed
// and those to forget. A disabled session, or a Fetch version below 7,
// sends sessionless full fetches (epoch -1).
type session struct {
	disabled  bool
	id        int32
	epoch     int32
	ids       bool // the session was opened with topic ids (Fetch v13+)
	parts     map[protocol.TopicPartition]sessionPart
	sentEpoch int32 // epoch of the request in flight; -1 sessionless
}

// build fills the session fields, Topics and ForgottenTopicsData of req
// (whose Version is set) to fetch exactly want, and records what the
// broker's session will hold once it answers.
func (s *session) build(req *protocol.FetchRequest, want []wantPart) {
	v := req.Version
	ids := v >= 13
	if s.disabled || v < 7 {
		req.SessionId, req.SessionEpoch = 0, -1
		s.sentEpoch = -1
		req.Topics = appendTopics(nil, want, ids)
		return
	}
	if s.epoch > 0 && ids != s.ids {
		s.epoch = 0 // names and ids do not mix in one session
	}
	if s.epoch > 0 {
		for _, w := range want {
			if sp, ok := s.parts[w.tp]; ok && sp.topicID != w.topicID {
				s.epoch = 0 // the topic was recreated: start over
				break
			}
		}
	}
	req.SessionId, req.SessionEpoch = s.id, s.epoch
	s.sentEpoch = s.epoch
	if s.epoch == 0 {
		s.ids = ids
		s.parts = make(map[protocol.TopicPartition]sessionPart, len(want))
		for _, w := range want {
			s.parts[w.tp] = w.sessionPart()
		}
		req.Topics = appendTopics(nil, want, ids)
		return
	}
	var changed []wantPart
	keep := make(map[protocol.TopicPartition]bool, len(want))
	for _, w := range want {
		keep[w.tp] = true
		if sp, ok := s.parts[w.tp]; !ok || sp != w.sessionPart() {
			changed = append(changed, w)
			s.parts[w.tp] = w.sessionPart()
		}
	}
	req.Topics = appendTopics(nil, changed, ids)
	var forgotten []wantPart
	for tp, sp := range s.parts {
		if !keep[tp] {
			forgotten = append(forgotten, wantPart{tp: tp, topicID: sp.topicID})
			delete(s.parts, tp)
		}
	}
	sortWants(forgotten)
	req.ForgottenTopicsData = nil
	last := ""
	for _, w := range forgotten {
		n := len(req.ForgottenTopicsData)
		if n == 0 || last != w.tp.Topic {
			ft := protocol.FetchRequestForgottenTopic{Topic: w.tp.Topic}
			if ids {
				ft.Topic, ft.TopicId = "", w.topicID
			}
			req.ForgottenTopicsData = append(req.ForgottenTopicsData, ft)
			last = w.tp.Topic
			n++
		}
		req.ForgottenTopicsData[n-1].Partitions = append(req.ForgottenTopicsData[n-1].Partitions, w.tp.Partition)
	}
}

// sortWants orders partitions by topic and partition.
func sortWants(w []wantPart) {
	slices.SortFunc(w, func(a, b wantPart) int { return a.tp.Compare(b.tp) })
}

func (w wantPart) sessionPart() sessionPart {
	return sessionPart{topicID: w.topicID, offset: w.offset, leaderEpoch: w.leaderEpoch, maxBytes: w.maxBytes}
}

// appendTopics adds want to topics, grouping consecutive partitions of one
// topic.
func appendTopics(topics []protocol.FetchTopic, want []wantPart, ids bool) []protocol.FetchTopic {
	last := ""
	for _, w := range want {
		if len(topics) == 0 || last != w.tp.Topic {
			ft := protocol.FetchTopic{Topic: w.tp.Topic}
			if ids {
				ft.Topic, ft.TopicId = "", w.topicID
			}
			topics = append(topics, ft)
			last = w.tp.Topic
		}
		fp := protocol.NewFetchPartition(w.tp.Partition, w.offset, w.maxBytes)
		fp.CurrentLeaderEpoch = w.leaderEpoch
		t := &topics[len(topics)-1]
		t.Partitions = append(t.Partitions, fp)
	}
	return topics
}

// success moves the session on after a response without a top-level error
// that carried respID.
func (s *session) success(respID int32) {
	switch {
	case s.sentEpoch < 0:
	case s.sentEpoch == 0:
		if respID == 0 { // the broker kept no session: full fetches again
			s.id, s.epoch, s.parts = 0, 0, nil
			return
		}
		s.id, s.epoch = respID, 1
	default:
		s.epoch++
		if s.epoch < 0 { // wraps to 1, not 0, which would mean a new session
			s.epoch = 1
		}
	}
}

// reset makes the next request a full fetch: one that opens a new session,
// closing the current one unless the broker no longer knows it.
func (s *session) reset(notFound bool) {
	if notFound {
		s.id = 0
	}
	s.epoch, s.parts = 0, nil
}

// isSessionError reports whether a top-level Fetch error concerns the
// session only.
func isSessionError(err error) bool {
	return errors.Is(err, protocol.ErrFetchSessionIdNotFound) || errors.Is(err, protocol.ErrInvalidFetchSessionEpoch) ||
		errors.Is(err, protocol.ErrFetchSessionTopicIdError)
}

package conn

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// topicsFake is one scripted broker whose topics (name → partition count)
// the test changes; it answers Metadata as a broker does: every topic when
// asked for all, else each topic asked for (UNKNOWN_TOPIC_OR_PARTITION for
// those it does not have). It records the topics each request asked for.
type topicsFake struct {
	addr string

	mu     sync.Mutex
	topics map[string]int
	errs   map[string]int16 // topic-level errors to answer with
	asked  [][]string       // per Metadata request; nil = all topics
}

func newTopicsFake(t *testing.T, topics map[string]int) *topicsFake {
	tf := &topicsFake{topics: topics, errs: map[string]int16{}}
	fb := newFake(t, func(f *fakeConn) {
		if !f.handshake() {
			return
		}
		for {
			r, ok := f.read()
			if !ok {
				return
			}
			req := &protocol.MetadataRequest{Version: r.header.APIVersion}
			if err := req.Decode(r.body); err != nil {
				t.Errorf("fake: %v", err)
				return
			}
			f.reply(r, tf.answer(f, req))
		}
	})
	tf.addr = fb.addr
	return tf
}

func (tf *topicsFake) set(name string, partitions int) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	if partitions == 0 {
		delete(tf.topics, name)
	} else {
		tf.topics[name] = partitions
	}
}

func (tf *topicsFake) answer(f *fakeConn, req *protocol.MetadataRequest) *protocol.MetadataResponse {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	host, port, _ := net.SplitHostPort(tf.addr)
	p, _ := strconv.Atoi(port)
	resp := &protocol.MetadataResponse{ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
		Brokers: []protocol.MetadataResponseBroker{{NodeId: 1, Host: host, Port: int32(p)}}}
	var names []string
	if req.Topics == nil {
		tf.asked = append(tf.asked, nil)
		for n := range tf.topics {
			names = append(names, n)
		}
	} else {
		asked := []string{}
		for _, t := range req.Topics {
			asked = append(asked, *t.Name)
		}
		tf.asked = append(tf.asked, asked)
		names = asked
	}
	for _, n := range names {
		topic := protocol.MetadataResponseTopic{Name: &n, TopicAuthorizedOperations: protocol.AuthorizedOperationsOmitted,
			Partitions: []protocol.MetadataResponsePartition{}}
		count, ok := tf.topics[n]
		switch {
		case tf.errs[n] != 0:
			topic.ErrorCode = tf.errs[n]
		case !ok:
			topic.ErrorCode = protocol.ErrUnknownTopicOrPartition.Code
		}
		if topic.ErrorCode == 0 {
			for i := range count {
				topic.Partitions = append(topic.Partitions, protocol.MetadataResponsePartition{PartitionIndex: int32(i), LeaderId: 1,
					ReplicaNodes: []int32{1}, IsrNodes: []int32{1}, OfflineReplicas: []int32{}})
			}
		}
		resp.Topics = append(resp.Topics, topic)
	}
	return resp
}

func (tf *topicsFake) lastAsked() []string {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	return tf.asked[len(tf.asked)-1]
}

// TestTopicInterest: the interest grows through Metadata, shrinks through
// SetTopics, and switches to all topics and back at runtime; each refresh
// asks for exactly the interest of its time.
func TestTopicInterest(t *testing.T) {
	tf := newTopicsFake(t, map[string]int{"a": 1, "b": 2, "c": 3})
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{tf.addr}})
	ctx := context.Background()
	if _, err := c.Metadata(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if got := tf.lastAsked(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("asked for %q, want [a b]", got)
	}
	c.SetTopics("b")
	if topics, all := c.Interest(); !slices.Equal(topics, []string{"b"}) || all {
		t.Fatalf("Interest() = %q, %v", topics, all)
	}
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := tf.lastAsked(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after SetTopics(b): asked for %q", got)
	}

	c.SetAllTopics(true)
	md, err := c.Metadata(ctx) // the cached snapshot lists b alone: refreshed
	if err != nil {
		t.Fatal(err)
	}
	if got := tf.lastAsked(); got != nil || !md.AllTopics || len(md.Topics) != 3 {
		t.Fatalf("all topics: asked for %q, snapshot AllTopics=%v with %d topics", got, md.AllTopics, len(md.Topics))
	}
	n := len(tf.asked)
	if _, err := c.Metadata(ctx, "c"); err != nil || len(tf.asked) != n {
		t.Fatalf("an all-topics snapshot serves a named topic: %v, %d requests, want %d", err, len(tf.asked), n)
	}
	c.SetAllTopics(false)
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := tf.lastAsked(); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("back to named topics: asked for %q, want [b c]", got)
	}
}

func waitChange(t *testing.T, w *Watcher) []TopicChange {
	t.Helper()
	select {
	case <-w.C():
	case <-time.After(5 * time.Second):
		t.Fatal("no change signaled")
	}
	return w.Changes()
}

func noChange(t *testing.T, w *Watcher) {
	t.Helper()
	select {
	case <-w.C():
		t.Fatalf("change signaled: %+v", w.Changes())
	default:
	}
}

// TestWatcher: partition counts growing, topics deleted and created (seen
// through an all-topics interest), and merging across refreshes; a topic
// leaving the interest and a passing retriable error are no change.
func TestWatcher(t *testing.T) {
	tf := newTopicsFake(t, map[string]int{"a": 1, "b": 2})
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{tf.addr}})
	ctx := context.Background()
	if _, err := c.Metadata(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	w := c.Watch()
	defer w.Stop()
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	noChange(t, w)

	tf.set("a", 4)
	c.Refresh(ctx)
	if got, want := waitChange(t, w), []TopicChange{{"a", 1, 4}}; !slices.Equal(got, want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}

	// Merged: 4 → 5 → 6 reads as 4 → 6; b deleted then back with 2 is nothing.
	tf.set("a", 5)
	tf.set("b", 0)
	c.Refresh(ctx)
	tf.set("a", 6)
	tf.set("b", 2)
	c.Refresh(ctx)
	if got, want := waitChange(t, w), []TopicChange{{"a", 4, 6}}; !slices.Equal(got, want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}

	// A named topic deleted: UNKNOWN_TOPIC_OR_PARTITION is a deletion.
	tf.set("b", 0)
	c.Refresh(ctx)
	if got, want := waitChange(t, w), []TopicChange{{"b", 2, 0}}; !slices.Equal(got, want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	tf.set("b", 2)
	c.Refresh(ctx)
	waitChange(t, w)

	// A topic out of the interest is not deleted.
	c.SetTopics("a")
	c.Refresh(ctx)
	noChange(t, w)

	// A retriable topic error keeps the count.
	tf.mu.Lock()
	tf.errs["a"] = protocol.ErrLeaderNotAvailable.Code
	tf.mu.Unlock()
	c.Refresh(ctx)
	noChange(t, w)
	tf.mu.Lock()
	delete(tf.errs, "a")
	tf.mu.Unlock()

	// All topics: b is back in view, c appears, then c goes.
	c.SetAllTopics(true)
	tf.set("c", 3)
	c.Refresh(ctx)
	if got, want := waitChange(t, w), []TopicChange{{"b", 0, 2}, {"c", 0, 3}}; !slices.Equal(got, want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	tf.set("c", 0)
	c.Refresh(ctx)
	if got, want := waitChange(t, w), []TopicChange{{"c", 3, 0}}; !slices.Equal(got, want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}

	// Stopped: nothing more.
	w.Stop()
	tf.set("a", 9)
	c.Refresh(ctx)
	noChange(t, w)
}

// TestWatcherConcurrent: refreshes, SetTopics and Changes from many
// goroutines at once (for the race detector), and the last Changes agree
// with the last snapshot.
func TestWatcherConcurrent(t *testing.T) {
	tf := newTopicsFake(t, map[string]int{"a": 1})
	c := newTestCluster(t, ClusterConfig{Bootstrap: []string{tf.addr}, AllTopics: true})
	ctx := context.Background()
	w := c.Watch()
	defer w.Stop()
	got := map[string]int{}
	var reader, writers sync.WaitGroup
	done := make(chan struct{})
	reader.Add(1)
	go func() {
		defer reader.Done()
		for {
			select {
			case <-w.C():
				for _, ch := range w.Changes() {
					if got[ch.Topic] != ch.OldPartitions {
						t.Errorf("change %+v, but %s had %d partitions", ch, ch.Topic, got[ch.Topic])
					}
					got[ch.Topic] = ch.NewPartitions
				}
			case <-done:
				return
			}
		}
	}()
	for i := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for n := range 20 {
				tf.set("a", n%5+1)
				c.SetTopics("a", strconv.Itoa(i))
				c.Refresh(ctx)
			}
		}()
	}
	writers.Wait()
	close(done)
	reader.Wait()
	for _, ch := range w.Changes() {
		got[ch.Topic] = ch.NewPartitions
	}
	md := c.Cached()
	if want := len(md.Topics["a"].Partitions); got["a"] != want {
		t.Fatalf("watched count of a: %d, snapshot: %d", got["a"], want)
	}
}

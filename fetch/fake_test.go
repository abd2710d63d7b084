package fetch

import (
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/fakebroker"
	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

// fakeCluster is a scripted Kafka cluster on loopback listeners: enough of
// Metadata, ListOffsets, OffsetForLeaderEpoch and Fetch (with sessions,
// leader epochs, read_committed and preferred read replicas) to drive the
// Fetcher, with hooks to inject what real brokers rarely do.
type fakeCluster struct {
	t       *testing.T
	brokers []*fakeBroker

	mu       sync.Mutex
	topics   map[string]*fakeTopic
	fetchMax int16 // highest Fetch version served
	ofleMax  int16 // highest OffsetForLeaderEpoch version served
	sessions map[int32]*fakeSession
	nextSess int32
	changed  chan struct{}              // closed when data is appended
	closing  bool                       // the test is over: long polls end
	codec    record.Codec               // of the batches appendBatch makes
	fetches  []fakeFetch                // every Fetch request, in order
	hints    bool                       // leadership errors name the leader (CurrentLeader, KIP-951)
	frozen   *protocol.MetadataResponse // when set, what every Metadata request gets

	// Hooks run before the default handling, with mu held; a non-nil
	// response is sent instead.
	onFetch       func(broker int32, req *protocol.FetchRequest) *protocol.FetchResponse
	onListOffsets func(broker int32, req *protocol.ListOffsetsRequest) *protocol.ListOffsetsResponse
	onOFLE        func(broker int32, req *protocol.OffsetForLeaderEpochRequest) *protocol.OffsetForLeaderEpochResponse
	// hangUps makes the next Fetch requests close the connection instead.
	hangUps int
	// editFetch changes a default Fetch response before it is sent.
	editFetch func(broker int32, req *protocol.FetchRequest, resp *protocol.FetchResponse)
}

type fakeFetch struct {
	broker int32
	req    *protocol.FetchRequest
}

type fakeTopic struct {
	name  string
	id    protocol.UUID
	parts []*fakePart
}

type fakePart struct {
	leader    int32
	epoch     int32
	replicas  []int32
	preferred int32 // preferred read replica named to racked fetches; -1 none
	batches   []fakeBatch
	logStart  int64
	hw        int64 // next offset
	lso       int64 // -1: same as hw
	aborted   []fakeAborted
}

// fakeAborted is an aborted transaction: from its first offset to its
// ABORT marker.
type fakeAborted struct {
	pid         int64
	first, last int64
}

type fakeBatch struct {
	base, last int64
	epoch      int32
	raw        []byte
}

type fakeSession struct {
	epoch int32
	parts map[protocol.TopicPartition]protocol.FetchPartition
	order []protocol.TopicPartition
}

type fakeBroker struct {
	id   int32
	ln   net.Listener
	host string
	port int32
}

func newFakeCluster(t *testing.T, brokers int) *fakeCluster {
	t.Helper()
	fc := &fakeCluster{t: t, topics: map[string]*fakeTopic{}, fetchMax: 17, ofleMax: 4,
		sessions: map[int32]*fakeSession{}, changed: make(chan struct{})}
	var wg sync.WaitGroup
	for i := range brokers {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		pn, _ := strconv.Atoi(port)
		b := &fakeBroker{id: int32(i), ln: ln, host: host, port: int32(pn)}
		fc.brokers = append(fc.brokers, b)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cwg sync.WaitGroup
			defer cwg.Wait()
			for {
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				cwg.Add(1)
				go func() {
					defer cwg.Done()
					defer nc.Close()
					fakebroker.Serve(t, nc, func(req protocol.Request) protocol.Response { return fc.handle(b, req) })
				}()
			}
		}()
	}
	t.Cleanup(func() {
		for _, b := range fc.brokers {
			b.ln.Close()
		}
		fc.mu.Lock()
		fc.closing = true
		close(fc.changed) // release long polls
		fc.changed = make(chan struct{})
		fc.mu.Unlock()
		wg.Wait()
	})
	return fc
}

func (fc *fakeCluster) bootstrap() []string {
	b := fc.brokers[0]
	return []string{net.JoinHostPort(b.host, strconv.Itoa(int(b.port)))}
}

// addTopic adds a topic whose partitions are led by broker i%brokers at
// epoch 0.
func (fc *fakeCluster) addTopic(name string, partitions int) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	t := &fakeTopic{name: name}
	t.id[0], t.id[15] = byte(len(fc.topics)+1), 0x42
	for i := range partitions {
		leader := int32(i % len(fc.brokers))
		var reps []int32
		for j := range fc.brokers {
			reps = append(reps, int32(j))
		}
		t.parts = append(t.parts, &fakePart{leader: leader, replicas: reps, preferred: -1, lso: -1})
	}
	fc.topics[name] = t
}

func (fc *fakeCluster) part(topic string, p int32) *fakePart {
	t := fc.topics[topic]
	if t == nil || p < 0 || int(p) >= len(t.parts) {
		return nil
	}
	return t.parts[p]
}

// withPart runs fn on a partition with mu held and wakes long polls.
func (fc *fakeCluster) withPart(topic string, p int32, fn func(*fakePart)) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fn(fc.part(topic, p))
	close(fc.changed)
	fc.changed = make(chan struct{})
}

// rec is a record for the fake log; offsets are assigned on append.
type rec struct{ key, value string }

func recs(prefix string, from, n int) []rec {
	var out []rec
	for i := from; i < from+n; i++ {
		out = append(out, rec{"k" + strconv.Itoa(i), prefix + strconv.Itoa(i)})
	}
	return out
}

// appendBatch appends one batch at the partition's end and returns its
// base offset. pid >= 0 makes it transactional.
func (fc *fakeCluster) appendBatch(topic string, p int32, pid int64, rs ...rec) int64 {
	var base int64
	fc.withPart(topic, p, func(fp *fakePart) {
		base = fp.hw
		b := record.Batch{BaseOffset: base, LastOffset: base + int64(len(rs)) - 1, PartitionLeaderEpoch: fp.epoch, Magic: 2,
			FirstTimestamp: 1700000000000 + base, MaxTimestamp: 1700000000000 + base + int64(len(rs)), ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}
		if pid >= 0 {
			b.ProducerID, b.ProducerEpoch, b.Attributes = pid, 0, 0x10
		}
		var rr []record.Record
		for i, r := range rs {
			rr = append(rr, record.Record{Offset: base + int64(i), Timestamp: b.FirstTimestamp + int64(i), Key: []byte(r.key), Value: []byte(r.value),
				Headers: []record.Header{{Key: []byte("h"), Value: []byte(r.value)}}})
		}
		raw, err := record.AppendBatch(nil, b, rr, fc.codec)
		if err != nil {
			fc.t.Fatal(err)
		}
		fp.batches = append(fp.batches, fakeBatch{base: base, last: b.LastOffset, epoch: fp.epoch, raw: raw})
		fp.hw = b.LastOffset + 1
	})
	return base
}

// appendControl appends a transaction marker (ABORT or COMMIT) of pid.
func (fc *fakeCluster) appendControl(topic string, p int32, pid int64, abort bool) int64 {
	var base int64
	fc.withPart(topic, p, func(fp *fakePart) {
		base = fp.hw
		b := record.Batch{BaseOffset: base, LastOffset: base, PartitionLeaderEpoch: fp.epoch, Magic: 2, Attributes: 0x30,
			FirstTimestamp: 1700000000000, MaxTimestamp: 1700000000000, ProducerID: pid, BaseSequence: -1}
		typ := byte(1)
		if abort {
			typ = 0
		}
		raw, err := record.AppendBatch(nil, b, []record.Record{{Offset: base, Timestamp: b.FirstTimestamp,
			Key: []byte{0, 0, 0, typ}, Value: []byte{0, 0, 0, 0, 0, 0}}}, record.CodecNone)
		if err != nil {
			fc.t.Fatal(err)
		}
		fp.batches = append(fp.batches, fakeBatch{base: base, last: base, epoch: fp.epoch, raw: raw})
		fp.hw = base + 1
	})
	return base
}

// serve answers requests on one connection, one at a time as a broker does.
func (fc *fakeCluster) handle(b *fakeBroker, req protocol.Request) protocol.Response {
	switch r := req.(type) {
	case *protocol.ApiVersionsRequest:
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return &protocol.ApiVersionsResponse{FinalizedFeaturesEpoch: -1, ApiKeys: []protocol.ApiVersionsKey{
			{ApiKey: int16(protocol.KeyFetch), MinVersion: 4, MaxVersion: fc.fetchMax},
			{ApiKey: int16(protocol.KeyListOffsets), MinVersion: 1, MaxVersion: 9},
			{ApiKey: int16(protocol.KeyMetadata), MinVersion: 0, MaxVersion: 12},
			{ApiKey: int16(protocol.KeyOffsetForLeaderEpoch), MinVersion: 2, MaxVersion: fc.ofleMax},
			{ApiKey: int16(protocol.KeyApiVersions), MinVersion: 0, MaxVersion: 4},
		}}
	case *protocol.MetadataRequest:
		return fc.metadata()
	case *protocol.ListOffsetsRequest:
		return fc.listOffsets(b.id, r)
	case *protocol.OffsetForLeaderEpochRequest:
		return fc.offsetForLeaderEpoch(b.id, r)
	case *protocol.FetchRequest:
		fc.mu.Lock()
		hangUp := fc.hangUps > 0
		if hangUp {
			fc.hangUps--
		}
		fc.mu.Unlock()
		if hangUp {
			return nil
		}
		return fc.fetch(b.id, r)
	}
	fc.t.Errorf("fake broker: unexpected %s", req.Key())
	return nil
}

func (fc *fakeCluster) metadata() *protocol.MetadataResponse {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.frozen != nil {
		return fc.frozen
	}
	resp := &protocol.MetadataResponse{ControllerId: 0, ClusterAuthorizedOperations: protocol.AuthorizedOperationsOmitted}
	for _, b := range fc.brokers {
		rack := "rack-" + strconv.Itoa(int(b.id))
		resp.Brokers = append(resp.Brokers, protocol.MetadataResponseBroker{NodeId: b.id, Host: b.host, Port: b.port, Rack: &rack})
	}
	names := make([]string, 0, len(fc.topics))
	for n := range fc.topics {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t := fc.topics[n]
		name := t.name
		mt := protocol.MetadataResponseTopic{Name: &name, TopicId: t.id, TopicAuthorizedOperations: protocol.AuthorizedOperationsOmitted}
		for i, p := range t.parts {
			mt.Partitions = append(mt.Partitions, protocol.MetadataResponsePartition{PartitionIndex: int32(i), LeaderId: p.leader,
				LeaderEpoch: p.epoch, ReplicaNodes: p.replicas, IsrNodes: p.replicas})
		}
		resp.Topics = append(resp.Topics, mt)
	}
	return resp
}

func (fc *fakeCluster) listOffsets(broker int32, req *protocol.ListOffsetsRequest) *protocol.ListOffsetsResponse {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.onListOffsets != nil {
		if resp := fc.onListOffsets(broker, req); resp != nil {
			return resp
		}
	}
	resp := &protocol.ListOffsetsResponse{}
	for _, t := range req.Topics {
		rt := protocol.ListOffsetsResponseTopic{Name: t.Name}
		for _, rp := range t.Partitions {
			pr := protocol.ListOffsetsResponsePartition{PartitionIndex: rp.PartitionIndex, Timestamp: -1, Offset: -1, LeaderEpoch: -1}
			p := fc.part(t.Name, rp.PartitionIndex)
			switch {
			case p == nil:
				pr.ErrorCode = protocol.ErrUnknownTopicOrPartition.Code
			case p.leader != broker:
				pr.ErrorCode = protocol.ErrNotLeaderOrFollower.Code
			case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < p.epoch:
				pr.ErrorCode = protocol.ErrFencedLeaderEpoch.Code
			case rp.Timestamp == protocol.ListOffsetsEarliest:
				pr.Offset, pr.LeaderEpoch = p.logStart, p.epoch
			case rp.Timestamp == protocol.ListOffsetsLatest:
				pr.Offset, pr.LeaderEpoch = p.hw, p.epoch
				if req.IsolationLevel == 1 && p.lso >= 0 {
					pr.Offset = p.lso
				}
			default: // record timestamps are 1700000000000 + offset
				if off := max(rp.Timestamp-1700000000000, p.logStart); off < p.hw {
					pr.Offset, pr.Timestamp, pr.LeaderEpoch = off, rp.Timestamp, p.epoch
				}
			}
			rt.Partitions = append(rt.Partitions, pr)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func (fc *fakeCluster) offsetForLeaderEpoch(broker int32, req *protocol.OffsetForLeaderEpochRequest) *protocol.OffsetForLeaderEpochResponse {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.onOFLE != nil {
		if resp := fc.onOFLE(broker, req); resp != nil {
			return resp
		}
	}
	resp := &protocol.OffsetForLeaderEpochResponse{}
	for _, t := range req.Topics {
		rt := protocol.OffsetForLeaderEpochResponseTopic{Topic: t.Topic}
		for _, rp := range t.Partitions {
			pr := protocol.OffsetForLeaderEpochResponsePartition{Partition: rp.Partition, LeaderEpoch: -1, EndOffset: -1}
			p := fc.part(t.Topic, rp.Partition)
			switch {
			case p == nil:
				pr.ErrorCode = protocol.ErrUnknownTopicOrPartition.Code
			case p.leader != broker:
				pr.ErrorCode = protocol.ErrNotLeaderOrFollower.Code
			case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < p.epoch:
				pr.ErrorCode = protocol.ErrFencedLeaderEpoch.Code
			default:
				// The largest epoch <= the one asked for, and where it ends:
				// the base of the first batch of a later epoch, else the end.
				pr.LeaderEpoch, pr.EndOffset = -1, -1
				for _, b := range p.batches {
					if b.epoch <= rp.LeaderEpoch {
						pr.LeaderEpoch = b.epoch
					}
				}
				if pr.LeaderEpoch >= 0 {
					pr.EndOffset = p.hw
					for _, b := range p.batches {
						if b.epoch > pr.LeaderEpoch {
							pr.EndOffset = b.base
							break
						}
					}
				}
			}
			rt.Partitions = append(rt.Partitions, pr)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func (fc *fakeCluster) fetch(broker int32, req *protocol.FetchRequest) *protocol.FetchResponse {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.fetches = append(fc.fetches, fakeFetch{broker: broker, req: req})
	if fc.onFetch != nil {
		if resp := fc.onFetch(broker, req); resp != nil {
			return resp
		}
	}
	names := map[protocol.UUID]string{}
	for n, t := range fc.topics {
		names[t.id] = n
	}
	tpOf := func(topic string, id protocol.UUID, p int32) protocol.TopicPartition {
		if req.Version >= 13 {
			topic = names[id]
		}
		return protocol.TopicPartition{Topic: topic, Partition: p}
	}
	resp := &protocol.FetchResponse{}
	var order []protocol.TopicPartition
	parts := map[protocol.TopicPartition]protocol.FetchPartition{}
	incremental := false
	switch {
	case req.Version < 7 || req.SessionEpoch == -1:
		if req.SessionId != 0 {
			delete(fc.sessions, req.SessionId)
		}
	case req.SessionEpoch == 0:
		delete(fc.sessions, req.SessionId)
		fc.nextSess++
		resp.SessionId = fc.nextSess
		s := &fakeSession{epoch: 1, parts: parts}
		fc.sessions[resp.SessionId] = s
		defer func() { s.order = order }()
	default:
		s := fc.sessions[req.SessionId]
		if s == nil {
			resp.ErrorCode = protocol.ErrFetchSessionIdNotFound.Code
			return resp
		}
		if s.epoch != req.SessionEpoch {
			resp.ErrorCode = protocol.ErrInvalidFetchSessionEpoch.Code
			return resp
		}
		s.epoch++
		resp.SessionId = req.SessionId
		for _, ft := range req.ForgottenTopicsData {
			for _, p := range ft.Partitions {
				tp := tpOf(ft.Topic, ft.TopicId, p)
				delete(s.parts, tp)
				s.order = slices.DeleteFunc(s.order, func(x protocol.TopicPartition) bool { return x == tp })
			}
		}
		parts, order, incremental = s.parts, s.order, true
		defer func() { s.order = order }()
	}
	for _, ft := range req.Topics {
		for _, p := range ft.Partitions {
			tp := tpOf(ft.Topic, ft.TopicId, p.Partition)
			if _, ok := parts[tp]; !ok {
				order = append(order, tp)
			}
			parts[tp] = p
		}
	}
	deadline := time.Now().Add(time.Duration(req.MaxWaitMs) * time.Millisecond)
	for {
		resp.Responses = nil
		bytes := fc.fill(broker, req, resp, order, parts, incremental)
		if bytes > 0 || time.Now().After(deadline) || fc.hasErrors(resp) || fc.closing {
			break
		}
		ch := fc.changed
		fc.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
		}
		fc.mu.Lock()
	}
	if fc.editFetch != nil {
		fc.editFetch(broker, req, resp)
	}
	return resp
}

func (fc *fakeCluster) hasErrors(resp *protocol.FetchResponse) bool {
	for _, t := range resp.Responses {
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 || p.PreferredReadReplica >= 0 {
				return true
			}
		}
	}
	return false
}

// fill adds the data of every partition to resp and returns the record
// bytes added. Incremental responses leave out partitions with nothing new.
func (fc *fakeCluster) fill(broker int32, req *protocol.FetchRequest, resp *protocol.FetchResponse, order []protocol.TopicPartition,
	parts map[protocol.TopicPartition]protocol.FetchPartition, incremental bool) int {
	total := 0
	for _, tp := range order {
		rp := parts[tp]
		d := protocol.FetchResponsePartitionData{PartitionIndex: tp.Partition, HighWatermark: -1, LastStableOffset: -1,
			LogStartOffset: -1, PreferredReadReplica: -1}
		p := fc.part(tp.Topic, tp.Partition)
		switch {
		case p == nil:
			d.ErrorCode = protocol.ErrUnknownTopicOrPartition.Code
		case p.leader != broker && (req.RackId == "" || !slices.Contains(p.replicas, broker)):
			d.ErrorCode = protocol.ErrNotLeaderOrFollower.Code
			if fc.hints {
				d.CurrentLeader = protocol.FetchResponseLeaderIdAndEpoch{LeaderId: p.leader, LeaderEpoch: p.epoch}
			}
		case rp.CurrentLeaderEpoch >= 0 && rp.CurrentLeaderEpoch < p.epoch:
			d.ErrorCode = protocol.ErrFencedLeaderEpoch.Code
			if fc.hints {
				d.CurrentLeader = protocol.FetchResponseLeaderIdAndEpoch{LeaderId: p.leader, LeaderEpoch: p.epoch}
			}
		case rp.CurrentLeaderEpoch > p.epoch:
			d.ErrorCode = protocol.ErrUnknownLeaderEpoch.Code
		case rp.FetchOffset < p.logStart || rp.FetchOffset > p.hw:
			d.ErrorCode = protocol.ErrOffsetOutOfRange.Code
		case p.leader == broker && req.RackId != "" && p.preferred >= 0 && p.preferred != broker:
			d.PreferredReadReplica = p.preferred
			d.HighWatermark = p.hw
		default:
			d.HighWatermark, d.LogStartOffset = p.hw, p.logStart
			end := p.hw
			if req.IsolationLevel == 1 && p.lso >= 0 {
				end = p.lso
			}
			d.LastStableOffset = end
			if p.lso < 0 {
				d.LastStableOffset = p.hw
			}
			for _, b := range p.batches {
				if b.last < rp.FetchOffset || b.base >= end {
					continue
				}
				if len(d.Records) > 0 && (len(d.Records)+len(b.raw) > int(rp.PartitionMaxBytes) || total+len(b.raw) > int(req.MaxBytes)) {
					break
				}
				d.Records = append(d.Records, b.raw...)
				total += len(b.raw)
			}
			if req.IsolationLevel == 1 {
				d.AbortedTransactions = []protocol.FetchResponseAbortedTransaction{}
				// As brokers do: the transactions that overlap the fetched range.
				for _, a := range p.aborted {
					if a.last >= rp.FetchOffset && a.first < end {
						d.AbortedTransactions = append(d.AbortedTransactions, protocol.FetchResponseAbortedTransaction{ProducerId: a.pid, FirstOffset: a.first})
					}
				}
			}
		}
		if incremental && d.ErrorCode == 0 && len(d.Records) == 0 && d.PreferredReadReplica < 0 {
			continue
		}
		name := tp.Topic
		var id protocol.UUID
		if req.Version >= 13 {
			name, id = "", fc.topics[tp.Topic].id
		}
		n := len(resp.Responses)
		if n == 0 || resp.Responses[n-1].Topic != name || resp.Responses[n-1].TopicId != id {
			resp.Responses = append(resp.Responses, protocol.FetchableTopicResponse{Topic: name, TopicId: id})
			n++
		}
		resp.Responses[n-1].Partitions = append(resp.Responses[n-1].Partitions, d)
	}
	return total
}

// fetchLog returns the Fetch requests seen so far, but for those that only
// close a session (sent whenever a broker loop ends; see fetchLogAll).
func (fc *fakeCluster) fetchLog() []fakeFetch {
	return slices.DeleteFunc(fc.fetchLogAll(), func(fe fakeFetch) bool { return closesSession(fe.req) })
}

// fetchLogAll returns every Fetch request seen so far.
func (fc *fakeCluster) fetchLogAll() []fakeFetch {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return slices.Clone(fc.fetches)
}

// newTestFetcher returns a Fetcher on fc with short waits: MaxWait 100 ms
// unless set (zero means zero to a Fetcher, and the fake answers a zero
// wait at once).
func newTestFetcher(t *testing.T, fc *fakeCluster, cfg Config) *Fetcher {
	t.Helper()
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 100 * time.Millisecond
	}
	return newExactFetcher(t, fc, cfg)
}

// newExactFetcher returns a Fetcher on fc with cfg's MinBytes and MaxWait as
// they are, short retry backoffs and the test's logger.
func newExactFetcher(t *testing.T, fc *fakeCluster, cfg Config) *Fetcher {
	t.Helper()
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: fc.bootstrap(), ReconnectBackoff: 10 * time.Millisecond,
		ReconnectBackoffMax: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff, cfg.RetryBackoffMax = 10*time.Millisecond, 50*time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	f, err := New(cl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); cl.Close() })
	return f
}

// closesSession reports whether req only closes a fetch session: the final
// epoch and no partitions.
func closesSession(req *protocol.FetchRequest) bool {
	return req.SessionId != 0 && req.SessionEpoch == -1 && len(req.Topics) == 0
}

package fetch

import (
	"sync/atomic"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// metrics are the Fetcher's counters; partition figures come from its
// state when Metrics is called.
type metrics struct {
	records, bytes          atomic.Int64
	fetches, fetchErrors    atomic.Int64
	resets, truncations     atomic.Int64
	sessionResets           atomic.Int64
	sessionsClosed          atomic.Int64
	leaderHints             atomic.Int64
	latencySum, latencyN    atomic.Int64
	latencyMax, latencyLast atomic.Int64
}

func (m *metrics) observeLatency(d time.Duration) {
	m.latencySum.Add(int64(d))
	m.latencyN.Add(1)
	m.latencyLast.Store(int64(d))
	for {
		cur := m.latencyMax.Load()
		if int64(d) <= cur || m.latencyMax.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// Metrics is a snapshot of a Fetcher's counters and partitions.
type Metrics struct {
	RecordsConsumed int64 // records handed out by Poll
	BytesConsumed   int64 // bytes of record data fully handed out
	FetchRequests   int64
	FetchErrors     int64 // fetches without a usable response, and top-level errors
	OffsetResets    int64 // positions reset by auto.offset.reset after OFFSET_OUT_OF_RANGE or an unknown epoch
	Truncations     int64 // log truncations found after leader changes (KIP-320)
	SessionResets   int64 // fetch sessions the broker did not recognise
	SessionsClosed  int64 // fetch sessions closed with the broker's acknowledgement (at Close, or when a broker has no partitions left)
	LeaderHints     int64 // leader changes learned from a Fetch error's CurrentLeader (KIP-951), without a metadata refresh
	// FetchLatencyAvg, FetchLatencyMax and FetchLatencyLast describe the
	// round trips of Fetch requests (a long poll counts fully).
	FetchLatencyAvg  time.Duration
	FetchLatencyMax  time.Duration
	FetchLatencyLast time.Duration
	BufferedBytes    int64 // record bytes held: fetched and not polled, or handed out by the last Poll
	Partitions       map[protocol.TopicPartition]PartitionMetrics
}

// PartitionMetrics describes one assigned partition.
type PartitionMetrics struct {
	Position         int64 // -1 until known
	HighWatermark    int64 // -1 until fetched
	LastStableOffset int64
	LogStartOffset   int64
	// Lag is HighWatermark (LastStableOffset under read_committed) minus
	// Position; -1 when either is unknown.
	Lag              int64
	Leader           int32
	PreferredReplica int32 // -1 when fetching from the leader
	Paused           bool
	State            string // reset, validate, ready or failed
}

// Metrics returns a snapshot.
func (f *Fetcher) Metrics() Metrics {
	m := Metrics{
		RecordsConsumed:  f.m.records.Load(),
		BytesConsumed:    f.m.bytes.Load(),
		FetchRequests:    f.m.fetches.Load(),
		FetchErrors:      f.m.fetchErrors.Load(),
		OffsetResets:     f.m.resets.Load(),
		Truncations:      f.m.truncations.Load(),
		SessionResets:    f.m.sessionResets.Load(),
		SessionsClosed:   f.m.sessionsClosed.Load(),
		LeaderHints:      f.m.leaderHints.Load(),
		FetchLatencyMax:  time.Duration(f.m.latencyMax.Load()),
		FetchLatencyLast: time.Duration(f.m.latencyLast.Load()),
	}
	if n := f.m.latencyN.Load(); n > 0 {
		m.FetchLatencyAvg = time.Duration(f.m.latencySum.Load() / n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m.BufferedBytes = f.buffered
	m.Partitions = make(map[protocol.TopicPartition]PartitionMetrics, len(f.parts))
	now := time.Now()
	for tp, p := range f.parts {
		pm := PartitionMetrics{Position: -1, HighWatermark: p.hw, LastStableOffset: p.lso, LogStartOffset: p.logStart,
			Lag: -1, Leader: p.leader, PreferredReplica: -1, Paused: p.paused, State: p.state.String()}
		if p.state != posReset {
			pm.Position = p.position
		}
		if end := p.end(f.cfg.IsolationLevel); end >= 0 && pm.Position >= 0 {
			pm.Lag = max(end-pm.Position, 0)
		}
		if t := p.target(now); t >= 0 && t != p.leader {
			pm.PreferredReplica = t
		}
		m.Partitions[tp] = pm
	}
	return m
}

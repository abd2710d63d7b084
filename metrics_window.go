package rawkafka

import (
	"math"
	"sync"
	"time"
)

// Java's defaults for its sampled stats: metrics.num.samples=2 samples of
// metrics.sample.window.ms=30000 each. An avg, max or rate covers the
// samples not older than samples×window (30 to 60 s of history).
const (
	sampleWindow = 30 * time.Second
	sampleCount  = 2
)

// sample is one window of a windowedStat.
type sample struct {
	start    time.Time
	n        int64
	sum, max float64
}

// windowedStat is Java's SampledStat for Avg, Max and Rate over
// sampleCount windows of sampleWindow. It is recorded at rebalances,
// heartbeats and commits, never per record; the mutex is uncontended.
type windowedStat struct {
	mu      sync.Mutex
	samples [sampleCount]sample
	cur     int
	total   int64   // events ever recorded (Java's CumulativeCount)
	sum     float64 // values ever recorded (Java's CumulativeSum)
	created time.Time
}

func (w *windowedStat) record(now time.Time, v float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.created.IsZero() {
		w.created = now
	}
	s := &w.samples[w.cur]
	if s.start.IsZero() || now.Sub(s.start) >= sampleWindow {
		w.cur = (w.cur + 1) % sampleCount
		s = &w.samples[w.cur]
		*s = sample{start: now}
	}
	s.n++
	s.sum += v
	if s.n == 1 || v > s.max {
		s.max = v
	}
	w.total++
	w.sum += v
}

// windowSnapshot is a windowedStat read at one instant.
type windowSnapshot struct {
	Avg, Max, Rate float64 // NaN (Avg, Max) when no event is in the window, as in Java
	Total          int64
	Sum            float64
}

// snapshot returns the avg and max of the values recorded in the live
// samples and their count per second, as Java's Avg, Max and Rate compute
// them: a sample older than sampleCount×sampleWindow is dropped, and the
// rate divides by the time since the oldest live sample started, but by at
// least (sampleCount-1)×sampleWindow, so that a lone event does not read
// as a burst.
func (w *windowedStat) snapshot(now time.Time, since time.Time) windowSnapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := windowSnapshot{Avg: math.NaN(), Max: math.NaN(), Total: w.total, Sum: w.sum}
	var n int64
	var sum float64
	oldest := now
	for _, s := range w.samples {
		if s.start.IsZero() || now.Sub(s.start) >= sampleCount*sampleWindow {
			continue
		}
		if s.start.Before(oldest) {
			oldest = s.start
		}
		if s.n > 0 && (n == 0 || s.max > ws.Max) {
			ws.Max = s.max
		}
		n += s.n
		sum += s.sum
	}
	if n > 0 {
		ws.Avg = sum / float64(n)
	} else {
		ws.Max = math.NaN()
	}
	// Java measures the rate's window from the oldest sample; with none
	// (no event for a while) the count is 0 anyway.
	if !since.IsZero() && since.After(oldest) {
		oldest = since
	}
	elapsed := max(now.Sub(oldest), (sampleCount-1)*sampleWindow)
	ws.Rate = float64(n) / elapsed.Seconds()
	return ws
}

// counterRate is a rate of a counter that is kept elsewhere (records
// consumed, counted by the fetch engine): it remembers the counter at most
// once per sampleWindow, when read, so that the hot path records nothing
// more than the counter it already has.
type counterRate struct {
	mu          sync.Mutex
	prevT, curT time.Time
	prev, cur   int64
}

// rate returns the counter's increase per second since the older of the
// two points remembered (30 to 60 s ago when read at least every 30 s;
// since the consumer started otherwise).
func (r *counterRate) rate(now time.Time, v int64, started time.Time) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.curT.IsZero() {
		r.curT, r.cur = started, 0
		r.prevT, r.prev = started, 0
	}
	if now.Sub(r.curT) >= sampleWindow {
		r.prevT, r.prev = r.curT, r.cur
		r.curT, r.cur = now, v
	}
	elapsed := now.Sub(r.prevT)
	if elapsed <= 0 {
		return 0
	}
	return float64(v-r.prev) / max(elapsed, (sampleCount-1)*sampleWindow).Seconds()
}

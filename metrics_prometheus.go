package rawkafka

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/conn"
)

// WritePrometheus writes the consumer's metrics to w in the Prometheus
// text exposition format (version 0.0.4), for a /metrics endpoint: each
// family once, with its HELP and TYPE lines, every series labelled
// client_id (client.id) and group (group.id, empty without one), and the
// per-partition lag also topic and partition.
//
// The figures are Java's consumer-coordinator-metrics and
// consumer-fetch-manager-metrics, with their meanings (see GroupMetrics
// and Metrics), renamed by Prometheus's conventions: a
// rawkafka_consumer_coordinator_ or rawkafka_consumer_fetch_manager_
// prefix, underscores for dashes, times in seconds with a _seconds suffix
// (Java's are milliseconds), counters ending in _total (rebalance-total
// is rawkafka_consumer_coordinator_rebalances_total). The prefix is
// rawkafka's, not the kafka_consumer_ a JMX exporter gives the Java
// client, because the units and a few definitions differ (records-lag-max
// is the maximum now):
// a dashboard should not mix the two by accident. Every HELP text names
// the Java metric. An average or maximum with no event in its window is
// NaN, as in Java.
func (c *Consumer) WritePrometheus(w io.Writer) error {
	now := time.Now()
	m := c.Metrics()
	clientID := c.cfg.ClientID
	if clientID == "" {
		clientID = conn.DefaultClientID
	}
	p := promWriter{labels: `client_id="` + escapeLabel(clientID) + `",group="` + escapeLabel(c.cfg.GroupID) + `"`}
	s := c.gs.snapshot(now) // with the NaNs Metrics turns into zeros
	writeCoordinator(&p, m, s)
	writeFetchManager(&p, m, s)
	_, err := w.Write(p.b)
	return err
}

const (
	coordinatorPrefix  = "rawkafka_consumer_coordinator_"
	fetchManagerPrefix = "rawkafka_consumer_fetch_manager_"
)

func writeCoordinator(p *promWriter, m Metrics, s coordinatorSnapshot) {
	const cm = " (Java: consumer-coordinator-metrics "
	g := coordinatorPrefix
	p.one(g+"rebalance_latency_avg_seconds", "gauge", "Average time of a rebalance, from its first JoinGroup to the SyncGroup that completes it, over the last 30-60 s, in seconds"+cm+"rebalance-latency-avg, ms).", s.rebalance.Avg)
	p.one(g+"rebalance_latency_max_seconds", "gauge", "Longest rebalance over the last 30-60 s, in seconds"+cm+"rebalance-latency-max, ms).", s.rebalance.Max)
	p.one(g+"rebalance_latency_seconds_total", "counter", "Time spent in completed rebalances, in seconds"+cm+"rebalance-latency-total, ms).", s.rebalance.Sum)
	p.one(g+"rebalances_total", "counter", "Rebalances completed (SyncGroup answered without error)"+cm+"rebalance-total).", float64(s.rebalance.Total))
	p.one(g+"failed_rebalances_total", "counter", "JoinGroup and SyncGroup requests that failed, MEMBER_ID_REQUIRED included"+cm+"failed-rebalance-total).", float64(s.failed.Total))
	p.one(g+"rebalance_rate_per_hour", "gauge", "Rebalances completed per hour, counted over the last 30-60 s"+cm+"rebalance-rate-per-hour).", s.rebalance.Rate*3600)
	p.one(g+"failed_rebalance_rate_per_hour", "gauge", "JoinGroup and SyncGroup requests failed per hour, counted over the last 30-60 s"+cm+"failed-rebalance-rate-per-hour).", s.failed.Rate*3600)
	p.one(g+"last_rebalance_seconds_ago", "gauge", "Seconds since the last rebalance completed, -1 before the first"+cm+"last-rebalance-seconds-ago).", float64(s.lastRebalanceSecondsAgo))
	p.one(g+"join_time_avg_seconds", "gauge", "Average round trip of a successful JoinGroup over the last 30-60 s, in seconds"+cm+"join-time-avg, ms).", s.join.Avg)
	p.one(g+"join_time_max_seconds", "gauge", "Longest successful JoinGroup over the last 30-60 s, in seconds"+cm+"join-time-max, ms).", s.join.Max)
	p.one(g+"sync_time_avg_seconds", "gauge", "Average round trip of a successful SyncGroup over the last 30-60 s, in seconds"+cm+"sync-time-avg, ms).", s.sync.Avg)
	p.one(g+"sync_time_max_seconds", "gauge", "Longest successful SyncGroup over the last 30-60 s, in seconds"+cm+"sync-time-max, ms).", s.sync.Max)
	p.one(g+"join_rate", "gauge", "Successful JoinGroups per second over the last 30-60 s"+cm+"join-rate).", s.join.Rate)
	p.one(g+"joins_total", "counter", "Successful JoinGroups"+cm+"join-total).", float64(s.join.Total))
	p.one(g+"sync_rate", "gauge", "Successful SyncGroups per second over the last 30-60 s"+cm+"sync-rate).", s.sync.Rate)
	p.one(g+"syncs_total", "counter", "Successful SyncGroups"+cm+"sync-total).", float64(s.sync.Total))
	p.one(g+"heartbeat_rate", "gauge", "Heartbeats answered per second over the last 30-60 s"+cm+"heartbeat-rate).", s.heartbeat.Rate)
	p.one(g+"heartbeats_total", "counter", "Heartbeats answered"+cm+"heartbeat-total).", float64(s.heartbeat.Total))
	p.one(g+"heartbeat_response_time_max_seconds", "gauge", "Longest Heartbeat round trip over the last 30-60 s, in seconds"+cm+"heartbeat-response-time-max, ms).", s.heartbeat.Max)
	p.one(g+"commit_latency_avg_seconds", "gauge", "Average time of an accepted offset commit over the last 30-60 s, in seconds"+cm+"commit-latency-avg, ms).", s.commit.Avg)
	p.one(g+"commit_latency_max_seconds", "gauge", "Longest accepted offset commit over the last 30-60 s, in seconds"+cm+"commit-latency-max, ms).", s.commit.Max)
	p.one(g+"commit_rate", "gauge", "Accepted offset commits per second over the last 30-60 s"+cm+"commit-rate).", s.commit.Rate)
	p.one(g+"commits_total", "counter", "Offset commits the coordinator accepted"+cm+"commit-total).", float64(m.Group.Commits))
	p.one(g+"assigned_partitions", "gauge", "Partitions assigned to this consumer now"+cm+"assigned-partitions).", float64(m.Group.AssignedPartitions))
}

func writeFetchManager(p *promWriter, m Metrics, s coordinatorSnapshot) {
	const fm = " (Java: consumer-fetch-manager-metrics "
	f := fetchManagerPrefix
	p.one(f+"records_lag_max", "gauge", "Largest lag, in records, of the assigned partitions now; -1 when none is known"+fm+"records-lag-max, the maximum over its sample window).", float64(m.RecordsLagMax))
	tps := make([]TopicPartition, 0, len(m.Partitions))
	for tp, pm := range m.Partitions {
		if pm.Lag >= 0 {
			tps = append(tps, tp)
		}
	}
	slices.SortFunc(tps, func(a, b TopicPartition) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	p.family(f+"records_lag", "gauge", "Lag, in records, of one assigned partition: the high watermark (last stable offset under read_committed) minus the position"+fm+"records-lag, per topic and partition).")
	for _, tp := range tps {
		p.sample(f+"records_lag", `topic="`+escapeLabel(tp.Topic)+`",partition="`+strconv.Itoa(int(tp.Partition))+`"`, float64(m.Partitions[tp].Lag))
	}
	p.one(f+"records_consumed_rate", "gauge", "Records returned by Poll per second over the last 30-60 s"+fm+"records-consumed-rate).", m.RecordsConsumedRate)
	p.one(f+"records_consumed_total", "counter", "Records returned by Poll"+fm+"records-consumed-total).", float64(m.RecordsConsumed))
	p.one(f+"bytes_consumed_total", "counter", "Bytes of record data returned by Poll"+fm+"bytes-consumed-total).", float64(m.BytesConsumed))
	p.one(f+"fetch_total", "counter", "Fetch requests sent"+fm+"fetch-total).", float64(m.FetchRequests))
	p.one(f+"fetch_rate", "gauge", "Fetch requests per second over the last 30-60 s"+fm+"fetch-rate).", s.fetch.Rate)
	p.one(f+"fetch_latency_avg_seconds", "gauge", "Average round trip of a Fetch request over the last 30-60 s, in seconds"+fm+"fetch-latency-avg, ms).", s.fetch.Avg)
	p.one(f+"fetch_latency_max_seconds", "gauge", "Longest Fetch round trip over the last 30-60 s, in seconds"+fm+"fetch-latency-max, ms).", s.fetch.Max)
}

// promWriter appends the exposition text; labels are the ones every
// series carries.
type promWriter struct {
	b      []byte
	labels string
}

// one writes a family of a single series.
func (p *promWriter) one(name, typ, help string, v float64) {
	p.family(name, typ, help)
	p.sample(name, "", v)
}

func (p *promWriter) family(name, typ, help string) {
	p.b = fmt.Appendf(p.b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// sample writes one series of name with the common labels and extra ones
// (already escaped).
func (p *promWriter) sample(name, extra string, v float64) {
	p.b = append(p.b, name...)
	p.b = append(p.b, '{')
	p.b = append(p.b, p.labels...)
	if extra != "" {
		p.b = append(p.b, ',')
		p.b = append(p.b, extra...)
	}
	p.b = append(p.b, "} "...)
	p.b = appendValue(p.b, v)
	p.b = append(p.b, '\n')
}

// appendValue writes v as the format spells floats: NaN, +Inf, -Inf.
func appendValue(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// escapeLabel escapes a label value: backslash, double quote and line
// feed; invalid UTF-8, which the format forbids, becomes U+FFFD.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

// escapeHelp escapes a HELP text: backslash and line feed.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

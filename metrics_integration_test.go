package rawkafka

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationMetricsAcrossRebalance: the coordinator metrics move as a
// second member joins and the first leaves, against the real broker, and
// WritePrometheus's output passes promtool throughout.
func TestIntegrationMetricsAcrossRebalance(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 4, 1)
	g := kafkatest.TopicName(t)
	ids := produceIDs(t, topic, 4, 40, "a")
	m1 := startMember(t, "m1", groupProps(g), topic)
	waitFor(t, 15*time.Second, "m1 to read everything", func() bool { return haveAll(m1.records(), ids) })
	waitFor(t, 5*time.Second, "an auto-commit", func() bool { return m1.c.Metrics().Group.Commits > 0 })

	gm := m1.c.Metrics().Group
	t.Logf("m1 alone: %+v", gm)
	if gm.RebalanceTotal != 1 || gm.AssignedPartitions != 4 {
		t.Errorf("m1 alone: rebalance-total %d, assigned-partitions %d; want 1 and 4", gm.RebalanceTotal, gm.AssignedPartitions)
	}
	if gm.JoinTimeAvg <= 0 || gm.SyncTimeAvg <= 0 || gm.RebalanceLatencyAvg <= 0 || gm.RebalanceLatencyMax < gm.RebalanceLatencyAvg {
		t.Errorf("m1 alone: join %v, sync %v, rebalance latency avg %v max %v; want > 0", gm.JoinTimeAvg, gm.SyncTimeAvg, gm.RebalanceLatencyAvg, gm.RebalanceLatencyMax)
	}
	if gm.RebalanceLatencyAvg < gm.JoinTimeAvg+gm.SyncTimeAvg-time.Millisecond {
		t.Errorf("rebalance latency %v shorter than its join %v and sync %v", gm.RebalanceLatencyAvg, gm.JoinTimeAvg, gm.SyncTimeAvg)
	}
	if gm.CommitLatencyAvg <= 0 || gm.CommitLatencyMax < gm.CommitLatencyAvg {
		t.Errorf("commit latency avg %v max %v after %d commits", gm.CommitLatencyAvg, gm.CommitLatencyMax, gm.Commits)
	}
	if gm.FailedRebalanceTotal < 1 { // MEMBER_ID_REQUIRED, as Java counts it
		t.Errorf("failed-rebalance-total %d; want the first join's MEMBER_ID_REQUIRED", gm.FailedRebalanceTotal)
	}
	if gm.LastRebalanceSecondsAgo < 0 {
		t.Errorf("last-rebalance-seconds-ago %d after a rebalance", gm.LastRebalanceSecondsAgo)
	}
	waitFor(t, 5*time.Second, "a heartbeat", func() bool { return m1.c.Metrics().Group.HeartbeatTotal > 0 })
	if gm := m1.c.Metrics().Group; gm.HeartbeatRate <= 0 {
		t.Errorf("heartbeat-rate %v after %d heartbeats", gm.HeartbeatRate, gm.HeartbeatTotal)
	}
	check := func(c *Consumer) string {
		var b bytes.Buffer
		if err := c.WritePrometheus(&b); err != nil {
			t.Fatal(err)
		}
		checkExposition(t, b.String())
		promtoolCheck(t, b.String())
		return b.String()
	}
	text := check(m1.c)
	for _, want := range []string{
		coordinatorPrefix + `rebalances_total{client_id="rawkafka",group="` + g + `"} 1`,
		coordinatorPrefix + `assigned_partitions{client_id="rawkafka",group="` + g + `"} 4`,
		fetchManagerPrefix + `records_lag{client_id="rawkafka",group="` + g + `",topic="` + topic + `",partition="3"} 0`,
		fetchManagerPrefix + `records_consumed_total{client_id="rawkafka",group="` + g + `"} 40`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %s in:\n%s", want, text)
		}
	}

	m2 := startMember(t, "m2", groupProps(g), topic)
	waitFor(t, 20*time.Second, "the partitions to split", func() bool {
		return m1.c.Metrics().Group.AssignedPartitions == 2 && m2.c.Metrics().Group.AssignedPartitions == 2
	})
	if gm := m1.c.Metrics().Group; gm.RebalanceTotal != 2 || gm.RebalanceLatencyMax <= 0 {
		t.Errorf("m1 after m2 joined: rebalance-total %d (want 2), latency max %v", gm.RebalanceTotal, gm.RebalanceLatencyMax)
	}
	if gm := m2.c.Metrics().Group; gm.RebalanceTotal != 1 || gm.JoinTimeAvg <= 0 || gm.SyncTimeAvg <= 0 {
		t.Errorf("m2: rebalance-total %d (want 1), join %v, sync %v", gm.RebalanceTotal, gm.JoinTimeAvg, gm.SyncTimeAvg)
	}
	m1.stop(false)
	waitFor(t, 20*time.Second, "m2 to own everything", func() bool { return m2.c.Metrics().Group.AssignedPartitions == 4 })
	gm = m2.c.Metrics().Group
	t.Logf("m2 alone: %+v", gm)
	if gm.RebalanceTotal != 2 || gm.LastRebalanceSecondsAgo < 0 || gm.LastRebalanceSecondsAgo > 5 {
		t.Errorf("m2 after m1 left: rebalance-total %d (want 2), last-rebalance-seconds-ago %d", gm.RebalanceTotal, gm.LastRebalanceSecondsAgo)
	}
	check(m2.c)
	m2.stop(false)
}

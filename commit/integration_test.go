package commit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationCommitted reads, at each OffsetFetch layout (v1, the
// single-group v7 and the batched v8+), offsets the Java tools committed:
// one partition committed, one not, and a group with no offsets at all.
func TestIntegrationCommitted(t *testing.T) {
	e := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 8)
	group := kafkatest.TopicName(t) + "-group"
	kafkatest.CommitOffset(t, group, topic, 0, 5)
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(e.Bootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	parts := []TopicPartition{{topic, 0}, {topic, 1}}
	defer func(v int16) { maxOffsetFetch = v }(maxOffsetFetch)
	for _, v := range []int16{1, 7, 9} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			maxOffsetFetch = v
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := Committed(ctx, cl, group, parts, v >= 7)
			if err != nil {
				t.Fatal(err)
			}
			if o := got[parts[0]]; o.Offset != 5 || o.Err != nil {
				t.Errorf("partition 0: %+v, want offset 5", o)
			}
			if o := got[parts[1]]; o.Offset != -1 || o.LeaderEpoch != -1 || o.Err != nil {
				t.Errorf("partition 1: %+v, want nothing committed", o)
			}
			none, err := Committed(ctx, cl, group+"-unknown", parts[:1], false)
			if err != nil || none[parts[0]].Offset != -1 {
				t.Errorf("a group that committed nothing: %+v, %v", none, err)
			}
		})
	}
}

// TestCommittedNeedsGroup: an empty group id is refused before anything is
// sent.
func TestCommittedNeedsGroup(t *testing.T) {
	if _, err := Committed(context.Background(), nil, "", nil, false); err == nil || !strings.Contains(err.Error(), "group.id") {
		t.Fatalf("err = %v", err)
	}
}

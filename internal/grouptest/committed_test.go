package grouptest

import (
	"testing"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestCommittedOffsets checks CommittedOffsets against an independent
// writer: offsets set with the Java kafka-consumer-groups tool.
func TestCommittedOffsets(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	group := "grouptest-" + topic
	var recs []kafkatest.Record
	for i := 0; i < 10; i++ {
		recs = append(recs, kafkatest.Record{Value: []byte("v"), Partition: 1})
	}
	kafkatest.Produce(t, brokers, topic, recs...)
	kafkatest.CommitOffset(t, group, topic, 1, 7)
	got := CommittedOffsets(t, brokers, group, Partitions(topic, 2))
	want := map[TopicPartition]int64{{topic, 0}: 0, {topic, 1}: 7}
	if len(got) != len(want) || got[TopicPartition{topic, 0}] != 0 || got[TopicPartition{topic, 1}] != 7 {
		t.Fatalf("committed %v, want %v", got, want)
	}
}

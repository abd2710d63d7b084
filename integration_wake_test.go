package rawkafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// TestIntegrationNoOffsetWakesPoll: with auto.offset.reset=none and no
// offset, a partition assigned None stops with ErrNoOffset, and a Poll
// that is already waiting returns it at once. Before the stop woke Poll
// itself, 40 rounds of this missed it 3-5 times against a real broker, the
// Poll waiting until its context ended.
func TestIntegrationNoOffsetWakesPoll(t *testing.T) {
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	c := newTestConsumer(t, map[string]string{"auto.offset.reset": "none"})
	tp := TopicPartition{Topic: topic, Partition: 0}
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		if err := c.Assign(map[TopicPartition]StartPosition{tp: Default}); err != nil {
			t.Fatal(err)
		}
		fs, err := c.Poll(ctx)
		cancel()
		if err != nil || !errors.Is(fs.Err(), ErrNoOffset) {
			t.Fatalf("round %d: poll after %v: %v, %v; want ErrNoOffset", i, time.Since(start), err, fs.Err())
		}
		if err := c.Assign(nil); err != nil {
			t.Fatal(err)
		}
	}
}

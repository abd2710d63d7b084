package examples

import (
	"context"

	"github.com/rawkafka/rawkafka"
)

// The README's commit-semantics snippets, compiled (not run) so that they
// keep to the real API.

func process(*rawkafka.Record) {}

func atMostOnce(ctx context.Context, c *rawkafka.Consumer) error {
	fs, err := c.Poll(ctx)
	if err != nil {
		return err
	}
	if err := c.CommitConsumed(ctx); err != nil { // past every record this Poll returned
		return err
	}
	for r := range fs.Records() {
		process(r)
	}
	return nil
}

func atLeastOnce(ctx context.Context, c *rawkafka.Consumer) error {
	fs, err := c.Poll(ctx)
	if err != nil {
		return err
	}
	for r := range fs.Records() {
		process(r)
	}
	if err := c.CommitConsumed(ctx); err != nil { // or c.CommitAsync(nil, done)
		return err // rawkafka.ErrCommitFailed: a rebalance moved the partitions; their new owner repeats them
	}
	c.CommitAsync(nil, func(map[rawkafka.TopicPartition]rawkafka.CommittedOffset, error) {})
	return nil
}

type sink struct{}
type sinkTx struct{}

func (sink) NextOffset(rawkafka.TopicPartition) (int64, bool) { return 0, false }
func (sink) Begin() sinkTx                                    { return sinkTx{} }
func (sinkTx) Apply(*rawkafka.Record)                         {}
func (sinkTx) SaveNextOffset(string, int32, int64)            {}
func (sinkTx) Commit() error                                  { return nil }

func exactlyOnce(ctx context.Context, b string, db sink) error {
	cfg, err := rawkafka.ParseConfig(map[string]string{"bootstrap.servers": b, "group.id": "g",
		"isolation.level": "read_committed", "enable.auto.commit": "false"})
	if err != nil {
		return err
	}
	c, err := rawkafka.New(cfg)
	if err != nil {
		return err
	}
	err = c.Subscribe([]string{"orders"}, &rawkafka.RebalanceListener{
		OnAssigned: func(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
			for _, tp := range tps {
				if next, ok := db.NextOffset(tp); ok { // stored with the results
					c.Seek(tp, rawkafka.At(next))
				}
			}
		},
	})
	if err != nil {
		return err
	}
	fs, err := c.Poll(ctx)
	if err != nil {
		return err
	}
	for r := range fs.Records() {
		tx := db.Begin()
		tx.Apply(r)                                         // the result...
		tx.SaveNextOffset(r.Topic, r.Partition, r.Offset+1) // ...and the position, atomically
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

var _ = []any{atMostOnce, atLeastOnce, exactlyOnce}

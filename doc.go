// Package rawkafka is a Kafka consumer written from the wire up: its own
// protocol codecs and connections, no Kafka client library underneath.
//
// A Consumer reads the partitions it is assigned, each from a start
// position, following the poll loop of the Java client:
//
//	cfg, err := rawkafka.ParseConfig(map[string]string{
//		"bootstrap.servers": "localhost:9092",
//		"auto.offset.reset": "earliest",
//	})
//	c, err := rawkafka.New(cfg)
//	defer c.Close()
//	c.Assign(map[rawkafka.TopicPartition]rawkafka.StartPosition{
//		{Topic: "events", Partition: 0}: rawkafka.Earliest,
//		{Topic: "events", Partition: 1}: rawkafka.At(42),
//	})
//	for {
//		fs, err := c.Poll(ctx)
//		if err != nil {
//			return err // ctx ended or the consumer closed
//		}
//		for _, e := range fs.Errors {
//			log.Print(e) // a partition's error, reported once
//		}
//		for r := range fs.Records() {
//			handle(r.Topic, r.Partition, r.Offset, r.Key, r.Value)
//		}
//	}
//
// or, record by record, for r, err := range c.Records(ctx).
//
// A consumer group shares the partitions of its topics among its members
// instead (Subscribe, or SubscribeRegex for a pattern): the classic group
// protocol with the eager range or roundrobin assignor, static membership
// with group.instance.id. Membership (heartbeats) runs in the background;
// rebalances run inside Poll, on the caller's goroutine, where the
// RebalanceListener is called:
//
//	cfg, err := rawkafka.ParseConfig(map[string]string{
//		"bootstrap.servers": "localhost:9092",
//		"group.id":          "billing",
//		"group.instance.id": "billing-0", // optional: a name that survives restarts
//		"auto.offset.reset": "earliest",
//	})
//	c, err := rawkafka.New(cfg)
//	defer c.Close() // commits, calls OnRevoked, leaves (a dynamic member)
//	err = c.Subscribe([]string{"events"}, &rawkafka.RebalanceListener{
//		OnAssigned: func(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) { log.Print("assigned ", tps) },
//		OnRevoked:  func(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) { log.Print("revoked ", tps) },
//	})
//	for {
//		fs, err := c.Poll(ctx) // an error here can also be the group's (fenced, ...)
//		...
//	}
//
// Each rebalance of the membership is recorded as a Rebalance: its cause,
// JoinGroup and SyncGroup times, the partitions revoked, assigned and
// kept, and how long each partition went without being fetched. The
// listener's OnTimeline gets each record once every partition of the new
// assignment has been fetched; Consumer.Rebalances keeps the last ones.
//
// Under auto-commit (enable.auto.commit, the default with a group.id) the
// consumed positions are committed every auto.commit.interval.ms, before
// every revocation and at Close, each time with the member's generation;
// Commit, CommitConsumed and CommitAsync commit with it too, and a commit
// the group refuses (a stale generation) is an error matching
// ErrCommitFailed, never a success.
//
// Record bytes are not copied: a record's Key, Value and Headers point into
// the fetch response (or, for compressed batches, a buffer the consumer
// reuses) and stay valid until the next Poll; with Records, until the loop
// body returns. Copy what must live longer.
//
// Fetching runs in the background (package fetch): one loop per broker with
// one request in flight, the next one sent while the caller handles the
// records of the last, under a memory budget. Positions move forward as
// records are returned; only Seek, an offset reset (auto.offset.reset after
// OFFSET_OUT_OF_RANGE) and a log truncation found after a leader change move
// them back, and the last two are logged and counted in Metrics.
//
// Configuration uses the Java client's property names and defaults
// (ParseConfig), or the typed fields of a Config that starts from
// DefaultConfig: a field's zero value means zero, not "the default", so
// that fetch.min.bytes=0 and the like can be said. Logs go to Config.Logger with
// the keys topic, partition and broker (a broker id), and group.
package rawkafka

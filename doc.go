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

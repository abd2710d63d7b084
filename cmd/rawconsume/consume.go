package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/protocol"
)

// offsetKind is how -o says where to start.
type offsetKind int

const (
	offsetEnd       offsetKind = iota // end: only new records (kcat's default)
	offsetBeginning                   // beginning
	offsetAbsolute                    // <n>
	offsetTail                        // -<n>: n records before the end
	offsetTime                        // s@<ms>: the first record at or after a timestamp
	offsetStored                      // stored: the offset group.id committed, else auto.offset.reset
)

// offsetSpec is a parsed -o value.
type offsetSpec struct {
	kind offsetKind
	n    int64
}

// parseOffset parses kcat's -o: beginning | end | stored | <n> | -<n> | s@<ms>.
func parseOffset(s string) (offsetSpec, error) {
	switch {
	case s == "beginning":
		return offsetSpec{kind: offsetBeginning}, nil
	case s == "end":
		return offsetSpec{kind: offsetEnd}, nil
	case s == "stored":
		return offsetSpec{kind: offsetStored}, nil
	case strings.HasPrefix(s, "s@"):
		ms, err := strconv.ParseInt(s[2:], 10, 64)
		if err != nil || ms < 0 {
			return offsetSpec{}, fmt.Errorf("-o %s: want s@<milliseconds since the epoch>", s)
		}
		return offsetSpec{kind: offsetTime, n: ms}, nil
	case strings.HasPrefix(s, "e@"):
		return offsetSpec{}, fmt.Errorf("-o %s: stopping at a timestamp is not supported yet", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return offsetSpec{}, fmt.Errorf("-o %s: want beginning, end, stored, <offset>, -<count> or s@<ms>", s)
	}
	if n < 0 {
		return offsetSpec{kind: offsetTail, n: -n}, nil
	}
	return offsetSpec{kind: offsetAbsolute, n: n}, nil
}

// newConsumer builds the Consumer that -b and -X describe, and returns its
// config too.
func newConsumer(opts *options) (*rawkafka.Consumer, rawkafka.Config, error) {
	cfg, err := consumerConfig(opts, opts.stderr)
	if err != nil {
		return nil, cfg, err
	}
	c, err := rawkafka.New(cfg)
	return c, cfg, err
}

// consume reads opts.topic and writes its records to out; progress and
// errors go to errOut. A missing topic or partition, or a cluster that does
// not answer within -m, ends it with an error, as in kcat; so does a
// partition error, unless -E.
func consume(ctx context.Context, opts *options, out, errOut io.Writer) error {
	c, cfg, err := newConsumer(opts)
	if err != nil {
		return err
	}
	defer c.Close()
	if opts.metricsAddr != "" {
		stop, err := serveMetrics(opts.metricsAddr, c, errOut, opts.quiet)
		if err != nil {
			return err
		}
		defer stop()
	}
	watch := &brokerWatch{after: max(2*opts.metadataTimeout, cfg.RequestTimeout+cfg.FetchMaxWait)}

	partitions, err := partitionsToRead(ctx, c, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted before it began
		}
		return err
	}
	if err := assign(ctx, c, opts, partitions); err != nil {
		return err
	}

	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	start := time.Now()
	var count, bytes int64
	reached := map[rawkafka.TopicPartition]bool{}
	var buf []byte
	for {
		pollCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs, err := c.Poll(pollCtx)
		cancel()
		if err != nil && ctx.Err() != nil {
			break // interrupted: stop quietly, like kcat
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		for r := range fs.Records() {
			buf = opts.format.append(buf[:0], r)
			if _, err := w.Write(buf); err != nil {
				return err
			}
			if opts.unbuffered {
				if err := w.Flush(); err != nil {
					return err
				}
			}
			count++
			bytes += int64(len(r.Value))
			if opts.count > 0 && count >= opts.count {
				return finish(w, errOut, opts, count, bytes, start)
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for _, e := range fs.Errors {
			msg := partitionErrorText(e)
			if !opts.keepGoing {
				return errors.New(msg)
			}
			fmt.Fprintf(errOut, "%% ERROR: %s\n", msg)
		}
		if watch.down(c, time.Now()) {
			msg := fmt.Sprintf("Local: All broker connections are down: no fetch has succeeded for %v", watch.after)
			if !opts.keepGoing {
				return errors.New(msg)
			}
			fmt.Fprintf(errOut, "%% ERROR: %s\n", msg)
		}
		if opts.exitAtEnd && allReached(c, partitions, opts, reached, errOut) {
			break
		}
	}
	return finish(w, errOut, opts, count, bytes, start)
}

// brokerWatch notices that fetches have stopped succeeding, as kcat ends a
// run on librdkafka's "all broker connections are down": without it, a
// broker lost mid-run looks like an idle topic. The Consumer's counters
// tell successes only as FetchRequests minus FetchErrors (a request in
// flight counts as a success until it fails), so a fetch has succeeded when
// that difference passes its highest value so far. The broker is taken for
// down when none has for after and a fetch failed since the success before
// the last (the failure that stopped fetching is often counted in the same
// look as the last success, and after it the fetcher waits for metadata,
// sending nothing); a fetcher that sends nothing without failing (its
// buffer full, say) is not down.
type brokerWatch struct {
	after     time.Duration
	best      int64     // the highest FetchRequests - FetchErrors seen
	errs      int64     // FetchErrors when best was reached
	errsPrev  int64     // FetchErrors when best was reached the time before
	since     time.Time // when best was reached
	lastCheck time.Time
	reported  bool // said once per outage
}

// down reports, once per outage, whether fetching has failed for w.after.
func (w *brokerWatch) down(c *rawkafka.Consumer, now time.Time) bool {
	if now.Sub(w.lastCheck) < 200*time.Millisecond {
		return false
	}
	w.lastCheck = now
	m := c.Metrics()
	if ok := m.FetchRequests - m.FetchErrors; ok > w.best || w.since.IsZero() {
		w.best, w.errsPrev, w.errs, w.since, w.reported = ok, w.errs, m.FetchErrors, now, false
		return false
	}
	if w.reported || m.FetchErrors == w.errsPrev || now.Sub(w.since) < w.after {
		return false
	}
	w.reported = true
	return true
}

// partitionsToRead returns -p's partition, or every partition of the topic,
// after checking with the cluster that they exist (within -m), in kcat's
// words when they do not.
func partitionsToRead(ctx context.Context, c *rawkafka.Consumer, opts *options) ([]int32, error) {
	mdCtx, cancel := context.WithTimeout(ctx, opts.metadataTimeout)
	defer cancel()
	ids, err := partitionsOf(mdCtx, c, opts.topic)
	switch {
	case err != nil:
		return nil, err
	case opts.partition < 0:
		return ids, nil
	case !slices.Contains(ids, opts.partition):
		return nil, fmt.Errorf("Topic %s (with partitions 0..%d): partition %d does not exist", opts.topic, len(ids)-1, opts.partition)
	}
	return []int32{opts.partition}, nil
}

// partitionsOf returns the partition ids of topic; a topic the cluster does
// not have, or no metadata, is an error in kcat's words.
func partitionsOf(ctx context.Context, c *rawkafka.Consumer, topic string) ([]int32, error) {
	ids, err := c.PartitionsFor(ctx, topic)
	switch {
	case errors.Is(err, protocol.ErrUnknownTopicOrPartition):
		return nil, fmt.Errorf("Topic %s error: Broker: Unknown topic or partition", topic)
	case err != nil:
		return nil, fmt.Errorf("Failed to query metadata for topic %s: %v", topic, err)
	case len(ids) == 0:
		return nil, fmt.Errorf("Topic %s has no partitions", topic)
	}
	return ids, nil
}

// partitionErrorText is kcat's line for a partition's error, without its
// "% ERROR: ".
func partitionErrorText(err error) string {
	var pe *rawkafka.PartitionError
	if errors.As(err, &pe) {
		return fmt.Sprintf("Topic %s [%d] error: %v", pe.Topic, pe.Partition, pe.Err)
	}
	return fmt.Sprintf("Consumer error: %v", err)
}

// assign assigns the partitions from the -o start position.
func assign(ctx context.Context, c *rawkafka.Consumer, opts *options, partitions []int32) error {
	var from rawkafka.StartPosition
	switch opts.offset.kind {
	case offsetBeginning:
		from = rawkafka.Earliest
	case offsetEnd, offsetTail:
		from = rawkafka.Latest
	case offsetAbsolute:
		from = rawkafka.At(opts.offset.n)
	case offsetTime:
		from = rawkafka.AtTime(time.UnixMilli(opts.offset.n))
	case offsetStored:
		from = rawkafka.Committed
	}
	assignment := map[rawkafka.TopicPartition]rawkafka.StartPosition{}
	for _, p := range partitions {
		assignment[rawkafka.TopicPartition{Topic: opts.topic, Partition: p}] = from
	}
	if err := c.Assign(assignment); err != nil {
		return err
	}
	if opts.offset.kind != offsetTail {
		return nil
	}
	for tp := range assignment {
		end, err := c.Position(ctx, tp)
		if err != nil {
			return err
		}
		if err := c.Seek(tp, rawkafka.At(max(end-opts.offset.n, 0))); err != nil {
			return err
		}
	}
	return nil
}

// allReached reports whether every partition's position has reached its end
// (the high watermark, or the last stable offset under read_committed), and
// says so for each partition as it gets there, as kcat -e does.
func allReached(c *rawkafka.Consumer, partitions []int32, opts *options, reached map[rawkafka.TopicPartition]bool, errOut io.Writer) bool {
	m := c.Metrics()
	for _, p := range slices.Sorted(slices.Values(partitions)) {
		tp := rawkafka.TopicPartition{Topic: opts.topic, Partition: p}
		if reached[tp] {
			continue
		}
		pm, ok := m.Partitions[tp]
		if !ok || pm.Position < 0 || pm.HighWatermark < 0 || pm.Lag != 0 {
			continue
		}
		reached[tp] = true
		if !opts.quiet {
			fmt.Fprintf(errOut, "%% Reached end of topic %s [%d] at offset %d\n", tp.Topic, tp.Partition, pm.Position)
		}
	}
	return len(reached) == len(partitions)
}

// finish flushes the output and, unless -q, prints a summary to errOut.
func finish(w *bufio.Writer, errOut io.Writer, opts *options, count, bytes int64, start time.Time) error {
	if err := w.Flush(); err != nil {
		return err
	}
	if !opts.quiet {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(errOut, "%% %d records (%d value bytes) consumed in %.3fs (%.0f records/s)\n",
			count, bytes, secs, float64(count)/max(secs, 1e-9))
	}
	return nil
}

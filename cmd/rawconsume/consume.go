package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
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

// consumerConfig builds the consumer's config from -b and -X. -X takes the
// Java client's property names; librdkafka's spellings of the same settings
// are accepted too.
func consumerConfig(opts *options) (rawkafka.Config, error) {
	props := maps.Clone(opts.props)
	aliases := map[string]string{
		"sasl.mechanisms":      "sasl.mechanism",
		"metadata.broker.list": "bootstrap.servers",
		"fetch.wait.max.ms":    "fetch.max.wait.ms",
	}
	for from, to := range aliases {
		if v, ok := props[from]; ok {
			delete(props, from)
			props[to] = v
		}
	}
	if p, ok := props["security.protocol"]; ok {
		props["security.protocol"] = strings.ToUpper(p)
	}
	props["bootstrap.servers"] = strings.Join(opts.brokers, ",")
	if _, ok := props["auto.offset.reset"]; !ok && opts.offset.kind == offsetTail {
		// A tail reaching before the log start begins at the log start.
		props["auto.offset.reset"] = "earliest"
	}
	cfg, err := rawkafka.ParseConfig(props)
	if err != nil {
		return cfg, fmt.Errorf("-X: %w", err)
	}
	return cfg, nil
}

// newConsumer builds the Consumer that -b and -X describe, and returns its
// config too.
func newConsumer(opts *options) (*rawkafka.Consumer, rawkafka.Config, error) {
	cfg, err := consumerConfig(opts)
	if err != nil {
		return nil, cfg, err
	}
	c, err := rawkafka.New(cfg)
	return c, cfg, err
}

// consume reads opts.topic and writes its records to out; progress and
// errors go to errOut.
func consume(ctx context.Context, opts *options, out, errOut io.Writer) error {
	c, _, err := newConsumer(opts)
	if err != nil {
		return err
	}
	defer c.Close()

	partitions := []int32{opts.partition}
	if opts.partition < 0 {
		if partitions, err = c.PartitionsFor(ctx, opts.topic); err != nil {
			return err
		}
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
		for _, e := range fs.Errors {
			fmt.Fprintf(errOut, "%% ERROR: %v\n", e)
		}
		for r := range fs.Records() {
			buf = opts.format.append(buf[:0], r)
			if _, err := w.Write(buf); err != nil {
				return err
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
		if opts.exitAtEnd && allReached(c, partitions, opts, reached, errOut) {
			break
		}
	}
	return finish(w, errOut, opts, count, bytes, start)
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

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/rawkafka/rawkafka"
)

// queryOffsets answers -Q: for each -t topic:partition:timestamp, the first
// offset whose record's timestamp is at or after the timestamp, the end
// offset for -1, the beginning for -2, and -1 where no record is that late.
// Output is kcat -Q's: "topic [partition] offset N" lines sorted by topic and
// partition, or with -J one object keyed by topic, then by partition. Where
// a partition is given twice, the last timestamp counts.
func queryOffsets(ctx context.Context, opts *options, out io.Writer) error {
	c, cfg, err := newConsumer(opts)
	if err != nil {
		return err
	}
	defer c.Close()
	// Retries of a leader move end here; a missing partition is found first.
	ctx, cancel := context.WithTimeout(ctx, 2*cfg.RequestTimeout)
	defer cancel()

	asked := map[rawkafka.TopicPartition]int64{}
	for _, q := range opts.query {
		asked[q.tp] = q.ts
	}
	known := map[string][]int32{}
	for _, tp := range slices.SortedFunc(maps.Keys(asked), rawkafka.TopicPartition.Compare) {
		ids, ok := known[tp.Topic]
		if !ok {
			if ids, err = partitionsOf(ctx, c, tp.Topic); err != nil {
				return err
			}
			known[tp.Topic] = ids
		}
		if !slices.Contains(ids, tp.Partition) {
			return fmt.Errorf("Topic %s (with partitions 0..%d): partition %d does not exist", tp.Topic, len(ids)-1, tp.Partition)
		}
	}

	got := map[rawkafka.TopicPartition]int64{}
	var begin, end []rawkafka.TopicPartition
	times := map[rawkafka.TopicPartition]time.Time{}
	for tp, ts := range asked {
		switch ts {
		case -1:
			end = append(end, tp)
		case -2:
			begin = append(begin, tp)
		default:
			times[tp] = time.UnixMilli(ts)
		}
	}
	for _, q := range []struct {
		tps []rawkafka.TopicPartition
		f   func(context.Context, ...rawkafka.TopicPartition) (map[rawkafka.TopicPartition]int64, error)
	}{{begin, c.BeginningOffsets}, {end, c.EndOffsets}} {
		if len(q.tps) == 0 {
			continue
		}
		offs, err := q.f(ctx, q.tps...)
		if err != nil {
			return err
		}
		maps.Copy(got, offs)
	}
	if len(times) > 0 {
		listed, err := c.OffsetsForTimes(ctx, times)
		if err != nil {
			return err
		}
		for tp, l := range listed {
			got[tp] = l.Offset
		}
	}

	w := bufio.NewWriter(out)
	tps := slices.SortedFunc(maps.Keys(got), rawkafka.TopicPartition.Compare)
	if opts.json {
		w.Write(appendQueryJSON(nil, tps, got))
		w.WriteByte('\n')
	} else {
		for _, tp := range tps {
			fmt.Fprintf(w, "%s [%d] offset %d\n", tp.Topic, tp.Partition, got[tp])
		}
	}
	return w.Flush()
}

// appendQueryJSON appends kcat -Q -J's object: each topic's key is its name,
// its value an object with "topic" and one key per partition number, in
// the order of tps (sorted by topic).
func appendQueryJSON(dst []byte, tps []rawkafka.TopicPartition, got map[rawkafka.TopicPartition]int64) []byte {
	dst = append(dst, '{')
	for i, tp := range tps {
		if i == 0 || tps[i-1].Topic != tp.Topic {
			if i > 0 {
				dst = append(dst, "},"...)
			}
			dst = appendJSONString(dst, []byte(tp.Topic))
			dst = append(dst, `:{"topic":`...)
			dst = appendJSONString(dst, []byte(tp.Topic))
		}
		dst = append(dst, `,"`...)
		dst = strconv.AppendInt(dst, int64(tp.Partition), 10)
		dst = append(dst, `":{"partition":`...)
		dst = strconv.AppendInt(dst, int64(tp.Partition), 10)
		dst = append(dst, `,"offset":`...)
		dst = strconv.AppendInt(dst, got[tp], 10)
		dst = append(dst, '}')
	}
	if len(tps) > 0 {
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

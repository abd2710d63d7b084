package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/rawkafka/rawkafka"
)

var errHelp = errors.New("help requested")

// options is the parsed command line.
type options struct {
	brokers []string
	list    bool
	query   []offsetQuery // -Q: one per -t topic:partition:timestamp
	json    bool
	quiet   bool
	version bool
	topic   string
	props   map[string]string // -X key=value, in Java/librdkafka names

	// Consuming.
	partition int32 // -p; -1 for every partition
	offset    offsetSpec
	count     int64 // -c; 0 for no limit
	exitAtEnd bool  // -e
	format    formatter
}

// offsetQuery is one -Q question: the offset in tp at time ts (ms), or at
// -1 (the end) or -2 (the beginning), as kcat -Q takes them.
type offsetQuery struct {
	tp rawkafka.TopicPartition
	ts int64
}

// listFlag collects a repeated flag's values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// propsFlag collects repeated -X key=value flags.
type propsFlag map[string]string

func (p propsFlag) String() string { return "" }

func (p propsFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("-X %q: want key=value", s)
	}
	p[strings.TrimSpace(k)] = v
	return nil
}

// parseQuery parses -Q's -t topic:partition:timestamp. Topic names cannot
// hold ':', so the last two fields are the partition and the timestamp.
func parseQuery(s string) (offsetQuery, error) {
	bad := func(why string) (offsetQuery, error) {
		return offsetQuery{}, fmt.Errorf("-t %q: %s (-Q wants topic:partition:timestamp, the timestamp in ms, -1 for the end, -2 for the beginning)", s, why)
	}
	rest, tsText, ok1 := cutLast(s, ":")
	topic, partText, ok2 := cutLast(rest, ":")
	if !ok1 || !ok2 || topic == "" {
		return bad("want three fields")
	}
	p, err := strconv.ParseInt(partText, 10, 32)
	if err != nil || p < 0 {
		return bad("the partition is not a partition number")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ts < -2 {
		return bad("the timestamp is not a time")
	}
	return offsetQuery{tp: rawkafka.TopicPartition{Topic: topic, Partition: int32(p)}, ts: ts}, nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func countTrue(bs ...bool) (n int) {
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// parseArgs parses kcat-style flags. It returns errHelp for -h.
func parseArgs(args []string) (*options, error) {
	o := &options{props: map[string]string{}}
	fs := flag.NewFlagSet("rawconsume", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by run
	fs.Usage = func() {}
	var brokers string
	fs.StringVar(&brokers, "b", "", "bootstrap brokers")
	fs.BoolVar(&o.list, "L", false, "list metadata")
	fs.BoolVar(&o.json, "J", false, "JSON output")
	fs.BoolVar(&o.quiet, "q", false, "quiet")
	fs.BoolVar(&o.version, "V", false, "version")
	var topics listFlag
	fs.Var(&topics, "t", "topic")
	queryMode := fs.Bool("Q", false, "query offsets by time")
	fs.Var(propsFlag(o.props), "X", "property")
	var consumeMode bool
	fs.BoolVar(&consumeMode, "C", false, "consume (the default mode)")
	partition := fs.Int("p", -1, "partition")
	offset := fs.String("o", "end", "start offset")
	fs.Int64Var(&o.count, "c", 0, "record count")
	fs.BoolVar(&o.exitAtEnd, "e", false, "exit at the end")
	format := fs.String("f", "", "format")
	keyDelim := fs.String("K", "", "key delimiter")
	msgDelim := fs.String("D", "\\n", "message delimiter")
	group := fs.String("G", "", "consumer group")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.version {
		return o, nil
	}
	if *group != "" {
		return nil, errors.New("-G: consumer groups are not implemented yet; use -t (and -p) to read partitions directly")
	}
	if n := countTrue(consumeMode, o.list, *queryMode); n > 1 {
		return nil, errors.New("-C, -L and -Q are different modes: give one")
	}
	if *queryMode {
		if len(topics) == 0 {
			return nil, errors.New("-Q needs -t topic:partition:timestamp (one -t per partition)")
		}
		for _, t := range topics {
			q, err := parseQuery(t)
			if err != nil {
				return nil, err
			}
			o.query = append(o.query, q)
		}
	} else if len(topics) > 1 {
		return nil, fmt.Errorf("-t given %d times: rawconsume reads one topic (-Q takes one -t per partition)", len(topics))
	} else if len(topics) == 1 {
		o.topic = topics[0]
	}
	if *partition < -1 || *partition > math.MaxInt32 {
		return nil, fmt.Errorf("-p %d: want a partition number", *partition)
	}
	o.partition = int32(*partition)
	var err error
	if o.offset, err = parseOffset(*offset); err != nil {
		return nil, err
	}
	if o.offset.kind == offsetStored && o.props["group.id"] == "" {
		return nil, errors.New("-o stored reads the offsets a group committed: give the group with -X group.id=<group>")
	}
	if o.count < 0 {
		return nil, fmt.Errorf("-c %d: want a positive count", o.count)
	}
	if o.json && *format != "" {
		return nil, errors.New("-J and -f both choose the output: give one")
	}
	o.format.json = o.json
	if *format != "" {
		if o.format.tokens, err = parseFormat(*format); err != nil {
			return nil, err
		}
	}
	if o.format.msgDelim, err = parseDelim(*msgDelim); err != nil {
		return nil, fmt.Errorf("-D: %v", err)
	}
	if *keyDelim != "" {
		o.format.printKeys = true
		if o.format.keyDelim, err = parseDelim(*keyDelim); err != nil {
			return nil, fmt.Errorf("-K: %v", err)
		}
	}
	for _, b := range strings.Split(brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.brokers = append(o.brokers, b)
		}
	}
	if len(o.brokers) == 0 {
		if v := o.props["bootstrap.servers"]; v != "" {
			o.brokers = strings.Split(v, ",")
		} else {
			return nil, errors.New("no broker given: use -b host:port")
		}
	}
	if !o.list && o.query == nil && o.topic == "" {
		return nil, errors.New("no topic given: use -t topic (or -L to list topics)")
	}
	// Check -X now, so that a wrong property is a command-line error.
	cfg, err := consumerConfig(o)
	if err != nil {
		return nil, err
	}
	if _, err := cfg.ConnConfig(); err != nil {
		return nil, fmt.Errorf("-X: %w", err)
	}
	return o, nil
}

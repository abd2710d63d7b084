package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
)

var errHelp = errors.New("help requested")

// options is the parsed command line.
type options struct {
	brokers []string
	list    bool
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
	fs.StringVar(&o.topic, "t", "", "topic")
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
	if consumeMode && o.list {
		return nil, errors.New("-C and -L are different modes: give one")
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
	if !o.list && o.topic == "" {
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

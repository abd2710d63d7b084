package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

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
	verbose int // -v, repeatable
	version bool
	topic   string
	props   map[string]string // -X key=value, in Java or librdkafka names
	group   string            // -G: the balanced consumer's group
	topics  []string          // positional topics, for -G ("^..." is a regex)
	debug   []string          // -d (and -X debug): librdkafka debug contexts
	// metadataTimeout bounds the first metadata request (-m, kcat's
	// default 5 s): a missing topic or partition, or no broker, ends the
	// run after it.
	metadataTimeout time.Duration
	// keepGoing is -E: partition errors are printed and the run goes on,
	// instead of ending it.
	keepGoing bool
	// metricsAddr is --metrics-addr: host:port to serve the consumer's
	// metrics on, at /metrics, while consuming (-C, -G); empty for none.
	metricsAddr string
	// stats is --stats: with -G, print each rebalance's record
	// (rawkafka.Rebalance) to stderr when it completes; -d does too.
	stats bool

	// stderr receives -X's notes and the logs (-d, -v); nil while parsing.
	stderr io.Writer
	// logWarnings logs warnings and errors without -d or -v: set for
	// consuming, where they are the only sign of a broker lost mid-run;
	// -L and -Q end with the error itself.
	logWarnings bool

	// Consuming.
	partition  int32 // -p; -1 for every partition
	offset     offsetSpec
	offsetSet  bool  // -o was given (with -G: auto.offset.reset)
	count      int64 // -c; 0 for no limit
	exitAtEnd  bool  // -e
	unbuffered bool  // -u: flush after every record
	format     formatter
}

// offsetQuery is one -Q question: the offset in tp at time ts (ms), or at
// -1 (the end) or -2 (the beginning), as kcat -Q takes them.
type offsetQuery struct {
	tp rawkafka.TopicPartition
	ts int64
}

// kcat's option letters: those that take a value, the flags, and the ones
// rawconsume refuses by name (kcat's producer options, and consumer
// options it does not have).
const (
	valueOptions   = "GtpbXoDKfcdm"
	flagOptions    = "CLQeEJqvuVh"
	producerOnly   = "PzkHlT"
	unsupportedOpt = "ZOsrFMU"
)

// getopt splits args the way kcat's getopt(3) does (GNU, permuting):
// combined flags (-qe), attached values (-tmytopic, -p0, -obeginning) or
// the next argument as the value (even when it starts with '-': -o -10),
// "--" ending the options, and operands (positional topics) anywhere. It
// calls opt for each option in order and returns the operands.
func getopt(args []string, opt func(letter byte, value string) error) ([]string, error) {
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(operands, args[i+1:]...), nil
		case a == "--help":
			return nil, errHelp
		case a == "--stats":
			if err := opt(1, ""); err != nil { // a long flag: letter 1
				return nil, err
			}
			continue
		case a == "--metrics-addr" || strings.HasPrefix(a, "--metrics-addr="):
			// The one long option (kcat has no letter left for it); opt
			// sees it as letter 0.
			v, ok := strings.CutPrefix(a, "--metrics-addr=")
			if !ok {
				if i+1 >= len(args) {
					return nil, errors.New("option --metrics-addr requires a value")
				}
				i++
				v = args[i]
			}
			if err := opt(0, v); err != nil {
				return nil, err
			}
			continue
		case len(a) < 2 || a[0] != '-':
			operands = append(operands, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			l := a[j]
			switch {
			case strings.IndexByte(valueOptions, l) >= 0:
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("option -%c requires a value", l)
					}
					i++
					v = args[i]
				}
				if err := opt(l, v); err != nil {
					return nil, err
				}
				j = len(a)
			case strings.IndexByte(flagOptions, l) >= 0:
				if err := opt(l, ""); err != nil {
					return nil, err
				}
			case strings.IndexByte(producerOnly, l) >= 0:
				return nil, fmt.Errorf("-%c is a producer option: rawconsume only consumes", l)
			case strings.IndexByte(unsupportedOpt, l) >= 0:
				return nil, fmt.Errorf("-%c is a kcat option rawconsume does not support", l)
			default:
				return nil, fmt.Errorf("unknown option -%c", l)
			}
		}
	}
	return operands, nil
}

// parseArgs parses kcat-style options. It returns errHelp for -h.
func parseArgs(args []string) (*options, error) {
	o := &options{props: map[string]string{}, partition: -1, metadataTimeout: 5 * time.Second}
	var (
		mode                       byte // C, L, Q or G
		brokers                    string
		topics                     []string
		offset                     = "end"
		format, keyDelim, msgDelim string
		keyDelimSet                bool
		partitionSet               bool
	)
	msgDelim = `\n`
	setMode := func(m byte) error {
		if mode != 0 && mode != m {
			return fmt.Errorf("do not mix modes: -%c seen when -%c already set", m, mode)
		}
		mode = m
		return nil
	}
	operands, err := getopt(args, func(l byte, v string) error {
		switch l {
		case 'C', 'L', 'Q':
			return setMode(l)
		case 'G':
			o.group = v
			return setMode('G')
		case 'b':
			brokers = v
		case 't':
			topics = append(topics, v)
		case 'p':
			p, err := strconv.ParseInt(v, 10, 32)
			if err != nil || p < -1 || p > math.MaxInt32 {
				return fmt.Errorf("-p %s: want a partition number", v)
			}
			o.partition, partitionSet = int32(p), true
		case 'o':
			offset, o.offsetSet = v, true
		case 'c':
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("-c %s: want a positive count", v)
			}
			o.count = n
		case 'e':
			o.exitAtEnd = true
		case 'E':
			o.keepGoing = true
		case 'f':
			format = v
		case 'J':
			o.json = true
		case 'K':
			keyDelim, keyDelimSet = v, true
		case 'D':
			msgDelim = v
		case 'X':
			k, val, ok := strings.Cut(v, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return fmt.Errorf("-X %q: want property=value", v)
			}
			o.props[strings.TrimSpace(k)] = val
		case 'd':
			o.debug = append(o.debug, v)
		case 'm':
			secs, err := strconv.ParseFloat(v, 64)
			if err != nil || secs <= 0 || secs > 1e6 {
				return fmt.Errorf("-m %s: want a number of seconds", v)
			}
			o.metadataTimeout = time.Duration(secs * float64(time.Second))
		case 'q':
			o.quiet = true
		case 'v':
			o.verbose++
		case 'u':
			o.unbuffered = true
		case 'V':
			o.version = true
		case 'h':
			return errHelp
		case 1:
			o.stats = true
		case 0:
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("--metrics-addr %s: want host:port (:9100, 127.0.0.1:0): %v", v, err)
			}
			o.metricsAddr = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if o.version {
		return o, nil
	}
	o.list, o.topics = mode == 'L', operands
	if o.metricsAddr != "" && (mode == 'L' || mode == 'Q') {
		return nil, fmt.Errorf("--metrics-addr serves a consumer's metrics: not with -%c", mode)
	}
	if o.stats && mode != 'G' {
		return nil, errors.New("--stats prints the rebalances of a group member: only with -G")
	}
	if len(operands) > 0 && mode != 'G' {
		return nil, fmt.Errorf("unexpected argument %q: a topic list is only allowed with -G <group> (use -t <topic>)", operands[0])
	}
	if mode == 'Q' {
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
	if o.offset, err = parseOffset(offset); err != nil {
		return nil, err
	}
	if o.json && format != "" {
		return nil, errors.New("-J and -f both choose the output: give one")
	}
	o.format.json = o.json
	if format != "" {
		if o.format.tokens, err = parseFormat(format); err != nil {
			return nil, err
		}
	}
	if o.format.msgDelim, err = parseDelim(msgDelim); err != nil {
		return nil, fmt.Errorf("-D: %v", err)
	}
	if keyDelimSet && keyDelim != "" {
		o.format.printKeys = true
		if o.format.keyDelim, err = parseDelim(keyDelim); err != nil {
			return nil, fmt.Errorf("-K: %v", err)
		}
	}
	o.brokers = splitBrokers(brokers)
	if len(o.brokers) == 0 {
		for _, k := range []string{"bootstrap.servers", "metadata.broker.list"} {
			if v := o.props[k]; v != "" {
				o.brokers = splitBrokers(v)
			}
		}
	}
	if len(o.brokers) == 0 {
		return nil, errors.New("no broker given: use -b host:port")
	}
	if mode == 'G' {
		if len(o.topics) == 0 {
			return nil, errors.New("-G <group> expects a list of topics to subscribe to: rawconsume -G <group> topic1 topic2")
		}
		if o.topic != "" || partitionSet {
			return nil, errors.New("-G takes its topics as arguments, not -t or -p")
		}
	}
	if o.offset.kind == offsetStored && o.props["group.id"] == "" && mode != 'G' {
		return nil, errors.New("-o stored reads the offsets a group committed: give the group with -X group.id=<group>")
	}
	if !o.list && o.query == nil && o.topic == "" && mode != 'G' {
		return nil, errors.New("no topic given: use -t topic (or -L to list topics)")
	}
	// Check -X now, so that a wrong property is a command-line error.
	if _, err := consumerConfig(o, nil); err != nil {
		return nil, err
	}
	if mode == 'G' {
		if err := checkGroupArgs(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// splitBrokers splits -b's list; a broker without a port gets 9092, as in
// kcat.
func splitBrokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(b); err != nil && !strings.Contains(b, "]") && strings.Count(b, ":") == 0 {
			b = net.JoinHostPort(b, "9092")
		}
		out = append(out, b)
	}
	return out
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

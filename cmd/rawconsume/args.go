package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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
	for _, b := range strings.Split(brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.brokers = append(o.brokers, b)
		}
	}
	if len(o.brokers) == 0 {
		if v := o.props["bootstrap.servers"]; v != "" {
			o.brokers = strings.Split(v, ",")
		} else if o.list {
			return nil, errors.New("no broker given: use -b host:port")
		}
	}
	return o, nil
}

package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/rawkafka/rawkafka"
)

// The library takes the Java client's property names; kcat users carry
// librdkafka's. rdkafkaNames maps the librdkafka spellings that mean a Java
// setting to its name.
var rdkafkaNames = map[string]string{
	"metadata.broker.list":               "bootstrap.servers",
	"sasl.mechanisms":                    "sasl.mechanism",
	"fetch.wait.max.ms":                  "fetch.max.wait.ms",
	"fetch.message.max.bytes":            "max.partition.fetch.bytes",
	"socket.timeout.ms":                  "request.timeout.ms",
	"topic.metadata.refresh.interval.ms": "metadata.max.age.ms",
	"fetch.error.backoff.ms":             "retry.backoff.ms",
	"auto.commit.enable":                 "enable.auto.commit",
}

// rdkafkaIgnored are librdkafka settings with nothing to set in rawkafka:
// accepted, with a note on stderr that says why they change nothing.
var rdkafkaIgnored = map[string]string{
	"api.version.fallback.ms":       "rawconsume always asks brokers for their API versions",
	"broker.version.fallback":       "rawconsume always asks brokers for their API versions",
	"enable.partition.eof":          "rawconsume reports the end of each partition with -e",
	"statistics.interval.ms":        "rawconsume prints no statistics",
	"log_level":                     "use -d, -v or -q",
	"log.connection.close":          "connection events are logged with -d",
	"queued.min.messages":           "fetched data is bounded by fetch.buffer.max.bytes",
	"queued.max.messages.kbytes":    "fetched data is bounded by fetch.buffer.max.bytes",
	"enable.auto.offset.store":      "rawconsume stores the position of every record it prints",
	"offset.store.method":           "offsets are stored in the broker",
	"socket.nagle.disable":          "rawconsume sends each request in one write",
	"socket.send.buffer.bytes":      "rawconsume uses the system's socket buffers",
	"socket.receive.buffer.bytes":   "rawconsume uses the system's socket buffers",
	"receive.message.max.bytes":     "the response limit follows fetch.max.bytes",
	"consume.callback.max.messages": "rawconsume has no consume callback",
	"allow.auto.create.topics":      "rawconsume never creates topics",
}

// debugContexts are the -d (and -X debug) values librdkafka knows.
var debugContexts = []string{"all", "generic", "broker", "topic", "metadata", "feature", "queue", "msg", "protocol",
	"cgrp", "security", "fetch", "interceptor", "plugin", "consumer", "admin", "eos", "mock", "assignor", "conf", "telemetry"}

// props is -X turned into what the library and rawconsume use.
type props struct {
	java        map[string]string // for rawkafka.ParseConfig
	given       map[string]string // Java name -> the -X name it came from, where they differ
	notes       []string          // one line each, for stderr
	debug       []string          // from -X debug
	insecureTLS bool              // enable.ssl.certificate.verification=false
	noKeepAlive bool              // socket.keepalive.enable=false
}

// mapProps maps -X properties, given in Java or librdkafka names, to Java
// names. "topic."-prefixed names (kcat's topic configuration) lose the
// prefix.
func mapProps(in map[string]string) (*props, error) {
	p := &props{java: map[string]string{}, given: map[string]string{}}
	set := func(key, from, v string) {
		p.java[key] = v
		if key != from {
			p.given[key] = from
		}
	}
	for _, from := range slices.Sorted(maps.Keys(in)) {
		v := in[from]
		key := from
		if _, known := rdkafkaNames[key]; !known && strings.HasPrefix(key, "topic.") {
			key = strings.TrimPrefix(key, "topic.")
		}
		if to, ok := rdkafkaNames[key]; ok {
			key = to
		}
		lv := strings.ToLower(strings.TrimSpace(v))
		if why, ok := rdkafkaIgnored[key]; ok {
			p.notes = append(p.notes, fmt.Sprintf("-X %s: ignored: %s", from, why))
			continue
		}
		switch key {
		case "debug":
			p.debug = append(p.debug, v)
		case "api.version.request":
			if lv != "true" {
				p.notes = append(p.notes, fmt.Sprintf("-X %s=%s: ignored: rawconsume always asks brokers for their API versions", from, v))
			}
		case "socket.keepalive.enable":
			switch lv {
			case "true": // TCP keep-alive is on by default
			case "false":
				p.noKeepAlive = true
			default:
				return nil, fmt.Errorf("-X %s=%q: want true or false", from, v)
			}
		case "enable.ssl.certificate.verification":
			switch lv {
			case "true":
			case "false":
				p.insecureTLS = true
			default:
				return nil, fmt.Errorf("-X %s=%q: want true or false", from, v)
			}
		case "ssl.endpoint.identification.algorithm":
			if lv == "none" {
				v = "" // librdkafka's none is Java's empty value
			}
			set(key, from, v)
		case "ssl.ca.location":
			if lv != "probe" { // probe: the system's CAs, which "" means
				set(key, from, v)
			}
		case "auto.offset.reset":
			switch lv {
			case "smallest", "beginning":
				v = "earliest"
			case "largest", "end":
				v = "latest"
			case "error":
				v = "none"
			}
			set(key, from, v)
		case "security.protocol":
			set(key, from, strings.ToUpper(v))
		default:
			set(key, from, v)
		}
	}
	for _, d := range p.debug {
		if err := checkDebug(d); err != nil {
			return nil, fmt.Errorf("-X debug=%s: %v", d, err)
		}
	}
	return p, nil
}

// checkDebug checks a comma-separated list of debug contexts.
func checkDebug(s string) error {
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); !slices.Contains(debugContexts, c) {
			return fmt.Errorf("unknown debug context %q: want a comma-separated list of %s", c, strings.Join(debugContexts, ","))
		}
	}
	return nil
}

// namedErr rewrites the library's config errors to name the -X property
// as it was given, where it was mapped from another name.
func (p *props) namedErr(err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
		var ce *rawkafka.ConfigError
		if errors.As(e, &ce) {
			if from, ok := p.given[ce.Key]; ok {
				out[i] = fmt.Errorf("%w (from -X %s)", e, from)
			}
		}
	}
	return errors.Join(out...)
}

// consumerConfig builds the consumer's config from -b, -X and -d. With
// stderr set it prints -X's notes there (unless -q) and logs to it: warnings
// and errors by default when consuming, more with -v, everything with -d,
// nothing with -q.
func consumerConfig(opts *options, stderr io.Writer) (rawkafka.Config, error) {
	p, err := mapProps(opts.props)
	if err != nil {
		return rawkafka.Config{}, err
	}
	for _, d := range opts.debug {
		if err := checkDebug(d); err != nil {
			return rawkafka.Config{}, fmt.Errorf("-d %s: %v", d, err)
		}
	}
	p.java["bootstrap.servers"] = strings.Join(opts.brokers, ",")
	delete(p.given, "bootstrap.servers")
	if opts.group != "" {
		// -G names the group; -o says where a partition without a committed
		// offset starts (see groupReset).
		p.java["group.id"] = opts.group
		delete(p.given, "group.id")
		if r := groupReset(opts); r != "" {
			p.java["auto.offset.reset"] = r
			delete(p.given, "auto.offset.reset")
		}
	} else if _, ok := p.java["auto.offset.reset"]; !ok && opts.offset.kind == offsetTail {
		// A tail reaching before the log start begins at the log start.
		p.java["auto.offset.reset"] = "earliest"
	}
	cfg, err := rawkafka.ParseConfig(p.java)
	if err != nil {
		return cfg, fmt.Errorf("-X: %w", p.namedErr(err))
	}
	if p.noKeepAlive {
		d := &net.Dialer{KeepAlive: -1}
		cfg.Dialer = d.DialContext
	}
	if p.insecureTLS {
		t := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}
		if cfg.SSLCertificateLocation != "" || cfg.SSLKeyLocation != "" {
			cert, err := tls.LoadX509KeyPair(cfg.SSLCertificateLocation, cfg.SSLKeyLocation)
			if err != nil {
				return cfg, fmt.Errorf("-X ssl.certificate.location/ssl.key.location: %v", err)
			}
			t.Certificates = []tls.Certificate{cert}
		}
		cfg.TLS = t
	}
	if stderr != nil {
		if !opts.quiet {
			for _, n := range p.notes {
				fmt.Fprintf(stderr, "%% %s\n", n)
			}
		}
		cfg.Logger = newLogger(opts, append(slices.Clone(opts.debug), p.debug...), stderr)
	}
	return cfg, nil
}

// newLogger returns the logger -q, -v and -d ask for, writing to w.
func newLogger(opts *options, debug []string, w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	switch {
	case len(debug) > 0:
		level = slog.LevelDebug
	case opts.quiet:
		return nil
	case opts.verbose > 0:
		level = slog.LevelInfo
	case !opts.logWarnings:
		return nil
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// Command rawconsume is rawkafka's command-line consumer, with kcat's flags.
//
// This first cut lists cluster metadata the way `kcat -L` does:
//
//	rawconsume -L -b 127.0.0.1:9092 [-t topic] [-J]
//
// Errors (an unknown flag, an unreachable broker) are one line on stderr and
// a non-zero exit status.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the cluster could not be reached or answered with an error
	exitUsage = 2 // the command line is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command, with its streams passed in so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "rawconsume: %v (see rawconsume -h)\n", err)
		return exitUsage
	}
	switch {
	case opts.version:
		fmt.Fprintf(stdout, "rawconsume %s\n", version)
		return exitOK
	case opts.list:
		if err := listMetadata(ctx, opts, stdout); err != nil {
			fmt.Fprintf(stderr, "rawconsume: %v\n", err)
			return exitError
		}
		return exitOK
	default:
		fmt.Fprintln(stderr, "rawconsume: consuming records is not implemented yet; -L lists metadata")
		return exitUsage
	}
}

// version is rawconsume's version string.
const version = "0.1.0-dev"

const usage = `Usage: rawconsume <options>

rawkafka's Kafka consumer, with kcat's flags.

Modes:
  -L                 List brokers, topics and partitions (like kcat -L)
  -V                 Print the version
  -h                 Print this help

Options:
  -b <brokers,..>    Bootstrap broker(s) host:port (required)
  -t <topic>         With -L: list only this topic
  -J                 JSON output
  -X <prop=value>    Set a configuration property (may repeat); supported:
                       client.id, security.protocol (plaintext, ssl,
                       sasl_plaintext, sasl_ssl), sasl.mechanism(s) (PLAIN,
                       SCRAM-SHA-256, SCRAM-SHA-512), sasl.username,
                       sasl.password, ssl.ca.location,
                       ssl.certificate.location, ssl.key.location,
                       enable.ssl.certificate.verification,
                       request.timeout.ms, socket.connection.setup.timeout.ms
  -q                 Be quiet

Consuming records (-t/-p/-o/-c/-e/-f) comes with the record decoder.
`

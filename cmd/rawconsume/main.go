// Command rawconsume is rawkafka's command-line consumer, with kcat's flags.
//
// It reads a topic's partitions (the default mode), lists cluster metadata
// the way `kcat -L` does, and queries offsets by time the way `kcat -Q` does:
//
//	rawconsume -b 127.0.0.1:9092 -t topic -o beginning -e
//	rawconsume -L -b 127.0.0.1:9092 [-t topic] [-J]
//	rawconsume -Q -b 127.0.0.1:9092 -t topic:0:1700000000000 [-J]
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
	"strings"
	"sync"
	"syscall"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the cluster could not be reached or answered with an error
	exitUsage = 2 // the command line is wrong
)

func main() {
	// SIGTERM (timeout, systemd, docker stop) ends the run as SIGINT does:
	// the output is flushed and, with -o stored, the final commit made. A
	// second signal kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// lockedWriter serialises the writes of the logger's goroutines and the
// main loop to stderr; after seal it drops them, so that nothing is written
// once run has returned.
type lockedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	sealed bool
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sealed {
		return len(p), nil
	}
	return l.w.Write(p)
}

func (l *lockedWriter) seal() {
	l.mu.Lock()
	l.sealed = true
	l.mu.Unlock()
}

// run is the whole command, with its streams passed in so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		io.WriteString(stdout, usage)
		return exitOK
	}
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		for i, l := range lines {
			if i == len(lines)-1 {
				l += " (see rawconsume -h)"
			}
			fmt.Fprintf(stderr, "rawconsume: %s\n", l)
		}
		return exitUsage
	}
	if opts.version {
		fmt.Fprintf(stdout, "rawconsume %s\n", version)
		return exitOK
	}
	errOut := &lockedWriter{w: stderr}
	defer errOut.seal()
	opts.stderr = errOut
	switch {
	case opts.query != nil:
		err = queryOffsets(ctx, opts, stdout)
	case opts.list:
		err = listMetadata(ctx, opts, stdout)
	default:
		err = consume(ctx, opts, stdout, errOut)
	}
	if err != nil {
		// kcat's form for an error that ends the run, on one line (errors
		// joined from several brokers are separated by "; ").
		fmt.Fprintf(errOut, "%% ERROR: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
		return exitError
	}
	return exitOK
}

// version is rawconsume's version string.
const version = "0.1.0-dev"

const usage = `Usage: rawconsume <options>

rawkafka's Kafka consumer, with kcat's flags.

Modes:
  -C                 Consume (the default): print the records of -t to stdout
  -L                 List brokers, topics and partitions (like kcat -L)
  -Q                 Query offsets by time (like kcat -Q): with one
                     -t <topic>:<partition>:<timestamp> per partition, print
                     the first offset at or after the timestamp (ms; -1 the
                     end, -2 the beginning), or -1 where there is none
  -V                 Print the version
  -h                 Print this help

General options:
  -b <brokers,..>    Bootstrap broker(s) host:port (required)
  -t <topic>         Topic to consume (with -L: list only this topic)
  -X <prop=value>    Set a configuration property (may repeat): the Java
                     client's names (fetch.max.bytes, isolation.level,
                     security.protocol, sasl.mechanism, sasl.username,
                     sasl.password, ssl.ca.location, client.rack, ...);
                     librdkafka's sasl.mechanisms and fetch.wait.max.ms too
  -q                 Be quiet: no progress or summary on stderr

Consumer options:
  -p <partition>     Partition (default: every partition of the topic)
  -o <offset>        Where to start: beginning | end (default) | <offset> |
                     -<count> (that many before the end) | s@<ms> (timestamp) |
                     stored (what -X group.id=<group> committed; where it
                     committed nothing, auto.offset.reset, default latest;
                     how far it read is committed, as kcat does, unless
                     -X enable.auto.commit=false)
  -c <count>         Exit after this many records
  -e                 Exit when every partition has reached its end
  -f <format>        Output format: %t topic, %p partition, %o offset,
                     %k key, %K key length, %s value, %S value length,
                     %R value length as a big-endian int32, %T timestamp (ms),
                     %h headers (k=v,...), %% percent; \n \r \t \xNN escapes
  -J                 JSON lines, as kcat -J prints them ("broker" is -1)
  -K <delim>         Print the key, this delimiter, then the value
  -D <delim>         Delimiter after each record (default \n)

Records go to stdout; progress, partition errors and a summary to stderr.
Balanced consumer groups (-G) are not implemented yet.
`

// Command rawconsume is rawkafka's command-line consumer, with kcat's flags.
//
// It reads a topic's partitions (the default mode), lists cluster metadata
// the way `kcat -L` does, and queries offsets by time the way `kcat -Q` does:
//
//	rawconsume -b 127.0.0.1:9092 -t topic -o beginning -e
//	rawconsume -b 127.0.0.1:9092 -G group topic1 [topic2 ^regex...]
//	rawconsume -L -b 127.0.0.1:9092 [-t topic] [-J]
//	rawconsume -Q -b 127.0.0.1:9092 -t topic:0:1700000000000 [-J]
//
// An error that ends the run (an unreachable or lost broker, a missing
// topic or partition, a partition's error unless -E) is one "% ERROR: ..." line on
// stderr and exit status 1, in kcat's words where kcat has them; a wrong
// command line is one line and exit status 2. SIGINT and SIGTERM end the
// run cleanly (with -o stored, after the final commit; with -G, after the
// final commit and, for a dynamic member, leaving the group).
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
	case opts.group != "":
		opts.logWarnings = true
		err = consumeGroup(ctx, opts, stdout, errOut)
	default:
		opts.logWarnings = true
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

const usage = `Usage: rawconsume <options> [-G <group> topic1 topic2 ..]

rawkafka's Kafka consumer, with kcat's options (read as kcat reads them:
-qe, -tmytopic, -p0, -obeginning and -o -10 all work).

Modes:
  -C                 Consume (the default): print the records of -t to stdout
  -G <group>         Balanced consumer group, kcat's -G <group> topic1 topic2
                     (a topic starting with ^ is a regex): join the group and
                     print the records of the partitions it assigns, with
                     kcat's "% Group ... rebalanced" lines on stderr and one
                     "% Group <g>: no partitions to fetch for <n> ms" line per
                     assignment. -o (beginning, end, stored, <offset>,
                     -<count>) is where a partition without a committed
                     offset starts, as auto.offset.reset (kcat instead
                     starts every assigned partition at -o, every time).
                     What was printed is committed every
                     auto.commit.interval.ms, on revoke and at exit, never
                     more (-X enable.auto.commit=false: nothing).
                     -X group.instance.id=<id> makes a static member;
                     -X partition.assignment.strategy=range|roundrobin|
                     sticky|cooperative-sticky, in order of preference
                     (default the library's cooperative-sticky,range:
                     the cooperative protocol among members that offer
                     cooperative-sticky, range and eager in a group with
                     a member offering only range, as kcat's default)
  -L                 List brokers, topics and partitions (like kcat -L)
  -Q                 Query offsets by time (like kcat -Q): with one
                     -t <topic>:<partition>:<timestamp> per partition, print
                     the first offset at or after the timestamp (ms; -1 the
                     end, -2 the beginning), or -1 where there is none
  -V                 Print the version
  -h                 Print this help

General options:
  -b <brokers,..>    Bootstrap broker(s) host[:port] (required; port 9092
                     when none is given)
  -t <topic>         Topic to consume (with -L: list only this topic)
  -X <prop=value>    Set a configuration property (may repeat): the Java
                     client's names (fetch.max.bytes, isolation.level,
                     security.protocol, sasl.mechanism, sasl.username,
                     sasl.password, ssl.ca.location, client.rack, ...).
                     librdkafka's spellings are mapped where they mean
                     something (sasl.mechanisms, metadata.broker.list,
                     fetch.wait.max.ms, fetch.message.max.bytes,
                     socket.timeout.ms, debug, socket.keepalive.enable,
                     ssl.endpoint.identification.algorithm=none,
                     enable.ssl.certificate.verification=false,
                     ssl.ca.location=probe, topic.<prop> for kcat's topic
                     properties such as topic.auto.offset.reset=smallest)
                     and accepted with a note on stderr where they do not
                     (api.version.request, enable.partition.eof, ...)
  -d <ctx,..>        Log debug events to stderr (librdkafka's context names:
                     all, broker, fetch, metadata, ...; every context logs
                     every event)
  -m <seconds>       How long to wait for the first metadata (default 5): a
                     missing topic or partition, or no broker, ends the run
  -q                 Be quiet: no progress, summary, notes or warnings on
                     stderr (errors still)
  -v                 Log informational events to stderr too (when consuming,
                     warnings and errors are logged by default)
  -E                 Do not exit on a partition's error or a lost broker:
                     print it and go on

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
  -u                 Unbuffered output: write each record as it comes
  --stats            With -G: print each rebalance to stderr when it is over
                     (-d does too): one line with its cause, generations,
                     JoinGroup/SyncGroup/total times and the partitions
                     revoked, lost, assigned and kept, then one line per
                     partition with how long it went without a fetch
                     (kept: the longest gap between two fetches; assigned:
                     from the trigger to its first fetch; revoked: from its
                     last fetch to the revoke)
  --metrics-addr <host:port>
                     Serve the consumer's metrics (the Java client's
                     consumer-coordinator and fetch-manager metrics) in the
                     Prometheus text format on http://<host:port>/metrics
                     while consuming (-C, -G); port 0 picks one, printed
                     as "% Metrics on http://.../metrics" on stderr

Records go to stdout; progress, notes, logs and a summary to stderr. An
error ends the run with one "% ERROR: ..." line and exit status 1 (a
command-line mistake: exit status 2); a missing topic or partition is
reported in kcat's words. So is a broker lost mid-run ("All broker
connections are down") once no fetch has succeeded for the longer of
2 x -m and request.timeout.ms + fetch.max.wait.ms (30.5 s by default). SIGINT and SIGTERM end the run cleanly: the
output is flushed and, with -o stored, how far it read is committed; with
-G, what was printed is committed and a dynamic member leaves its group (a
static one keeps its place for session.timeout.ms). A static member fenced
by another with its group.instance.id exits with status 1.
`

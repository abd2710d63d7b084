// Command drain reads a topic from the earliest offset with one Kafka client
// and prints one JSON line: the client, how many records and bytes it read,
// the wall time, and the CPU time of this process.
//
// Each client runs in its own process so that its CPU time (getrusage
// RUSAGE_SELF: every thread, the runtime's and librdkafka's included) is its
// own. Partitions are assigned by hand, with no consumer group, and nothing is
// committed. The clock starts before the client is created, so connecting and
// fetching metadata count.
//
//	drain -client rawkafka|rawkafka-wire|franz|librdkafka -brokers 127.0.0.1:25092 -topic T -records N
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"
)

// options are the settings every client gets, in the Java consumer's terms.
type options struct {
	brokers           []string
	topic             string
	records           int64
	fetchMaxBytes     int32 // fetch.max.bytes
	partitionMaxBytes int32 // max.partition.fetch.bytes
	maxWait           time.Duration
	bufferBytes       int64 // what a client may hold fetched and not yet consumed
	checkCRC          bool
	verbose           bool
}

// counts is what a client read. Bytes are key plus value lengths, so every
// record's key and value are touched.
type counts struct {
	records, bytes int64
}

// client drains opts.records records of opts.topic and returns what it read.
type client func(ctx context.Context, o options) (counts, error)

// clients maps -client names to their drivers; each driver file registers
// itself, so a driver that cannot be built here (build tags) is simply absent.
var clients = map[string]client{}

type result struct {
	Client    string  `json:"client"`
	Topic     string  `json:"topic"`
	Records   int64   `json:"records"`
	Bytes     int64   `json:"bytes"`
	WallS     float64 `json:"wall_s"`
	UserS     float64 `json:"user_s"`
	SysS      float64 `json:"sys_s"`
	CPUS      float64 `json:"cpu_s"`
	RecPerS   float64 `json:"records_per_s"`
	MBPerS    float64 `json:"mb_per_s"`
	CPUPerM   float64 `json:"cpu_s_per_m"`
	MaxRSSMiB float64 `json:"max_rss_mib"`
	GoVersion string  `json:"go"`
	Settings  string  `json:"settings"`
}

func main() {
	var (
		name     = flag.String("client", "", "client: "+strings.Join(clientNames(), ", "))
		brokers  = flag.String("brokers", "127.0.0.1:9092", "bootstrap brokers, comma-separated")
		topic    = flag.String("topic", "", "topic to drain (every partition, from the earliest offset)")
		records  = flag.Int64("records", 0, "stop after this many records (the topic must hold at least this many)")
		maxBytes = flag.Int("fetch-max-bytes", 50<<20, "fetch.max.bytes: most bytes one fetch response may carry")
		partMax  = flag.Int("partition-max-bytes", 1<<20, "max.partition.fetch.bytes: most bytes per partition in one fetch")
		maxWait  = flag.Duration("max-wait", 500*time.Millisecond, "fetch.max.wait.ms")
		buffer   = flag.Int64("buffer-bytes", 100<<20, "bytes a client may buffer fetched and not yet consumed (franz-go MaxBufferedBytes is for producing; this sets librdkafka queued.max.messages.kbytes and rawkafka's buffer)")
		crc      = flag.Bool("check-crc", true, "verify batch CRCs (franz-go and rawkafka do by default, librdkafka check.crcs=false by default)")
		timeout  = flag.Duration("timeout", 10*time.Minute, "give up after this long")
		verbose  = flag.Bool("v", false, "client logs on stderr")
		list     = flag.Bool("list", false, "print the clients this binary has, one a line, and exit")
		versions = flag.Bool("versions", false, "print the versions of the client libraries and exit")
		cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the drain (from creating the client to the last record) to this file")
	)
	flag.Parse()
	if *list {
		fmt.Println(strings.Join(clientNames(), "\n"))
		return
	}
	if *versions {
		printVersions()
		return
	}
	run, ok := clients[*name]
	if !ok || *topic == "" || *records <= 0 {
		fmt.Fprintf(os.Stderr, "drain: need -client (%s), -topic and -records\n", strings.Join(clientNames(), ", "))
		os.Exit(2)
	}
	o := options{
		brokers:           strings.Split(*brokers, ","),
		topic:             *topic,
		records:           *records,
		fetchMaxBytes:     int32(*maxBytes),
		partitionMaxBytes: int32(*partMax),
		maxWait:           *maxWait,
		bufferBytes:       *buffer,
		checkCRC:          *crc,
		verbose:           *verbose,
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "drain: %v\n", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "drain: %v\n", err)
			os.Exit(1)
		}
	}
	var before syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	c, err := run(ctx, o)
	wall := time.Since(start).Seconds()
	if *cpuProf != "" {
		pprof.StopCPUProfile() // before Getrusage, but the profiler's own cost is in the figures: compare profiled runs only with each other
	}
	var after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	if err != nil {
		fmt.Fprintf(os.Stderr, "drain: %s: %v (read %d records)\n", *name, err, c.records)
		os.Exit(1)
	}
	user := tv(after.Utime) - tv(before.Utime)
	sys := tv(after.Stime) - tv(before.Stime)
	r := result{
		Client: *name, Topic: *topic, Records: c.records, Bytes: c.bytes,
		WallS: round(wall), UserS: round(user), SysS: round(sys), CPUS: round(user + sys),
		RecPerS:   float64(int64(float64(c.records) / wall)),
		MBPerS:    round(float64(c.bytes) / wall / 1e6),
		CPUPerM:   round((user + sys) / float64(c.records) * 1e6),
		MaxRSSMiB: round(float64(after.Maxrss) / 1024), // Linux: KiB
		GoVersion: runtime.Version(),
		Settings:  fmt.Sprintf("fetch.max.bytes=%d max.partition.fetch.bytes=%d max.wait=%s buffer=%d check.crcs=%t", o.fetchMaxBytes, o.partitionMaxBytes, o.maxWait, o.bufferBytes, o.checkCRC),
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// libVersions adds versions that build info does not show (librdkafka's).
var libVersions []func() string

func printVersions() {
	fmt.Println(runtime.Version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/twmb/franz-go", "github.com/confluentinc/confluent-kafka-go/v2",
				"github.com/klauspost/compress", "github.com/pierrec/lz4/v4":
				if d.Replace != nil { // go.mod pins klauspost/compress to the library's version
					d = d.Replace
				}
				fmt.Println(d.Path, d.Version)
			}
		}
	}
	for _, f := range libVersions {
		fmt.Println(f())
	}
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func clientNames() []string {
	var names []string
	for n := range clients {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Command capture records the exact bytes of rawkafka's requests and a real
// broker's responses, for testdata/fixtures (see the README there, and
// scripts/capture-fixtures, which starts a broker and runs this).
//
// For every API rawkafka speaks it sends a meaningful request at the lowest
// and at the highest version that both the broker and rawkafka support
// (conn.Conn.DoPinned) and writes both frames, size prefix included, as
// <Api>-v<N>[-<label>]-request.bin and -response.bin. index.txt in the output
// directory lists every exchange with what it shows.
//
// It needs a broker of its own: it creates topics, produces records (with
// kcat) and runs consumer groups with fixed names, so that the fixtures of
// two runs can be compared.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"
)

// Fixed names, so that reruns produce comparable bytes.
const (
	clientID      = "rawkafka-fixtures"
	topicName     = "fixtures"          // 3 partitions, created with the highest CreateTopics version
	oldTopicName  = "fixtures-old"      // 1 partition, created with the lowest CreateTopics version
	groupName     = "fixtures-group"    // classic consumer group
	newGroupName  = "fixtures-consumer" // KIP-848 consumer group (ConsumerGroupHeartbeat)
	numPartitions = 3
	plainUser     = "alice"
	plainPassword = "alice-secret"
	scramUser     = "scram256"
	scramPassword = "scram256-secret"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("capture: ")
	addr := flag.String("addr", "127.0.0.1:29092", "PLAINTEXT listener of the broker")
	saslAddr := flag.String("sasl-addr", "127.0.0.1:29093", "SASL_PLAINTEXT listener (PLAIN alice/alice-secret, SCRAM-SHA-256 scram256/scram256-secret); empty skips the SASL APIs")
	out := flag.String("out", "", "directory for the .bin files and index.txt (its old .bin files are removed)")
	kcat := flag.String("kcat", "kcat", "command that runs kcat (split on spaces), used to produce records")
	broker := flag.String("broker", "", "broker description for index.txt, e.g. \"Apache Kafka 4.1.1\"")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up after this long")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: capture -out DIR [-addr HOST:PORT] [-sasl-addr HOST:PORT] [-kcat CMD] [-broker TEXT]")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rec, err := newRecorder(*out)
	if err != nil {
		log.Fatal(err)
	}
	s := &session{rec: rec, addr: *addr, saslAddr: *saslAddr, kcat: strings.Fields(*kcat)}
	runErr := s.run(ctx)
	if err := rec.writeIndex(*broker); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		log.Fatal(runErr)
	}
	log.Printf("%d exchanges written to %s", len(rec.index), *out)
}

// run captures everything, in an order where each step has the data the
// next needs: topics and records first, then the APIs that read them, then
// the groups, then SASL on its own listener.
func (s *session) run(ctx context.Context) error {
	if err := s.dial(ctx); err != nil {
		return err
	}
	defer s.c.Close()
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"ApiVersions", s.apiVersions},
		{"CreateTopics", s.createTopics},
		{"produce", s.produce},
		{"Metadata", s.metadata},
		{"ListOffsets", s.listOffsets},
		{"Fetch", s.fetch},
		{"OffsetForLeaderEpoch", s.offsetForLeaderEpoch},
		{"FindCoordinator", s.findCoordinator},
		{"classic group", s.classicGroups},
		{"ConsumerGroupHeartbeat", s.consumerGroupHeartbeat},
		{"SASL", s.sasl},
	}
	for _, st := range steps {
		log.Printf("%s", st.name)
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return nil
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

func TestMetricsAddrArgs(t *testing.T) {
	for _, args := range [][]string{
		{"-b", "x:1", "-t", "t", "--metrics-addr", "127.0.0.1:0"},
		{"-b", "x:1", "--metrics-addr=127.0.0.1:0", "-G", "g", "t"},
	} {
		o, err := parseArgs(args)
		if err != nil || o.metricsAddr != "127.0.0.1:0" {
			t.Errorf("%q: metricsAddr %q, err %v", args, o.metricsAddr, err)
		}
	}
	for _, args := range [][]string{
		{"-b", "x:1", "-t", "t", "--metrics-addr"},
		{"-b", "x:1", "-t", "t", "--metrics-addr", "nocolon"},
		{"-L", "-b", "x:1", "--metrics-addr", ":0"},
	} {
		if _, err := parseArgs(args); err == nil {
			t.Errorf("%q: accepted", args)
		}
	}
}

// syncBuffer is a stderr that tests read while run writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var metricsLine = regexp.MustCompile(`% Metrics on (http://\S+/metrics)`)

// scrape fetches url and checks the answer as Prometheus would take it.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET %s: %s, Content-Type %q", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

func promtool(t *testing.T, text string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (scripts/deps installs Debian's prometheus)")
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s\n--- input:\n%s", err, out, text)
	}
}

// sample returns the value of the first series of name in text, "" when
// there is none.
func sample(text, name string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, name+"{") {
			return l[strings.LastIndexByte(l, ' ')+1:]
		}
	}
	return ""
}

// startRun runs rawconsume with args on its own goroutine and returns the
// /metrics URL it prints, and a stop that cancels it and returns its exit
// status.
func startRun(t *testing.T, args ...string) (url string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- run(ctx, args, io.Discard, stderr) }()
	stop = func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(30 * time.Second):
			t.Fatalf("rawconsume did not stop; stderr:\n%s", stderr)
			return -1
		}
	}
	var m []string
	if !kafkatest.Poll(15*time.Second, func() bool { m = metricsLine.FindStringSubmatch(stderr.String()); return m != nil }) {
		stop()
		t.Fatalf("no metrics address on stderr:\n%s", stderr)
	}
	return m[1], stderr, stop
}

// TestIntegrationMetricsEndpointGroup: rawconsume -G --metrics-addr serves
// metrics over HTTP that promtool accepts, and they show the assignment.
func TestIntegrationMetricsEndpointGroup(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 3, 1)
	group := "rawconsume-metrics-" + topic
	produceIDs(t, brokers, topic, "a-", 30, 3)
	url, stderr, stop := startRun(t, "-b", brokers, "-o", "beginning", "--metrics-addr", "127.0.0.1:0",
		"-X", "auto.commit.interval.ms=200", "-X", "client.id=rc-metrics", "-G", group, topic)
	var text string
	if !kafkatest.Poll(30*time.Second, func() bool {
		text = scrape(t, url)
		return sample(text, "rawkafka_consumer_coordinator_assigned_partitions") == "3" &&
			sample(text, "rawkafka_consumer_fetch_manager_records_consumed_total") == "30" &&
			sample(text, "rawkafka_consumer_coordinator_commits_total") != "0"
	}) {
		stop()
		t.Fatalf("the metrics never showed 3 partitions, 30 records and a commit:\n%s\nstderr:\n%s", text, stderr)
	}
	if got := sample(text, "rawkafka_consumer_coordinator_rebalances_total"); got != "1" {
		t.Errorf("rebalances_total %s, want 1", got)
	}
	for _, want := range []string{`client_id="rc-metrics"`, `group="` + group + `"`, `topic="` + topic + `",partition="2"`} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s in:\n%s", want, text)
		}
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	promtool(t, text)
}

// TestIntegrationMetricsEndpointAssign: -C with --metrics-addr.
func TestIntegrationMetricsEndpointAssign(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	produceIDs(t, brokers, topic, "a-", 10, 2)
	url, stderr, stop := startRun(t, "-b", brokers, "-t", topic, "-o", "beginning", "--metrics-addr", "127.0.0.1:0")
	var text string
	if !kafkatest.Poll(20*time.Second, func() bool {
		text = scrape(t, url)
		return sample(text, "rawkafka_consumer_fetch_manager_records_consumed_total") == "10"
	}) {
		stop()
		t.Fatalf("10 records never counted:\n%s\nstderr:\n%s", text, stderr)
	}
	if got := sample(text, "rawkafka_consumer_coordinator_assigned_partitions"); got != "2" {
		t.Errorf("assigned_partitions %s, want 2", got)
	}
	if got := sample(text, "rawkafka_consumer_fetch_manager_records_lag_max"); got != "0" {
		t.Errorf("records_lag_max %s, want 0", got)
	}
	if code := stop(); code != exitOK {
		t.Errorf("exit status %d; stderr:\n%s", code, stderr)
	}
	promtool(t, text)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// runFor runs rawconsume with args until it exits or d passes (then as if
// interrupted), and returns its exit code, stdout and stderr.
func runFor(t *testing.T, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// kcatStderr runs kcat with args and returns its exit code and stderr.
func kcatStderr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("kcat", args...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("kcat %q: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), errOut.String()
}

// TestIntegrationMissingTopicOrPartitionLikeKcat: a topic or a partition
// the cluster does not have is one line on stderr and exit 1, at once, in
// kcat's words.
func TestIntegrationMissingTopicOrPartitionLikeKcat(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	for _, args := range [][]string{
		{"-b", boot, "-t", kafkatest.TopicName(t) + "-missing", "-e", "-q"},
		{"-b", boot, "-t", topic, "-p", "99", "-e", "-q"},
		{"-b", boot, "-t", topic, "-p99", "-o", "beginning", "-q"}, // without -e too
	} {
		start := time.Now()
		code, out, errOut := runFor(t, 30*time.Second, args...)
		if code != exitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "% ERROR: ") {
			t.Errorf("rawconsume %q: exit %d, stdout %q, stderr %q; want exit 1 and one line", args, code, out, errOut)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("rawconsume %q took %v", args, took)
		}
		kcode, kerr := kcatStderr(t, append([]string{"-C"}, args...)...)
		if kcode != code || kerr != errOut {
			t.Errorf("rawconsume %q: exit %d, %q; kcat: exit %d, %q", args, code, errOut, kcode, kerr)
		}
	}
}

// TestIntegrationQueryMissingTopicOrPartition: -Q says which topic or
// partition is missing, in the words of consuming (kcat -Q only says
// "offsets_for_times failed: Local: Unknown partition").
func TestIntegrationQueryMissingTopicOrPartition(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	missing := kafkatest.TopicName(t) + "-missing"
	for _, c := range []struct{ q, want string }{
		{topic + ":99:-1", "% ERROR: Topic " + topic + " (with partitions 0..1): partition 99 does not exist\n"},
		{missing + ":0:-1", "% ERROR: Topic " + missing + " error: Broker: Unknown topic or partition\n"},
	} {
		code, out, errOut := runFor(t, 30*time.Second, "-Q", "-b", boot, "-t", c.q)
		if code != exitError || out != "" || errOut != c.want {
			t.Errorf("-Q -t %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", c.q, code, out, errOut, c.want)
		}
	}
}

// TestIntegrationPartitionErrorsEndTheRun: a partition error (here an
// offset past the end with auto.offset.reset=none) ends the run with exit 1,
// as in kcat; with -E it is printed and the run goes on.
func TestIntegrationPartitionErrorsEndTheRun(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 3)
	args := []string{"-b", boot, "-t", topic, "-p", "0", "-o", "100", "-X", "auto.offset.reset=none", "-q"}
	wantLine := "% ERROR: Topic " + topic + " [0] error: "

	code, out, errOut := runFor(t, 30*time.Second, args...)
	if code != exitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, wantLine) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one line %q...", code, out, errOut, wantLine)
	}
	start := time.Now()
	code, out, errOut = runFor(t, 4*time.Second, append(args, "-E")...)
	if code != exitOK || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, wantLine) {
		t.Fatalf("-E: exit %d, stdout %q, stderr %q; want the error line and exit 0 when interrupted", code, out, errOut)
	}
	if took := time.Since(start); took < 3*time.Second {
		t.Fatalf("-E: the run ended after %v, before it was interrupted", took)
	}
}

// TestIntegrationDebugLogs: -d logs to stderr; without it (and -q) nothing
// is logged.
func TestIntegrationDebugLogs(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 3)
	args := []string{"-b", boot, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o\n"}
	for _, d := range [][]string{{"-d", "broker,fetch"}, {"-dall"}, {"-X", "debug=fetch"}} {
		code, out, errOut := runFor(t, 30*time.Second, append(args, d...)...)
		if code != exitOK || out != "0\n1\n2\n" {
			t.Fatalf("%q: exit %d, stdout %q, stderr %s", d, code, out, errOut)
		}
		for _, want := range []string{"level=DEBUG", "msg=connected addr=" + boot, "msg=fetched", "topic=" + topic} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%q: no %q in stderr:\n%s", d, want, errOut)
			}
		}
	}
	if code, out, errOut := runFor(t, 30*time.Second, args...); code != exitOK || out != "0\n1\n2\n" || errOut != "" {
		t.Errorf("-q without -d: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestIntegrationSIGTERMCommitsStored: rawconsume -o stored, stopped with
// SIGTERM (as timeout, systemd and docker stop do), exits 0 and commits how
// far it read.
func TestIntegrationSIGTERMCommitsStored(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 5)
	group := kafkatest.TopicName(t) + "-group"

	bin := filepath.Join(t.TempDir(), "rawconsume")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-b", boot, "-t", topic, "-o", "stored", "-X", "group.id="+group,
		"-X", "auto.offset.reset=earliest", "-q", "-u", "-f", "%o\n")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	for i := range 5 {
		if !lines.Scan() {
			t.Fatalf("read %d records, then: %v; stderr %s", i, lines.Err(), errOut.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGTERM: %v; stderr %s", err, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("rawconsume did not exit after SIGTERM")
	}

	cfg := rawkafka.DefaultConfig()
	cfg.BootstrapServers, cfg.GroupID = []string{boot}, group
	c, err := rawkafka.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tp := rawkafka.TopicPartition{Topic: topic, Partition: 0}
	got, err := c.Committed(ctx, tp)
	if err != nil {
		t.Fatal(err)
	}
	if got[tp].Offset != 5 {
		t.Fatalf("committed %+v after SIGTERM, want offset 5", got[tp])
	}
}

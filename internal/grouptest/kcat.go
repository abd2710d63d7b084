package grouptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// kcatRecordPrefix starts every record line kcat prints (-f), so that
// records cannot be mistaken for kcat's "% ..." messages or librdkafka's
// logs on the same pipe.
const kcatRecordPrefix = "REC\t"

// kcatGroupPrefix starts kcat's (and rawconsume's) rebalance lines.
const kcatGroupPrefix = "% Group "

// Kcat returns a kcat -G member (librdkafka's high-level balanced consumer)
// for cfg, not yet started. It runs `scripts/kafka kcat`, which uses the
// newer librdkafka scripts/deps fetched when there is one, else the system's.
//
// kcat prints each record as "REC\t<topic>\t<partition>\t<offset>\t<value>"
// (-f, unbuffered with -u) and its rebalances on stderr, which the harness
// reads from the same pipe:
//
//	% Group G rebalanced (memberid M): assigned: t [0], t [1]
//	% Group G rebalanced (memberid M): revoked: t [0], t [1]
//	% Group G rebalanced: incremental assignment of 2 partition(s) (memberid M, COOPERATIVE rebalance protocol): t [0], t [1]
//	% Group G rebalanced: incremental revoke of 1 partition(s) (memberid M, assignment lost, COOPERATIVE rebalance protocol): t [1]
//
// (the eager lines lose "assignment lost": an eager lost revoke reads as
// Revoked). Values must not contain newlines. kcat commits automatically
// (enable.auto.commit, every Config.AutoCommitInterval) what it has printed,
// and on revoke and close.
func Kcat(t testing.TB, cfg Config) *Process {
	t.Helper()
	if _, err := exec.LookPath("kcat"); err != nil {
		require(t, "kcat not found (run scripts/deps)")
	}
	root, err := kafkatest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"kcat", "-b", cfg.Brokers, "-G", cfg.Group, "-u",
		"-f", `REC\t%t\t%p\t%o\t%s\n`,
		"-X", "partition.assignment.strategy=" + string(cfg.strategy())}
	if cfg.LogJoins {
		args = append(args, "-d", "cgrp")
	}
	for _, kv := range cfg.properties() {
		args = append(args, "-X", kv[0]+"="+kv[1])
	}
	args = append(args, cfg.Topics...)
	cmd := exec.Command(filepath.Join(root, "scripts", "kafka"), args...)
	cmd.Env = os.Environ()
	return NewProcess(t, cfg.Name, "kcat", cmd, rejoinCutRecords([]string{kcatRecordPrefix, kcatGroupPrefix}, kcatLogStart, ParseKcatLine))
}

// kcatLogStart finds librdkafka's log line ("%7|1796156847.558|HEARTBEAT|...")
// inside a line (seen with -d cgrp).
var kcatLogStart = regexp.MustCompile(`%\d\|\d+\.\d+\|`)

// kcatJoined starts the generation in librdkafka's debug line (-d cgrp)
// for a JoinGroup answer:
//
//	%7|1796154519.496|JOINGROUP|rdkafka#consumer-1| [thrd:main]: JoinGroup response: GenerationId 1, Protocol cooperative-sticky, LeaderId m (me), my MemberId m, member metadata count 1: (no error)
const kcatJoined = "]: JoinGroup response: GenerationId "

// ParseKcatLine is Kcat's LineParser.
func ParseKcatLine(line string, now time.Time, seq int) (*Record, *OwnershipEvent, error) {
	if i := strings.Index(line, kcatJoined); i >= 0 && strings.HasPrefix(line, "%7|") {
		if !strings.HasSuffix(line, ": (no error)") {
			return nil, nil, nil // MEMBER_ID_REQUIRED and the like: no generation
		}
		n, err := strconv.ParseInt(leadingDigits(line[i+len(kcatJoined):]), 10, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("kcat join line %q: bad generation", line)
		}
		ev := &OwnershipEvent{Type: Joined, Generation: int32(n), Time: now, Seq: seq, Line: line}
		// librdkafka stamps its log lines: seconds with milliseconds.
		if f := strings.SplitN(line, "|", 3); len(f) == 3 {
			if sec, err := strconv.ParseFloat(f[1], 64); err == nil && sec > 1e9 {
				ev.ClientTime = time.UnixMilli(int64(sec*1000 + 0.5))
			}
		}
		return nil, ev, nil
	}
	if rest, ok := strings.CutPrefix(line, kcatRecordPrefix); ok {
		f := strings.SplitN(rest, "\t", 4)
		if len(f) != 4 {
			return nil, nil, fmt.Errorf("kcat record line %q: want 4 fields", line)
		}
		p, err1 := strconv.ParseInt(f[1], 10, 32)
		o, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("kcat record line %q: bad partition or offset", line)
		}
		return &Record{Topic: f[0], Partition: int32(p), Offset: o, Value: f[3], Time: now, Seq: seq}, nil, nil
	}
	rest, ok := strings.CutPrefix(line, kcatGroupPrefix)
	if !ok || !strings.Contains(rest, " rebalanced") {
		return nil, nil, nil
	}
	var typ EventType
	var list string
	switch {
	case strings.Contains(rest, "): assigned: "):
		typ, list = Assigned, after(rest, "): assigned: ")
	case strings.Contains(rest, "): revoked: "):
		typ, list = Revoked, after(rest, "): revoked: ")
	case strings.Contains(rest, "rebalanced: incremental assignment of "):
		typ, list = Assigned, after(rest, " rebalance protocol): ")
	case strings.Contains(rest, "rebalanced: incremental revoke of "):
		typ, list = Revoked, after(rest, " rebalance protocol): ")
		if strings.Contains(rest, ", assignment lost,") {
			typ = Lost
		}
	default: // "% Group G rebalanced (memberid M): failed: ..."
		return nil, nil, nil
	}
	tps, err := parseKcatPartitions(list)
	if err != nil {
		return nil, nil, fmt.Errorf("kcat rebalance line %q: %v", line, err)
	}
	return nil, &OwnershipEvent{Type: typ, Partitions: tps, Time: now, Seq: seq, Line: line}, nil
}

func after(s, sep string) string {
	if i := strings.Index(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return ""
}

// parseKcatPartitions reads "t [0], t [1]" (empty: none).
func parseKcatPartitions(s string) ([]TopicPartition, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []TopicPartition
	for _, item := range strings.Split(s, ", ") {
		open := strings.LastIndex(item, " [")
		if open < 0 || !strings.HasSuffix(item, "]") {
			return nil, fmt.Errorf("partition %q: want \"topic [n]\"", item)
		}
		n, err := strconv.ParseInt(item[open+2:len(item)-1], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("partition %q: %v", item, err)
		}
		out = append(out, TopicPartition{item[:open], int32(n)})
	}
	return out, nil
}

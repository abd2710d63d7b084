package grouptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// The rawconsume binary, built once per test binary (RawconsumeBinary).
var rawconsumeBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// RawconsumeBinary builds cmd/rawconsume once per test binary and returns
// its path. The binary lives in a temporary directory that
// RemoveRawconsumeBinary deletes (call it from TestMain after m.Run).
func RawconsumeBinary(t testing.TB) string {
	t.Helper()
	b := &rawconsumeBuild
	b.once.Do(func() {
		root, err := kafkatest.RepoRoot()
		if err != nil {
			b.err = err
			return
		}
		if b.dir, b.err = os.MkdirTemp("", "grouptest-rawconsume-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "rawconsume")
		cmd := exec.Command("go", "build", "-o", b.path, "./cmd/rawconsume")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = &buildError{err, string(out)}
		}
	})
	if b.err != nil {
		t.Fatalf("grouptest: building rawconsume: %v", b.err)
	}
	return b.path
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// RemoveRawconsumeBinary deletes what RawconsumeBinary built.
func RemoveRawconsumeBinary() {
	if d := rawconsumeBuild.dir; d != "" {
		os.RemoveAll(d)
	}
}

// Rawconsume returns a rawconsume -G member (rawkafka's own group
// membership) for cfg, not yet started. It prints what Kcat's member
// prints, in the same words: records as "REC\t<topic>\t<partition>\t<offset>\t<value>"
// (-f, -u) and kcat's eager rebalance lines on stderr:
//
//	% Group G rebalanced (memberid M): assigned: t [0], t [1]
//	% Group G rebalanced (memberid M): revoked: t [0], t [1]
//	% Group G: assignment lost (nothing committed for it)
//	% Group G: no partitions to fetch for 12 ms
//
// A loss prints the revoked line too, as kcat's eager line does, then the
// "assignment lost" line; the parser reads both as Revoked. rawconsume commits (every
// Config.AutoCommitInterval, on revoke and at exit) only what it has
// printed; Stop (SIGTERM) closes it as kcat's does.
func Rawconsume(t testing.TB, cfg Config) *Process {
	t.Helper()
	bin := RawconsumeBinary(t)
	args := []string{"-b", cfg.Brokers, "-G", cfg.Group, "-u",
		"-f", `REC\t%t\t%p\t%o\t%s\n`,
		"-X", "partition.assignment.strategy=" + string(cfg.strategy())}
	if os.Getenv(RawconsumeDebugEnv) != "" {
		args = append(args, "-d", "all") // a superset of cgrp: Joined events still come
	} else if cfg.LogJoins {
		args = append(args, "-d", "cgrp")
	}
	for _, kv := range cfg.properties() {
		args = append(args, "-X", kv[0]+"="+kv[1])
	}
	args = append(args, cfg.Topics...)
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	return NewProcess(t, cfg.Name, "rawconsume", cmd, rejoinCutRecords([]string{kcatRecordPrefix, kcatGroupPrefix}, rawconsumeLogStart, ParseRawconsumeLine))
}

// RawconsumeDebugEnv names the environment variable that, when set (to
// anything), runs every rawconsume member with -d all: its whole debug log
// (fetches, lookups, the rebalance timeline) in its output, for chasing a
// rare failure. Combine it with OutputDirEnv, since a failed test logs
// only the last lines of each member.
const RawconsumeDebugEnv = "GROUPTEST_RAWCONSUME_DEBUG"

// rawconsumeLogStart finds a slog text line (-d) inside a line.
var rawconsumeLogStart = regexp.MustCompile(`time=\d{4}-\d\d-\d\dT`)

// ParseRawconsumeLine is Rawconsume's LineParser: kcat's lines (see
// ParseKcatLine); rawconsume's own extra lines ("no partitions to fetch",
// "assignment lost") are no events. With -d cgrp (Config.LogJoins) the
// group's state changes are logged; the one out of Joining names the
// generation its JoinGroup answer gave, a Joined event:
//
//	time=… level=DEBUG msg="group: state" group=g member_id=m generation=3 from=Joining to=AwaitingSync
func ParseRawconsumeLine(line string, now time.Time, seq int) (*Record, *OwnershipEvent, error) {
	if strings.Contains(line, `msg="group: state"`) &&
		(strings.HasSuffix(line, " from=Joining to=AwaitingSync") || strings.HasSuffix(line, " from=Joining to=Assigning")) {
		_, rest, _ := strings.Cut(line, " generation=")
		n, err := strconv.ParseInt(leadingDigits(rest), 10, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("rawconsume state line %q: bad generation", line)
		}
		if n > 0 {
			return nil, &OwnershipEvent{Type: Joined, Generation: int32(n), Time: now, Seq: seq, Line: line}, nil
		}
		return nil, nil, nil
	}
	return ParseKcatLine(line, now, seq)
}

package grouptest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LineParser turns one line of a member's output into a record, an
// ownership event, both nil (a line to ignore), or an error (a line that
// looks like a record or an event but cannot be read: the harness fails
// the test rather than lose it). now is when the line was read; seq its
// number. The parser fills Member, Time and Seq itself or leaves them to
// the harness (which sets them when they are zero).
type LineParser func(line string, now time.Time, seq int) (*Record, *OwnershipEvent, error)

// Process is a Member that is an external process: the shape every kind
// shares. A kind supplies the command and a LineParser (see Kcat, Java and
// Rawconsume). Its stdout and stderr are one pipe, so the
// order of its lines is the order it wrote them.
type Process struct {
	t     testing.TB
	name  string
	kind  string
	cmd   *exec.Cmd
	parse LineParser

	mu      sync.Mutex
	records []Record
	events  []OwnershipEvent
	output  strings.Builder
	seq     int
	stopSig os.Signal
	killed  bool
	started bool
	done    chan struct{}
	waitErr error
}

// OutputDirEnv names the environment variable that, when set to a
// directory, makes every member write its whole output there when its test
// ends, passed or failed, as <test>-<member>.log (a failed test logs only
// the last 60 lines of each).
const OutputDirEnv = "GROUPTEST_OUTPUT_DIR"

// NewProcess returns a Member of the given kind that runs cmd (not yet
// started) and reads its output with parse. The test's cleanup kills the
// process if it still runs and logs its output if the test failed.
func NewProcess(t testing.TB, name, kind string, cmd *exec.Cmd, parse LineParser) *Process {
	p := &Process{t: t, name: name, kind: kind, cmd: cmd, parse: parse, done: make(chan struct{}), stopSig: syscall.SIGTERM}
	// Its own process group, so that Kill reaches a wrapper script's child too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t.Cleanup(func() {
		p.mu.Lock()
		started := p.started
		p.mu.Unlock()
		if !started {
			return
		}
		select {
		case <-p.done:
		default:
			_ = p.Kill()
			<-p.done
		}
		if d := os.Getenv(OutputDirEnv); d != "" {
			name := filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_")+"-"+p.name+".log")
			if err := os.WriteFile(name, []byte(p.Output()), 0o644); err != nil {
				t.Logf("grouptest: %s: %v", OutputDirEnv, err)
			}
		}
		if t.Failed() {
			t.Logf("grouptest: output of %s (%s), last 60 lines:\n%s", p.name, p.kind, lastLines(p.Output(), 60))
		}
	})
	return p
}

// Name implements Member.
func (p *Process) Name() string { return p.name }

// Kind implements Member.
func (p *Process) Kind() string { return p.kind }

// Start implements Member. ctx's end kills the process.
func (p *Process) Start(ctx context.Context) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("grouptest: start %s: %w", p.name, err)
	}
	w.Close() // the child holds it; EOF comes when the child (and its children) exit
	p.mu.Lock()
	p.started = true
	p.mu.Unlock()
	p.t.Logf("grouptest: %s started (%s, pid %d): %s", p.name, p.kind, p.cmd.Process.Pid, strings.Join(p.cmd.Args, " "))

	stop := context.AfterFunc(ctx, func() { _ = p.Kill() })
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		p.read(r)
	}()
	go func() {
		err := p.cmd.Wait()
		<-readDone // the pipe closes when the child exits (a grandchild could keep it: kill the group)
		r.Close()
		stop()
		p.mu.Lock()
		p.waitErr = err
		if !p.killed {
			if owned := ownedAfter(p.events); len(owned) > 0 {
				p.events = append(p.events, OwnershipEvent{Member: p.name, Type: Exited, Partitions: owned, Time: time.Now(), Seq: p.seq + 1})
			}
		}
		p.mu.Unlock()
		p.t.Logf("grouptest: %s exited: %v", p.name, errOrOK(err))
		close(p.done)
	}()
	return nil
}

func errOrOK(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

func (p *Process) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	// A process killed in the middle of writing a line (kcat writes a
	// record's -f tokens one by one) leaves a last line with no newline:
	// unterminated says so, and such a line is not read as a record or an
	// event.
	unterminated := false
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if atEOF && tok != nil && adv == len(data) && len(data) > 0 && data[len(data)-1] != '\n' {
			unterminated = true
		}
		return adv, tok, err
	})
	for sc.Scan() {
		now := time.Now()
		line := sc.Text()
		p.mu.Lock()
		p.seq++
		seq := p.seq
		p.output.WriteString(line)
		p.output.WriteByte('\n')
		killed := p.killed
		p.mu.Unlock()
		if killed && unterminated {
			p.t.Logf("grouptest: %s: last line cut short by SIGKILL, ignored: %q", p.name, line)
			continue
		}
		rec, ev, err := p.parse(line, now, seq)
		if err != nil {
			p.t.Errorf("grouptest: %s: %v", p.name, err)
			continue
		}
		p.mu.Lock()
		if rec != nil {
			fill(&rec.Member, &rec.Time, &rec.Seq, p.name, now, seq)
			p.records = append(p.records, *rec)
		}
		if ev != nil && !killed {
			fill(&ev.Member, &ev.Time, &ev.Seq, p.name, now, seq)
			if ev.Line == "" {
				ev.Line = line
			}
			p.events = append(p.events, *ev)
		}
		p.mu.Unlock()
	}
	if err := sc.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		p.t.Errorf("grouptest: reading %s: %v", p.name, err)
	}
}

func fill(member *string, t *time.Time, seq *int, name string, now time.Time, n int) {
	if *member == "" {
		*member = name
	}
	if t.IsZero() {
		*t = now
	}
	if *seq == 0 {
		*seq = n
	}
}

// SetStopSignal sets the signal Stop sends (SIGTERM by default; a kind
// whose clean shutdown is on SIGINT sets that). Call it before Start.
func (p *Process) SetStopSignal(sig os.Signal) { p.stopSig = sig }

// Stop implements Member: the stop signal (SIGTERM unless SetStopSignal
// said otherwise), then SIGKILL after timeout (an error). A process that
// had already exited is an error too: it ended before the test asked it
// to. A JVM ended by SIGTERM exits with status 143 after its shutdown
// hooks ran (Err reports it); that is a clean stop.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return fmt.Errorf("grouptest: %s had exited before Stop: %s", p.name, errOrOK(p.Err()))
	default:
	}
	if err := p.signal(p.stopSig); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
		_ = p.Kill()
		<-p.done
		return fmt.Errorf("grouptest: %s did not exit within %v of SIGTERM; killed", p.name, timeout)
	}
}

// Kill implements Member. Lines the process wrote before it died are still
// read; ownership events among them count, later ones cannot exist. The
// Killed event ends what the member owned at the moment of the signal.
func (p *Process) Kill() error {
	p.mu.Lock()
	if p.killed || !p.started {
		p.mu.Unlock()
		return nil
	}
	select {
	case <-p.done:
		p.mu.Unlock()
		return nil
	default:
	}
	now := time.Now()
	err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.killed = true
	p.seq++
	p.events = append(p.events, OwnershipEvent{Member: p.name, Type: Killed, Partitions: ownedAfter(p.events), Time: now, Seq: p.seq})
	p.mu.Unlock()
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("grouptest: kill %s: %w", p.name, err)
	}
	p.t.Logf("grouptest: %s killed (SIGKILL)", p.name)
	return nil
}

func (p *Process) signal(sig os.Signal) error {
	p.mu.Lock()
	started := p.started
	p.mu.Unlock()
	if !started {
		return fmt.Errorf("grouptest: %s not started", p.name)
	}
	// The process itself only: a wrapper script has exec'd into the client.
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("grouptest: signal %s: %w", p.name, err)
	}
	return nil
}

// Done implements Member.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the process's exit error once Done is closed (nil: status 0).
func (p *Process) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waitErr
}

// Records implements Member.
func (p *Process) Records() []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Record(nil), p.records...)
}

// Events implements Member.
func (p *Process) Events() []OwnershipEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]OwnershipEvent(nil), p.events...)
}

// Owned implements Member.
func (p *Process) Owned() []TopicPartition {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ownedAfter(p.events)
}

// Output implements Member.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// require fails the test when CI=true and skips it otherwise: a tool the
// harness needs is missing.
func require(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("grouptest: %s (CI=true, so this fails)", why)
	}
	t.Skipf("grouptest: %s, skipping (with CI=true this fails)", why)
}

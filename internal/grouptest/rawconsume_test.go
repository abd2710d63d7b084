package grouptest

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// rawconsume -G's lines, as it printed them: kcat's rebalance lines are
// events, its own extra lines are not.
func TestParseRawconsumeLine(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		line string
		typ  EventType // 0: no event
		n    int       // partitions
		rec  bool
	}{
		{"% Waiting for group rebalance", 0, 0, false},
		{"% Group g rebalanced (memberid rawkafka-7c5b7de5-d95b): assigned: t [0], t [1]", Assigned, 2, false},
		{"% Group g rebalanced (memberid rawkafka-7c5b7de5-d95b): assigned: ", Assigned, 0, false},
		{"% Group g: no partitions to fetch for 11 ms", 0, 0, false},
		{"% Group g: no partitions to fetch for 5 ms so far: none assigned", 0, 0, false},
		{"% Group g rebalanced (memberid i1-58ec0937): revoked: t [0]", Revoked, 1, false},
		{"% Group g: assignment lost (nothing committed for it)", 0, 0, false},
		{"REC\tt\t1\t42\tid-7", 0, 0, true},
	} {
		rec, ev, err := ParseRawconsumeLine(tc.line, t0, 3)
		switch {
		case err != nil:
			t.Errorf("%q: %v", tc.line, err)
		case (rec != nil) != tc.rec:
			t.Errorf("%q: record %+v, want one: %v", tc.line, rec, tc.rec)
		case tc.typ == 0 && ev != nil:
			t.Errorf("%q: event %+v, want none", tc.line, ev)
		case tc.typ != 0 && (ev == nil || ev.Type != tc.typ || len(ev.Partitions) != tc.n):
			t.Errorf("%q: event %+v, want %v of %d partitions", tc.line, ev, tc.typ, tc.n)
		}
	}
}

// errTB records Errorf instead of failing the test.
type errTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (e *errTB) Errorf(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// A killed process's last line, cut short, is no record and no error; the
// same line from a process that exits by itself is an error.
func TestKilledProcessLastLineCutShort(t *testing.T) {
	for _, kill := range []bool{true, false} {
		tb := &errTB{TB: t}
		script := `printf 'REC\tt\t0\t1\tid-1\nREC\tt\t'; sleep 30`
		if !kill {
			script = `printf 'REC\tt\t0\t1\tid-1\nREC\tt\t'`
		}
		p := NewProcess(tb, "sh", "sh", exec.Command("sh", "-c", script), ParseKcatLine)
		if err := p.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if kill {
			WaitRecords(t, 5*time.Second, 1, p)
			// printf wrote both lines at once; if the partial one is not read
			// before the kill, the killed case sees no error anyway.
			time.Sleep(100 * time.Millisecond)
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}
		}
		<-p.Done()
		tb.mu.Lock()
		errs := tb.errs
		tb.mu.Unlock()
		if n := len(p.Records()); n != 1 {
			t.Errorf("kill %v: %d records, want 1", kill, n)
		}
		if kill != (len(errs) == 0) {
			t.Errorf("kill %v: errors %q", kill, errs)
		}
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// proc is one member process as the driver sees it.
type proc struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // its stdout ended
}

// change is an assigned, revoked or lost event of a member.
type change struct {
	at     time.Time
	member string
	kind   string
	parts  []int32
}

// arrival is when a poll of member returned records of a partition.
type arrival struct {
	at     time.Time
	member string
}

// group is what the driver knows of one run's members, from their lines.
type group struct {
	partitions int

	mu       sync.Mutex
	procs    map[string]*proc
	live     map[string]bool
	owned    map[string]map[int32]bool
	changes  []change
	arrivals [][]arrival                     // per partition, in the order read (sort before use)
	last     map[string][]time.Time          // per member, per partition: its latest arrival
	marks    map[string]map[string]time.Time // per member: the first time of each start, close, closed
	errs     []error
}

func newGroup(partitions int) *group {
	return &group{
		partitions: partitions,
		procs:      map[string]*proc{},
		live:       map[string]bool{},
		owned:      map[string]map[int32]bool{},
		arrivals:   make([][]arrival, partitions),
		last:       map[string][]time.Time{},
		marks:      map[string]map[string]time.Time{},
	}
}

// start runs this binary as member name with args, its stderr in logDir.
func (g *group) start(name string, args []string, logDir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, append([]string{"-member", name}, args...)...)
	errf, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return err
	}
	cmd.Stderr = errf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &proc{name: name, cmd: cmd, stdin: stdin, done: make(chan struct{})}
	g.mu.Lock()
	g.procs[name] = p
	g.live[name] = true
	g.owned[name] = map[int32]bool{}
	g.last[name] = make([]time.Time, g.partitions)
	g.marks[name] = map[string]time.Time{}
	g.mu.Unlock()
	var lines io.Reader = stdout
	var lf *os.File
	if *saveLines {
		if lf, err = os.Create(filepath.Join(logDir, name+".jsonl")); err != nil {
			return err
		}
		lines = io.TeeReader(stdout, lf)
	}
	go func() {
		defer close(p.done)
		g.read(name, lines)
		if lf != nil {
			lf.Close()
		}
		cmd.Wait()
		errf.Close()
	}()
	return nil
}

func (g *group) read(name string, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			g.fail(fmt.Errorf("%s: bad line %.80q: %w", name, sc.Text(), err))
			continue
		}
		g.apply(name, e)
	}
}

func (g *group) fail(err error) {
	g.mu.Lock()
	g.errs = append(g.errs, err)
	g.mu.Unlock()
}

func (g *group) apply(name string, e event) {
	at := time.Unix(0, e.T)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch e.Kind {
	case evRecords:
		for p, ts := range e.Arrivals {
			if p < 0 || int(p) >= g.partitions {
				g.errs = append(g.errs, fmt.Errorf("%s: records of partition %d", name, p))
				continue
			}
			for _, t := range ts {
				a := time.Unix(0, t)
				g.arrivals[p] = append(g.arrivals[p], arrival{a, name})
				if a.After(g.last[name][p]) {
					g.last[name][p] = a
				}
			}
		}
	case evAssigned, evRevoked, evLost:
		g.changes = append(g.changes, change{at, name, e.Kind, e.Parts})
		for _, p := range e.Parts {
			if e.Kind == evAssigned {
				g.owned[name][p] = true
			} else {
				delete(g.owned[name], p)
			}
		}
	case evError:
		g.errs = append(g.errs, fmt.Errorf("%s: %s", name, e.Err))
	default:
		if _, ok := g.marks[name][e.Kind]; !ok {
			g.marks[name][e.Kind] = at
		}
	}
}

// mark returns the time of member's first start, close or closed line.
func (g *group) mark(name, kind string) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, ok := g.marks[name][kind]
	return t, ok
}

// leave asks member name to close (with LeaveGroup) and waits for it.
func (g *group) leave(name string, timeout time.Duration) error {
	g.mu.Lock()
	p := g.procs[name]
	g.mu.Unlock()
	if _, err := io.WriteString(p.stdin, "close\n"); err != nil {
		return err
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		return fmt.Errorf("%s did not exit %v after close", name, timeout)
	}
	g.gone(name)
	return nil
}

// kill SIGKILLs member name and returns when it was sent.
func (g *group) kill(name string) time.Time {
	g.mu.Lock()
	p := g.procs[name]
	g.mu.Unlock()
	at := time.Now()
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	g.gone(name)
	return at
}

// gone marks a member as not in the group anymore: what it owned, it
// owns no longer.
func (g *group) gone(name string) {
	g.mu.Lock()
	g.live[name] = false
	g.owned[name] = map[int32]bool{}
	g.mu.Unlock()
}

// stop kills every member still running.
func (g *group) stop() {
	g.mu.Lock()
	var ps []*proc
	for n, p := range g.procs {
		if g.live[n] {
			ps = append(ps, p)
		}
	}
	g.mu.Unlock()
	for _, p := range ps {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		g.gone(p.name)
	}
}

func (g *group) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.errs) > 0 {
		return g.errs[0]
	}
	return nil
}

// owners returns each partition's owner among the live members ("" for
// none), and whether every partition has exactly one.
func (g *group) owners() ([]string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ownersLocked()
}

func (g *group) ownersLocked() ([]string, bool) {
	own := make([]string, g.partitions)
	ok := true
	for n, ps := range g.owned {
		if !g.live[n] {
			continue
		}
		for p := range ps {
			if own[p] != "" {
				ok = false
			}
			own[p] = n
		}
	}
	return own, ok && !slices.Contains(own, "")
}

// settled reports whether every partition has one live owner that got
// records of it within fresh, every live member owns some, and no
// assignment changed within quiet.
func (g *group) settled(quiet, fresh time.Duration) bool {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	own, ok := g.ownersLocked()
	if !ok {
		return false
	}
	if n := len(g.changes); n > 0 && now.Sub(g.changes[n-1].at) < quiet {
		return false
	}
	// Every live member owns some partition (there are more partitions
	// than members): without this a group still forming, whose first
	// member owned everything for a heartbeat interval, looks settled.
	for m, live := range g.live {
		if live && len(g.owned[m]) == 0 {
			return false
		}
	}
	for p, o := range own {
		if now.Sub(g.last[o][p]) > fresh {
			return false
		}
	}
	return true
}

// snapshot is a copy of what the figures are computed from.
type snapshot struct {
	changes  []change
	arrivals [][]arrival // sorted by time
}

func (g *group) snapshot() snapshot {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := snapshot{changes: slices.Clone(g.changes), arrivals: make([][]arrival, g.partitions)}
	for p, as := range g.arrivals {
		s.arrivals[p] = slices.Clone(as)
		slices.SortFunc(s.arrivals[p], func(a, b arrival) int { return a.at.Compare(b.at) })
	}
	return s
}

// unsettled says why the group is not settled (for a step that timed
// out): partitions without a live owner, with two, or whose owner had no
// records of them within fresh, and live members owning nothing.
func (g *group) unsettled(fresh time.Duration) string {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	own := make([][]string, g.partitions)
	for n, ps := range g.owned {
		if g.live[n] {
			for p := range ps {
				own[p] = append(own[p], n)
			}
		}
	}
	var none, two, stale []string
	for p, os := range own {
		switch {
		case len(os) == 0:
			none = append(none, fmt.Sprint(p))
		case len(os) > 1:
			two = append(two, fmt.Sprintf("%d:%v", p, os))
		case now.Sub(g.last[os[0]][p]) > fresh:
			stale = append(stale, fmt.Sprintf("%d:%s", p, os[0]))
		}
	}
	var idle []string
	for n, live := range g.live {
		if live && len(g.owned[n]) == 0 {
			idle = append(idle, n)
		}
	}
	return fmt.Sprintf("no owner %v; two owners %v; no records within %v %v; members owning nothing %v", none, two, fresh, stale, idle)
}

package rawkafka

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	promName   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	promSample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$`)
	promLabel  = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)`)
)

// checkExposition is a strict reader of the text format as WritePrometheus
// writes it: every family has one HELP and one TYPE line before its
// samples, appears once, and its samples carry its name; label values use
// only the three escapes; no series (name and labels) repeats; a counter
// ends in _total and no other type does. It returns the samples, keyed by
// series, their label values unescaped.
func checkExposition(t *testing.T, text string) map[string]float64 {
	t.Helper()
	series, err := readExposition(text)
	if err != nil {
		t.Fatalf("%v\n--- input:\n%s", err, text)
	}
	return series
}

// expositionFault is a fault readExposition's fail raises.
type expositionFault struct{ error }

// readExposition is checkExposition's reader, returning the first fault.
func readExposition(text string) (_ map[string]float64, err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case expositionFault:
			err = r.error
		default:
			panic(r)
		}
	}()
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("the exposition does not end with a line feed")
	}
	families := map[string]string{} // name -> type
	series := map[string]float64{}
	var cur, curType string
	var helped bool
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, args ...any) {
			panic(expositionFault{fmt.Errorf("line %d %q: %s", i+1, line, fmt.Sprintf(format, args...))})
		}
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, ok := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if !ok || help == "" || !promName.MatchString(name) {
				fail("a HELP line needs a lowercase name and a text")
			}
			if _, dup := families[name]; dup || name == cur {
				fail("family %s appears twice", name)
			}
			if strings.Contains(strings.ReplaceAll(help, `\\`, ""), `\`) && !strings.Contains(help, `\n`) {
				fail("a HELP text escapes only backslash and line feed")
			}
			cur, curType, helped = name, "", true
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(strings.TrimPrefix(line, "# TYPE "))
			if len(f) != 2 || f[0] != cur || !helped || curType != "" {
				fail("TYPE must follow the HELP of the same family, once")
			}
			switch f[1] {
			case "counter":
				if !strings.HasSuffix(cur, "_total") {
					fail("a counter's name ends in _total")
				}
			case "gauge":
				if strings.HasSuffix(cur, "_total") {
					fail("only counters end in _total")
				}
			default:
				fail("unexpected type %s", f[1])
			}
			curType = f[1]
			families[cur] = curType
		case strings.HasPrefix(line, "#"), line == "":
			fail("unexpected line")
		default:
			m := promSample.FindStringSubmatch(line)
			if m == nil {
				fail("not a sample with labels")
			}
			if m[1] != cur || curType == "" {
				fail("a sample of %s outside its family (%s)", m[1], cur)
			}
			var key strings.Builder
			key.WriteString(m[1])
			seen := map[string]bool{}
			for rest := m[2]; rest != ""; {
				l := promLabel.FindStringSubmatch(rest)
				if l == nil {
					fail("bad labels at %q", rest)
				}
				if seen[l[1]] {
					fail("label %s twice", l[1])
				}
				seen[l[1]] = true
				v := strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n").Replace(l[2])
				fmt.Fprintf(&key, ",%s=%s", l[1], v)
				rest = rest[len(l[0]):]
			}
			if !seen["client_id"] || !seen["group"] {
				fail("every series has client_id and group")
			}
			v, err := strconv.ParseFloat(m[3], 64)
			if err != nil && m[3] != "NaN" {
				fail("value: %v", err)
			}
			if _, dup := series[key.String()]; dup {
				fail("series %s twice", key.String())
			}
			series[key.String()] = v
		}
	}
	return series, nil
}

// promtoolCheck runs `promtool check metrics` on text when promtool is
// installed (scripts/deps installs Debian's prometheus package for it).
func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed (scripts/deps): only the test's own checker ran")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s\n--- input:\n%s", err, out, text)
	}
}

func TestWritePrometheusFormat(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BootstrapServers = []string{"127.0.0.1:1"}
	cfg.ClientID, cfg.GroupID = "a\"b\\c\nd", "g\xff"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b bytes.Buffer
	if err := c.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	if !strings.Contains(text, `client_id="a\"b\\c\nd",group="g`+"\uFFFD"+`"`) {
		t.Errorf("labels not escaped:\n%s", text)
	}
	series := checkExposition(t, text)
	promtoolCheck(t, text)
	key := func(name string) string { return name + ",client_id=a\"b\\c\nd,group=g\uFFFD" }
	for name, want := range map[string]float64{
		coordinatorPrefix + "rebalances_total":               0,
		coordinatorPrefix + "last_rebalance_seconds_ago":     -1,
		coordinatorPrefix + "assigned_partitions":            0,
		coordinatorPrefix + "rebalance_rate_per_hour":        0,
		coordinatorPrefix + "failed_rebalance_rate_per_hour": 0,
		coordinatorPrefix + "joins_total":                    0,
		fetchManagerPrefix + "fetch_rate":                    0,
		fetchManagerPrefix + "records_lag_max":               -1,
	} {
		if got, ok := series[key(name)]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{coordinatorPrefix + "join_time_avg_seconds", fetchManagerPrefix + "fetch_latency_avg_seconds", fetchManagerPrefix + "fetch_latency_max_seconds"} {
		if v, ok := series[key(name)]; !ok || !math.IsNaN(v) {
			t.Errorf("%s without an event = %v (present %v), want NaN (as Java)", name, v, ok)
		}
	}
}

func TestCheckExpositionRejects(t *testing.T) {
	// The checker must catch what it is there for.
	good := "# HELP x_total h\n# TYPE x_total counter\nx_total{client_id=\"a\",group=\"\"} 1\n"
	for name, text := range map[string]string{
		"duplicate series": good + "x_total{client_id=\"a\",group=\"\"} 2\n",
		"duplicate family": good + "# HELP x_total h\n# TYPE x_total counter\n",
		"bad escape":       "# HELP x h\n# TYPE x gauge\nx{client_id=\"a\\t\",group=\"\"} 1\n",
		"no TYPE":          "# HELP x h\nx{client_id=\"a\",group=\"\"} 1\n",
		"counter name":     "# HELP x h\n# TYPE x counter\nx{client_id=\"a\",group=\"\"} 1\n",
	} {
		if _, err := readExposition(text); err == nil {
			t.Errorf("%s: accepted:\n%s", name, text)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	checkExposition(t, good)
}

func TestWindowedStat(t *testing.T) {
	var w windowedStat
	t0 := time.Unix(1000, 0)
	w.record(t0, 1)
	w.record(t0.Add(10*time.Second), 3)
	s := w.snapshot(t0.Add(20*time.Second), t0)
	if s.Avg != 2 || s.Max != 3 || s.Total != 2 || s.Sum != 4 {
		t.Errorf("got %+v, want avg 2 max 3 total 2 sum 4", s)
	}
	// Java's Rate divides by at least (samples-1)×window: 2 events in 30 s.
	if want := 2.0 / 30; math.Abs(s.Rate-want) > 1e-9 {
		t.Errorf("rate %v, want %v", s.Rate, want)
	}
	w.record(t0.Add(40*time.Second), 5) // a second window
	s = w.snapshot(t0.Add(50*time.Second), t0)
	if s.Avg != 3 || s.Max != 5 {
		t.Errorf("two windows: got %+v, want avg 3 max 5", s)
	}
	s = w.snapshot(t0.Add(65*time.Second), t0) // the first window is over 60 s old
	if s.Avg != 5 || s.Max != 5 || s.Total != 3 {
		t.Errorf("after expiry: got %+v, want avg 5 max 5 total 3", s)
	}
	s = w.snapshot(t0.Add(200*time.Second), t0)
	if !math.IsNaN(s.Avg) || !math.IsNaN(s.Max) || s.Rate != 0 || s.Total != 3 {
		t.Errorf("all expired: got %+v, want NaN avg and max, rate 0, total 3", s)
	}
}

func TestCounterRate(t *testing.T) {
	var r counterRate
	t0 := time.Unix(1000, 0)
	for _, tc := range []struct {
		at   time.Duration
		v    int64
		want float64
	}{
		{10 * time.Second, 100, 100.0 / 30}, // at least (samples-1)×window, as Java's Rate
		{40 * time.Second, 400, 10},         // since t0
		{75 * time.Second, 750, 10},         // since the point at 40 s
		{80 * time.Second, 800, 400.0 / 40}, // still since 40 s
	} {
		if got := r.rate(t0.Add(tc.at), tc.v, t0); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("at %v with %d: rate %v, want %v", tc.at, tc.v, got, tc.want)
		}
	}
}

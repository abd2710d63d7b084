package assignor

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// The cross-check with the Java client: testdata/crosscheck/groups.txt
// holds random groups and protocol votes, and java-<version>.txt what
// kafka-clients' own RangeAssignor, RoundRobinAssignor and the coordinator's
// vote (run by CrossCheck.java, see the README there) made of them. This
// test makes the same of them and wants the same text.

var writeGroups = flag.Bool("crosscheck.write", false, "rewrite testdata/crosscheck/groups.txt (then rerun CrossCheck.java)")

const crossDir = "testdata/crosscheck/"

// crossInput is one block of groups.txt: a group to assign, or a vote.
type crossInput struct {
	group  Group
	claims bool       // members carry a generation and owned partitions
	votes  [][]string // set for a vote
}

// readCrossInputs reads and parses the groups of a file in crossDir.
func readCrossInputs(t *testing.T, name string) []crossInput {
	t.Helper()
	raw, err := os.ReadFile(crossDir + name)
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := parseCrossInputs(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return inputs
}

// javaOutputs returns the contents of the files in crossDir whose names
// start with prefix (one per Java version CrossCheck.java ran with), by
// name; the test fails when there is none.
func javaOutputs(t *testing.T, prefix string) map[string]string {
	t.Helper()
	files, _ := os.ReadDir(crossDir)
	out := map[string]string{}
	for _, f := range files {
		if !strings.HasPrefix(f.Name(), prefix) {
			continue
		}
		text, err := os.ReadFile(crossDir + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name()] = string(text)
	}
	if len(out) == 0 {
		t.Fatalf("no %s*.txt in %s", prefix, crossDir)
	}
	return out
}

func TestCrossCheckJava(t *testing.T) {
	if *writeGroups {
		if err := os.WriteFile(crossDir+"groups.txt", []byte(formatCrossInputs(crossInputs())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs := readCrossInputs(t, "groups.txt")
	got, err := crossOutput(inputs)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range javaOutputs(t, "java-") {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := line(gl, i), line(wl, i)
			if g != w {
				t.Fatalf("%s, line %d:\ngot  %q\nwant %q", name, i+1, g, w)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// crossInputs draws the groups: random ones as in the property tests, with
// racks on some members (Java must then still run the classic range, its
// partitions having no replica racks), member ids where Java's string
// order differs from bytes, and a few large groups; and protocol votes
// with names that collide in Java's HashMap and more than twelve names.
func crossInputs() []crossInput {
	rng := rand.New(rand.NewPCG(881, 429))
	var in []crossInput
	for i := range 150 {
		g := randomGroup(rng)
		for j := range g.Members {
			m := &g.Members[j]
			switch rng.IntN(8) {
			case 0:
				m.Rack = string(rune('a' + rng.IntN(3)))
			case 1:
				m.ID = "c\uffff" + strconv.Itoa(j)
			case 2:
				m.ID = "c\U0001f600" + strconv.Itoa(j)
			}
		}
		if i%50 == 0 {
			g = bigGroup(rng, 100, 10, 100)
		}
		in = append(in, crossInput{group: g})
	}
	pool := []string{"range", "roundrobin", "sticky", "cooperative-sticky", "Aa", "BB", "AaAa", "AaBB", "BBBB", "custom"}
	for i := range 20 {
		pool = append(pool, fmt.Sprintf("p%d", i))
	}
	for range 100 {
		names := slices.Clone(pool[:2+rng.IntN(len(pool)-1)])
		var votes [][]string
		for range 1 + rng.IntN(25) {
			rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
			mine := slices.Clone(names[:1+rng.IntN(len(names))])
			if rng.IntN(3) > 0 {
				mine = slices.Clone(names) // everything: every name is a candidate
			}
			if !slices.Contains(mine, pool[0]) { // one name in common
				mine = slices.Insert(mine, rng.IntN(len(mine)+1), pool[0])
			}
			votes = append(votes, mine)
		}
		in = append(in, crossInput{votes: votes})
	}
	return in
}

// bigGroup is members subscribed to all of topics topics of partitions
// partitions, every third member static.
func bigGroup(rng *rand.Rand, members, topics, partitions int) Group {
	g := Group{Topics: map[string]Topic{}}
	var names []string
	for i := range topics {
		name := fmt.Sprintf("big-%02d", i)
		names = append(names, name)
		g.Topics[name] = Topic{Partitions: int32(partitions)}
	}
	for i := range members {
		m := Member{ID: fmt.Sprintf("consumer-%08x", rng.Uint32()), Topics: names, Generation: -1}
		if i%3 == 0 {
			m.InstanceID = fmt.Sprintf("pod-%d", i)
		}
		g.Members = append(g.Members, m)
	}
	return g
}

// formatCrossInputs writes groups.txt: tab-separated lines, a block per
// group ("group", then "topic NAME COUNT" and "member ID INSTANCE RACK
// TOPICS" lines, "-" for none) or per vote ("vote", then one "member
// NAMES" line per member).
func formatCrossInputs(in []crossInput) string {
	var b strings.Builder
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, c := range in {
		if c.votes != nil {
			b.WriteString("vote\n")
			for _, v := range c.votes {
				fmt.Fprintf(&b, "member\t%s\n", strings.Join(v, ","))
			}
			continue
		}
		b.WriteString("group\n")
		names := make([]string, 0, len(c.group.Topics))
		for name := range c.group.Topics {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			t := c.group.Topics[name]
			fmt.Fprintf(&b, "topic\t%s\t%d", name, t.Partitions)
			if t.Racks != nil {
				b.WriteString("\t" + formatCrossRacks(t.Racks))
			}
			b.WriteString("\n")
		}
		for _, m := range c.group.Members {
			fmt.Fprintf(&b, "member\t%s\t%s\t%s\t%s", m.ID, dash(m.InstanceID), dash(m.Rack), dash(strings.Join(m.Topics, ",")))
			if c.claims {
				fmt.Fprintf(&b, "\t%d\t%s", m.Generation, formatCrossPartitions(m.Owned))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func parseCrossInputs(s string) ([]crossInput, error) {
	var in []crossInput
	sc := bufio.NewScanner(strings.NewReader(s))
	undash := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	for n := 1; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		switch {
		case f[0] == "group":
			in = append(in, crossInput{group: Group{Topics: map[string]Topic{}}})
		case f[0] == "vote":
			in = append(in, crossInput{votes: [][]string{}})
		case len(in) == 0:
			return nil, fmt.Errorf("line %d: before any block", n)
		case f[0] == "topic" && (len(f) == 3 || len(f) == 4):
			p, err := strconv.Atoi(f[2])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			t := Topic{Partitions: int32(p)}
			if len(f) == 4 {
				t.Racks = parseCrossRacks(f[3])
			}
			in[len(in)-1].group.Topics[f[1]] = t
		case f[0] == "member" && len(f) == 5:
			var topics []string
			if f[4] != "-" {
				topics = strings.Split(f[4], ",")
			}
			g := &in[len(in)-1].group
			g.Members = append(g.Members, Member{ID: f[1], InstanceID: undash(f[2]), Rack: undash(f[3]), Topics: topics, Generation: -1})
		case f[0] == "member" && len(f) == 7:
			var topics []string
			if f[4] != "-" {
				topics = strings.Split(f[4], ",")
			}
			gen, err := strconv.Atoi(f[5])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			owned, err := parseCrossPartitions(f[6])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			g := &in[len(in)-1].group
			g.Members = append(g.Members, Member{ID: f[1], InstanceID: undash(f[2]), Rack: undash(f[3]), Topics: topics,
				Generation: int32(gen), Owned: owned})
		case f[0] == "member" && len(f) == 2:
			c := &in[len(in)-1]
			c.votes = append(c.votes, strings.Split(f[1], ","))
		default:
			return nil, fmt.Errorf("line %d: %q", n, sc.Text())
		}
	}
	return in, sc.Err()
}

// crossOutput writes what CrossCheck.java writes: for each group and
// assignor a line "group N NAME", then a line per member in input order,
// "INDEX TOPIC:P,P TOPIC:P" ("-" for nothing); for each vote "vote N WINNER".
func crossOutput(in []crossInput) (string, error) {
	return crossAssign(in, []Assignor{Range, RoundRobin}, true)
}

// crossAssign is crossOutput for the given assignors, with the votes or
// without.
func crossAssign(in []crossInput, assignors []Assignor, votes bool) (string, error) {
	var b strings.Builder
	for i, c := range in {
		if c.votes != nil && !votes {
			continue
		}
		if c.votes != nil {
			w, err := SelectProtocol(c.votes)
			if err != nil {
				return "", fmt.Errorf("vote %d: %v", i, err)
			}
			fmt.Fprintf(&b, "vote %d %s\n", i, w)
			continue
		}
		for _, a := range assignors {
			if len(c.group.Members) == 0 && !votes {
				fmt.Fprintf(&b, "group %d %s\n", i, a.Name())
				continue
			}
			g := c.group
			if a == Sticky { // it reads claims from user data only
				g = stickyGroup(g)
			}
			out, err := a.Assign(g)
			if err != nil {
				return "", fmt.Errorf("group %d: %v", i, err)
			}
			fmt.Fprintf(&b, "group %d %s\n", i, a.Name())
			for j, m := range c.group.Members {
				fmt.Fprintf(&b, "%d %s\n", j, formatCrossPartitions(out[m.ID].Partitions))
			}
		}
	}
	return b.String(), nil
}

// formatCrossRacks writes each partition's racks, joined by ',', the
// partitions joined by ';', "-" for a partition without racks.
func formatCrossRacks(racks [][]string) string {
	parts := make([]string, len(racks))
	for i, r := range racks {
		parts[i] = "-"
		if len(r) > 0 {
			parts[i] = strings.Join(r, ",")
		}
	}
	return strings.Join(parts, ";")
}

func parseCrossRacks(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(s, ";") {
		var r []string
		if p != "-" {
			r = strings.Split(p, ",")
		}
		out = append(out, r)
	}
	return out
}

// formatCrossPartitions writes partitions as "t:0,1 u:2", "-" for none.
func formatCrossPartitions(tps []protocol.TopicPartition) string {
	if len(tps) == 0 {
		return "-"
	}
	var b strings.Builder
	for k, tp := range tps {
		switch {
		case k == 0:
			fmt.Fprintf(&b, "%s:%d", tp.Topic, tp.Partition)
		case tps[k-1].Topic != tp.Topic:
			fmt.Fprintf(&b, " %s:%d", tp.Topic, tp.Partition)
		default:
			fmt.Fprintf(&b, ",%d", tp.Partition)
		}
	}
	return b.String()
}

func parseCrossPartitions(s string) ([]protocol.TopicPartition, error) {
	if s == "-" {
		return nil, nil
	}
	var out []protocol.TopicPartition
	for _, t := range strings.Split(s, " ") {
		name, ps, ok := strings.Cut(t, ":")
		if !ok {
			return nil, fmt.Errorf("partitions %q", t)
		}
		for _, p := range strings.Split(ps, ",") {
			n, err := strconv.Atoi(p)
			if err != nil {
				return nil, err
			}
			out = append(out, protocol.TopicPartition{Topic: name, Partition: int32(n)})
		}
	}
	return out, nil
}

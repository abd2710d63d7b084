package assignor

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCrossCheckJavaSticky wants Sticky and CooperativeSticky to give what
// kafka-clients' StickyAssignor and CooperativeStickyAssignor gave for the
// groups of groups.txt (sticky-java-<version>.txt, made by CrossCheck.java
// with the argument "sticky"), line for line, except for groups where a
// member lists a topic twice: Java counts such a member twice among the
// topic's subscribers (which reorders its general path) and compares list
// sizes with set sizes (which sends equal subscriptions down the general
// path); Java clients never send a topic twice, and rawkafka counts it once.
func TestCrossCheckJavaSticky(t *testing.T) {
	raw, err := os.ReadFile(crossDir + "groups.txt")
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := parseCrossInputs(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	out, err := crossAssign(inputs, []Assignor{Sticky, CooperativeSticky}, false)
	if err != nil {
		t.Fatal(err)
	}
	got := crossBlocks(out)
	files, _ := os.ReadDir(crossDir)
	n := 0
	for _, f := range files {
		if !strings.HasPrefix(f.Name(), "sticky-java-") {
			continue
		}
		n++
		text, err := os.ReadFile(crossDir + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		want := crossBlocks(string(text))
		same, skipped := 0, 0
		for key, w := range want {
			i, _ := strconv.Atoi(strings.Fields(key)[1])
			if listsTwice(inputs[i].group) {
				skipped++
				continue
			}
			if !slices.Equal(got[key], w) {
				t.Errorf("%s, %s:\ngot  %q\nwant %q", f.Name(), key, got[key], w)
				continue
			}
			same++
		}
		if same == 0 {
			t.Errorf("%s: nothing compared", f.Name())
		}
		t.Logf("%s: %d assignments equal, %d skipped (a topic listed twice)", f.Name(), same, skipped)
	}
	if n == 0 {
		t.Fatalf("no sticky-java-*.txt in %s", crossDir)
	}
}

// crossBlocks splits crossAssign's output by its "group N NAME" lines.
func crossBlocks(s string) map[string][]string {
	out := map[string][]string{}
	var key string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.HasPrefix(l, "group ") {
			key = l
			out[key] = []string{}
			continue
		}
		out[key] = append(out[key], l)
	}
	return out
}

func listsTwice(g Group) bool {
	for _, m := range g.Members {
		s := slices.Clone(m.Topics)
		slices.Sort(s)
		if len(slices.Compact(s)) != len(m.Topics) {
			return true
		}
	}
	return false
}

package assignor

import (
	"errors"
	"testing"
)

func TestSelectProtocol(t *testing.T) {
	cases := []struct {
		name    string
		members [][]string
		want    string
		err     error
	}{
		{"one member takes its first", [][]string{{"roundrobin", "range"}}, "roundrobin", nil},
		{"only the common one is a candidate", [][]string{{"sticky", "range"}, {"roundrobin", "range"}}, "range", nil},
		{"most votes win", [][]string{{"roundrobin", "range"}, {"range", "roundrobin"}, {"range", "roundrobin"}}, "range", nil},
		{"most votes win, not the first member", [][]string{{"range", "roundrobin"}, {"roundrobin", "range"}, {"roundrobin", "range"}}, "roundrobin", nil},
		{"a member votes for its first candidate, not its first name", [][]string{{"sticky", "roundrobin", "range"}, {"roundrobin", "range"}, {"range", "roundrobin"}}, "roundrobin", nil},
		// Ties go by Java HashMap order: "range" hashes to bucket 9,
		// "roundrobin" to 10, "sticky" to 8 (checked against Java 17).
		{"tie: range before roundrobin", [][]string{{"roundrobin", "range"}, {"range", "roundrobin"}}, "range", nil},
		{"tie: whatever the member order", [][]string{{"range", "roundrobin"}, {"roundrobin", "range"}}, "range", nil},
		{"tie: sticky before range", [][]string{{"range", "sticky"}, {"sticky", "range"}}, "sticky", nil},
		// "Aa" and "BB" have one hash: the first vote decides.
		{"tie in one bucket: first vote", [][]string{{"BB", "Aa"}, {"Aa", "BB"}}, "BB", nil},
		{"tie in one bucket: first vote, other order", [][]string{{"Aa", "BB"}, {"BB", "Aa"}}, "Aa", nil},
		{"a name listed twice counts once", [][]string{{"range", "range"}, {"roundrobin"}}, "", ErrNoCommonProtocol},
		{"nothing in common", [][]string{{"range"}, {"roundrobin"}}, "", ErrNoCommonProtocol},
		{"a member with no protocols", [][]string{{"range"}, {}}, "", ErrNoCommonProtocol},
		{"no members", nil, "", ErrInvalidGroup},
	}
	for _, c := range cases {
		got, err := SelectProtocol(c.members)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: SelectProtocol(%q) = %q, %v; want %q, %v", c.name, c.members, got, err, c.want, c.err)
		}
	}
}

func TestJavaStringHash(t *testing.T) {
	// Values printed by Java 17's String.hashCode.
	for s, want := range map[string]int32{
		"":                   0,
		"hello":              99162322,
		"range":              108280125,
		"roundrobin":         -128548644,
		"sticky":             -892259863,
		"cooperative-sticky": 1843682987,
		"\U0001f600":         1772899,
	} {
		if got := javaStringHash(s); got != want {
			t.Errorf("javaStringHash(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestJavaHashMapOrder(t *testing.T) {
	// Java 17: a HashMap filled with these, in this order, iterates as
	// [sticky, range, roundrobin, cooperative-sticky].
	keys := []string{"roundrobin", "range", "sticky", "cooperative-sticky"}
	javaHashMapOrder(keys)
	want := []string{"sticky", "range", "roundrobin", "cooperative-sticky"}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("got %q, want %q", keys, want)
		}
	}
}

// fake is an assignor with the given protocols, for the client-side rule.
type fake struct {
	name      string
	protocols []RebalanceProtocol
}

func (f fake) Name() string                              { return f.name }
func (f fake) RebalanceProtocols() []RebalanceProtocol   { return f.protocols }
func (fake) SubscriptionUserData(Member) []byte          { return nil }
func (fake) Assign(Group) (map[string]Assignment, error) { return nil, nil }
func (fake) OnAssignment(Assignment, int32) error        { return nil }

func TestRebalanceProtocolOf(t *testing.T) {
	coop := fake{"cooperative-sticky", []RebalanceProtocol{Cooperative, Eager}}
	coopOnly := fake{"coop-only", []RebalanceProtocol{Cooperative}}
	cases := []struct {
		name      string
		assignors []Assignor
		want      RebalanceProtocol
		err       error
	}{
		{"range alone", []Assignor{Range}, Eager, nil},
		{"cooperative alone", []Assignor{coop}, Cooperative, nil},
		{"Java's default [range, cooperative-sticky] runs eager", []Assignor{Range, coop}, Eager, nil},
		{"order does not matter", []Assignor{coop, Range}, Eager, nil},
		{"all cooperative", []Assignor{coop, coopOnly}, Cooperative, nil},
		{"nothing in common", []Assignor{RoundRobin, coopOnly}, 0, ErrNoCommonProtocol},
		{"no assignors", nil, 0, ErrNoCommonProtocol},
	}
	for _, c := range cases {
		got, err := RebalanceProtocolOf(c.assignors)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, %v; want %v, %v", c.name, got, err, c.want, c.err)
		}
	}
	if Eager.String() != "eager" || Cooperative.String() != "cooperative" || RebalanceProtocol(7).String() != "RebalanceProtocol(7)" {
		t.Errorf("String: %v %v %v", Eager, Cooperative, RebalanceProtocol(7))
	}
}

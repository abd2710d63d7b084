package assignor

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"unicode/utf16"
)

// compareUTF16 is Java's String.compareTo written out: code unit by code
// unit over the UTF-16 encoding.
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

func TestCompareJava(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"consumer-a", "consumer-b", -1},
		{"consumer", "consumer-a", -1},
		{"", "", 0},
		{"b", "a", 1},
		{"\uffff", "\U00010000", 1}, // bytes say less, UTF-16 says more
		{"x\ue000", "x\U0001f600", 1},
		{"\U0001f600", "\ufffd", -1},
		{"\u00e9", "\u4e2d", -1},
		{"\U00010000", "\U0001f600", -1},
	}
	for _, c := range cases {
		if got := compareJava(c.a, c.b); got != c.want {
			t.Errorf("compareJava(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := compareUTF16(c.a, c.b); cmp.Compare(got, 0) != c.want {
			t.Errorf("the reference compares %q, %q as %d, want %d", c.a, c.b, got, c.want)
		}
	}

	// Random strings over characters from every range where UTF-8 and
	// UTF-16 orders could differ.
	pool := []rune{'a', 'b', '-', '\u00e9', '\u07ff', '\u0800', '\u4e2d', '\ud7ff', '\ue000', '\uf8ff', '\ufffd', '\uffff', 0x10000, 0x1f600, 0x10ffff}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		r := make([]rune, rng.IntN(5))
		for i := range r {
			r[i] = pool[rng.IntN(len(pool))]
		}
		return string(r)
	}
	for range 20000 {
		a, b := word(), word()
		if rng.IntN(3) == 0 {
			b = a + b // long common prefixes
		}
		if got, want := compareJava(a, b), cmp.Compare(compareUTF16(a, b), 0); got != want {
			t.Fatalf("compareJava(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

// As Java's AbstractPartitionAssignorTest.testMemberInfoSortingWith*: static
// members first by instance id, then dynamic members by member id, whatever
// the member ids of the static ones.
func TestMemberOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var want []Member
		for i := range 10 {
			want = append(want, static("m"+string(rune('z'-i)), "instance"+string(rune('a'+i))))
		}
		for i := range 10 {
			want = append(want, dyn("dyn-"+string(rune('a'+i))))
		}
		got := slices.Clone(want)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		slices.SortFunc(got, func(a, b Member) int { return compareMembers(&a, &b) })
		for i := range want {
			if got[i].ID != want[i].ID {
				t.Fatalf("position %d: got %q, want %q (order %v)", i, got[i].ID, want[i].ID, ids(got))
			}
		}
	}
}

func ids(ms []Member) []string {
	s := make([]string, len(ms))
	for i := range ms {
		s[i] = ms[i].ID
	}
	return s
}

// Member ids order as Java orders them even where bytes disagree.
func TestRangeOrdersMemberIdsAsJava(t *testing.T) {
	g := Group{
		Topics:  counts("t", 2),
		Members: []Member{dyn("c\uffff", "t"), dyn("c\U0001f600", "t")},
	}
	out, err := Range.Assign(g)
	if err != nil {
		t.Fatal(err)
	}
	if got := format(out["c\U0001f600"].Partitions); got != "t-0" {
		t.Errorf("the member with U+1F600 got %q, want t-0 (it sorts first in UTF-16)", got)
	}
}

package assignor

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
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
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := word(rng), word(rng)
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

// word is a random string of up to five characters from every range where
// UTF-8 and UTF-16 orders could differ.
func word(rng *rand.Rand) string {
	pool := []rune{'a', 'b', '-', '\u00e9', '\u07ff', '\u0800', '\u4e2d', '\ud7ff', '\ue000', '\uf8ff', '\ufffd', '\uffff', 0x10000, 0x1f600, 0x10ffff}
	r := make([]rune, rng.IntN(6))
	for i := range r {
		r[i] = pool[rng.IntN(len(pool))]
	}
	return string(r)
}

// sortJava sorts by bytes first: ids where that differs from Java's order,
// and ids where it does not, come out in compareUTF16's order.
func TestSortJava(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	differ := 0 // rounds where bytes alone sort otherwise
	for round := range 2000 {
		seen := map[string]bool{}
		var members []Member
		for len(members) < 1+rng.IntN(20) {
			id := word(rng)
			switch round % 3 {
			case 0: // ASCII only
				id = "consumer-" + string(rune('a'+rng.IntN(26))) + string(rune('a'+rng.IntN(26)))
			case 1: // long shared prefixes, ties in the first eight bytes after them, NULs
				id = "g-" + strings.Repeat("x", rng.IntN(12)) + string(rune(rng.IntN(3))) + word(rng)
			}
			if !seen[id] {
				seen[id] = true
				members = append(members, Member{ID: id})
			}
		}
		order := make([]int32, len(members))
		sortJava(order, members)
		for i := 1; i < len(order); i++ {
			if a, b := members[order[i-1]].ID, members[order[i]].ID; compareUTF16(a, b) >= 0 {
				t.Fatalf("round %d: %q before %q", round, a, b)
			}
		}
		if !slices.IsSortedFunc(order, func(a, b int32) int { return strings.Compare(members[a].ID, members[b].ID) }) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("no round had ids that bytes sort otherwise than Java: the test does not reach the second sort")
	}
	t.Logf("%d of 2000 rounds sorted otherwise than by bytes", differ)
}

// The sticky input's hashMapOrder, a counting sort by bucket, is
// javaHashMapOrder's sort of the member ids in the order given.
func TestStickyHashMapOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 2, 12, 13, 100, 2000} {
		var g Group
		var want []string
		for i := range n {
			id := "m-" + word(rng) + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
			g.Members = append(g.Members, Member{ID: id})
			want = append(want, id)
		}
		javaHashMapOrder(want)
		in, err := newStickyInput(g, stickyClaimsInto)
		if err != nil {
			t.Fatal(err)
		}
		dirty := make([]int32, 10*n+20) // room for the count, full of junk
		for i := range dirty {
			dirty[i] = int32(rng.IntN(100))
		}
		for _, scratch := range [][]int32{nil, dirty} {
			for i, pos := range in.hashMapOrder(scratch) {
				if got := in.members[pos].ID; got != want[i] {
					t.Fatalf("%d members, scratch %d: position %d is %q, want %q", n, len(scratch), i, got, want[i])
				}
			}
		}
	}
}

// javaStringHash over ASCII and then not, against String.hashCode written
// out over the UTF-16 code units.
func TestJavaStringHashMixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 5000 {
		s := word(rng) + "-" + word(rng)
		if rng.IntN(2) == 0 {
			s = "consumer-1-" + s
		}
		var want int32
		for _, u := range utf16.Encode([]rune(s)) {
			want = 31*want + int32(u)
		}
		if got := javaStringHash(s); got != want {
			t.Fatalf("javaStringHash(%q) = %d, want %d", s, got, want)
		}
	}
}

package main

import (
	"testing"
	"time"
)

// TestCompute runs compute over a scripted cooperative join: a moves p1
// to the new member c, b keeps p2 and p3 and sees no revocation.
func TestCompute(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	arrivals := func(member string, from, to, every int) []arrival {
		var as []arrival
		for ms := from; ms <= to; ms += every {
			as = append(as, arrival{at(ms), member})
		}
		return as
	}
	s := snapshot{
		changes: []change{
			{at(300), "a", evRevoked, []int32{1}},
			{at(320), "c", evAssigned, []int32{1}},
		},
		arrivals: [][]arrival{
			append(arrivals("a", -500, 200, 10), arrivals("a", 260, 1000, 10)...), // a keeps p0, with a 60 ms gap
			append(arrivals("a", -500, 290, 10), arrivals("c", 340, 1000, 10)...), // p1 moves to c at 340
			arrivals("b", -500, 1000, 10),
			arrivals("b", -500, 1000, 20),
		},
	}
	before := []string{"a", "a", "b", "b"}
	after := []string{"a", "c", "b", "b"}
	got := compute(s, before, after, at(-10), t0, at(1000))
	want := figures{Unaffected: 1, Revoking: 0, Unmoved: 3, Gap: 60 * time.Millisecond, GapFrom: 200 * time.Millisecond, Moved: 1,
		Refetched: 340 * time.Millisecond, Pause: 40 * time.Millisecond, Start: t0}
	if got != want {
		t.Errorf("compute:\n got %+v\nwant %+v", got, want)
	}

	// Eager: b is revoked everything and gets it back; it is unaffected,
	// revoking, and its partitions count as revoked and kept.
	s.changes = append(s.changes, change{at(300), "b", evRevoked, []int32{2, 3}}, change{at(330), "b", evAssigned, []int32{2, 3}})
	got = compute(s, before, after, at(-10), t0, at(1000))
	if got.Unaffected != 1 || got.Revoking != 1 || got.RevokedKept != 2 {
		t.Errorf("eager: unaffected %d, revoking %d, revoked and kept %d; want 1, 1, 2", got.Unaffected, got.Revoking, got.RevokedKept)
	}
}

func TestGapIn(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	as := []arrival{{at(0), "a"}, {at(100), "a"}, {at(400), "a"}, {at(450), "a"}}
	for _, c := range []struct {
		from, to int
		want     time.Duration
	}{
		{50, 500, 300 * time.Millisecond},  // 100-400
		{420, 460, 50 * time.Millisecond},  // 400-450
		{420, 700, 250 * time.Millisecond}, // 450 to the window's end
		{-100, 50, 100 * time.Millisecond}, // 0-100 overlaps it
	} {
		if got, _ := gapIn(as, at(c.from), at(c.to)); got != c.want {
			t.Errorf("gapIn [%d, %d] = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if got, _ := gapIn(nil, at(0), at(80)); got != 80*time.Millisecond {
		t.Errorf("gapIn of nothing = %v, want the window, 80ms", got)
	}
}

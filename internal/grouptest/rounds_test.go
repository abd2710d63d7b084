package grouptest

import (
	"testing"
	"time"
)

// FullRevokes: an eager member's revoke of everything, assigned again
// after it, counts; a cooperative partial revoke and the revoke at close
// do not.
func TestFullRevokes(t *testing.T) {
	eager := &fake{name: "eager"}
	eager.ev(Assigned, 0, 1, p0, p1)
	eager.ev(Revoked, 10, 2, p0, p1)
	eager.ev(Assigned, 20, 3, p0)
	eager.ev(Revoked, 30, 4, p0) // its close
	if got := FullRevokes(eager); len(got) != 1 || got[0].Seq != 2 {
		t.Errorf("eager: %+v, want the revoke at seq 2", got)
	}
	coop := &fake{name: "coop"}
	coop.ev(Assigned, 0, 1, p0, p1)
	coop.ev(Revoked, 10, 2, p1)
	coop.ev(Assigned, 20, 3)
	coop.ev(Revoked, 30, 4, p0)
	if got := FullRevokes(coop); len(got) != 0 {
		t.Errorf("coop: %+v, want none", got)
	}
}

// Generation is the highest generation joined by any member.
func TestGeneration(t *testing.T) {
	a, b := &fake{name: "a"}, &fake{name: "b"}
	a.events = append(a.events, OwnershipEvent{Type: Joined, Generation: 3}, OwnershipEvent{Type: Joined, Generation: 5})
	b.events = append(b.events, OwnershipEvent{Type: Joined, Generation: 4})
	if g := Generation(a, b); g != 5 {
		t.Errorf("Generation = %d, want 5", g)
	}
	if g := Generation(&fake{}); g != 0 {
		t.Errorf("no joins: Generation = %d, want 0", g)
	}
}

// MissedSyncs: a Joined followed by a later generation's Joined with no
// Assigned between counts, within (before, after] only and only when
// another member revoked partitions in that generation; a Joined answered
// by an assignment, a repeated line of one generation and the last Joined
// do not.
func TestMissedSyncs(t *testing.T) {
	j, k := &fake{name: "java"}, &fake{name: "kcat"}
	join := func(f *fake, g int32) { f.events = append(f.events, OwnershipEvent{Type: Joined, Generation: g}) }
	join(j, 2)
	j.ev(Assigned, 1, 1)
	join(j, 3) // missed, but not after before=3
	join(j, 4) // missed, kcat revoked in 4
	j.ev(JoinSent, 2, 2)
	join(j, 5)
	j.ev(Revoked, 3, 3, p0)
	j.ev(Assigned, 4, 4)
	join(j, 6) // missed, but nobody revoked in 6
	join(j, 7) // the last one: its sync may be in flight
	join(k, 3)
	k.ev(Revoked, 5, 5, p1)
	k.ev(Assigned, 6, 6)
	join(k, 4)
	join(k, 4) // the same generation twice is one join
	k.ev(Revoked, 7, 7, p1)
	k.ev(Assigned, 8, 8)
	join(k, 5)
	k.ev(Assigned, 9, 9)
	join(k, 6)
	k.ev(Assigned, 10, 10)
	want := "java joined generation 4 and was not assigned in it (joined 5 next); kcat revoked in it and rejoined"
	if got := MissedSyncs(3, 7, j, k); len(got) != 1 || got[0] != want {
		t.Errorf("MissedSyncs(3, 7) = %q, want java's generation 4 alone", got)
	}
	if got := MissedSyncs(0, 7, j, k); len(got) != 2 {
		t.Errorf("MissedSyncs(0, 7) = %q, want generations 3 and 4 of java", got)
	}
}

// UncommittedAtRevoke covers the records printed between a JoinSent and
// the revoke of that round (cooperative), and nothing for an eager member
// (revoke before JoinSent) or the revoke at close; Excluding takes exactly
// the duplicates first delivered as one of them out.
func TestUncommittedAtRevoke(t *testing.T) {
	j := &fake{name: "java"}
	j.ev(Assigned, 0, 1, p0, p1)
	j.rec(p1, 4, 2)
	j.ev(JoinSent, 3, 3)  // an earlier round's
	j.ev(Assigned, 5, 4)  // its end (nothing added): the window starts after it
	j.ev(JoinSent, 8, 5)  // "Request joining group due to": the first sign
	j.rec(p1, 5, 6)       // printed before the JoinGroup was sent
	j.ev(JoinSent, 10, 7) // "(Re-)joining group"
	j.rec(p1, 6, 8)
	j.rec(p0, 9, 9) // a partition it keeps
	j.ev(Joined, 20, 10)
	j.ev(Revoked, 30, 11, p1)
	j.ev(Assigned, 40, 12)
	j.ev(JoinSent, 50, 13)
	j.rec(p0, 10, 14)
	j.ev(Revoked, 60, 15, p0) // its close
	got := UncommittedAtRevoke(j)
	if len(got) != 2 || got[0].Offset != 5 || got[1].Offset != 6 {
		t.Fatalf("UncommittedAtRevoke = %+v, want t/1@5 and t/1@6", got)
	}
	eager := &fake{name: "eager"}
	eager.ev(Assigned, 0, 1, p0)
	eager.ev(JoinSent, 10, 2)
	eager.ev(Assigned, 20, 3, p0)
	eager.rec(p0, 1, 4)
	eager.ev(Revoked, 30, 5, p0)
	eager.ev(JoinSent, 31, 6)
	eager.ev(Assigned, 40, 7, p0)
	if got := UncommittedAtRevoke(eager); len(got) != 0 {
		t.Errorf("eager: %+v, want none", got)
	}

	now := time.Now()
	r := func(m string, tp TopicPartition, off int64, at int) Record {
		return Record{Member: m, Topic: tp.Topic, Partition: tp.Partition, Offset: off, Value: "v", Time: now.Add(time.Duration(at) * time.Millisecond)}
	}
	c := Consume([]string{"v"}, []Record{r("java", p1, 6, 0), r("kcat", p1, 6, 10), r("java", p0, 1, 0), r("kcat", p0, 1, 10)})
	strict, n := c.Excluding([]Record{r("java", p1, 6, 0)})
	if n != 1 || len(strict.Duplicates) != 1 || strict.Duplicates[0].TP != p0 {
		t.Errorf("Excluding: took %d, left %+v; want 1 taken, t/0@1 left", n, strict.Duplicates)
	}
}

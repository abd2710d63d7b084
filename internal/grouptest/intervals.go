package grouptest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Interval is a stretch of time during which one member owned one
// partition, by its own events.
type Interval struct {
	Member    string
	TP        TopicPartition
	Start     time.Time // When of the Assigned event
	End       time.Time // When of the event that ended it; zero while it lasts
	EndedBy   EventType // Revoked, Lost, Exited, Killed; 0 while it lasts
	StartSeq  int       // Seq of the Assigned event
	EndSeq    int       // Seq of the ending event; 0 while it lasts
	StartLine string
}

// Open reports whether the interval has not ended.
func (iv Interval) Open() bool { return iv.End.IsZero() }

// String shows the interval for logs.
func (iv Interval) String() string {
	end := "now"
	if !iv.Open() {
		end = iv.End.Format("15:04:05.000") + " (" + iv.EndedBy.String() + ")"
	}
	return fmt.Sprintf("%s %s %s .. %s", iv.TP, iv.Member, iv.Start.Format("15:04:05.000"), end)
}

// Intervals turns ownership events into intervals, per member and
// partition, sorted by partition and start. Events of one member must be in
// their Seq order (as Member.Events returns them); members' events may be
// mixed in any order. An Assigned for a partition the member already owns
// changes nothing (eager clients re-announce what they keep); a revoke of a
// partition it does not own is ignored.
func Intervals(events []OwnershipEvent) []Interval {
	type key struct {
		member string
		tp     TopicPartition
	}
	open := map[key]int{} // index into out
	var out []Interval
	byMember := map[string][]OwnershipEvent{}
	var members []string
	for _, e := range events {
		if _, ok := byMember[e.Member]; !ok {
			members = append(members, e.Member)
		}
		byMember[e.Member] = append(byMember[e.Member], e)
	}
	for _, m := range members {
		evs := byMember[m]
		slices.SortStableFunc(evs, func(a, b OwnershipEvent) int { return a.Seq - b.Seq })
		for _, e := range evs {
			for _, tp := range e.Partitions {
				k := key{m, tp}
				i, owned := open[k]
				switch {
				case e.Type == Assigned && !owned:
					open[k] = len(out)
					out = append(out, Interval{Member: m, TP: tp, Start: e.When(), StartSeq: e.Seq, StartLine: e.Line})
				case e.Type != Assigned && owned:
					out[i].End, out[i].EndedBy, out[i].EndSeq = e.When(), e.Type, e.Seq
					delete(open, k)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Interval) int {
		if c := compareTP(a.TP, b.TP); c != 0 {
			return c
		}
		return a.Start.Compare(b.Start)
	})
	return out
}

// IntervalsOf is Intervals over the events of every member.
func IntervalsOf(members ...Member) []Interval {
	var evs []OwnershipEvent
	for _, m := range members {
		evs = append(evs, m.Events()...)
	}
	return Intervals(evs)
}

// FormatIntervals lays intervals out one per line, for t.Log: the
// ownership log the issues ask for.
func FormatIntervals(ivs []Interval) string {
	var b strings.Builder
	for _, iv := range ivs {
		b.WriteString(iv.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Overlap is two members owning one partition at the same time.
type Overlap struct {
	A, B     Interval
	Duration time.Duration // how long both held it
	// WithinSlack: shorter than the slack NoOverlap was given, so the
	// harness's timestamps cannot tell it from a correct hand-over.
	WithinSlack bool
}

// String describes the overlap.
func (o Overlap) String() string {
	s := fmt.Sprintf("%s owned by %s and %s at once for %v: [%s] and [%s]", o.A.TP, o.A.Member, o.B.Member, o.Duration, o.A, o.B)
	if o.WithinSlack {
		s += " (within the slack: not provable)"
	}
	return s
}

// Overlaps returns every pair of intervals of different members on one
// partition that overlap in time, an open interval lasting until now. Those
// shorter than slack are marked WithinSlack (see the package doc on
// precision).
func Overlaps(ivs []Interval, slack time.Duration) []Overlap {
	now := time.Now()
	end := func(iv Interval) time.Time {
		if iv.Open() {
			return now
		}
		return iv.End
	}
	var out []Overlap
	for i, a := range ivs {
		for _, b := range ivs[i+1:] {
			if a.TP != b.TP || a.Member == b.Member {
				continue
			}
			from, to := later(a.Start, b.Start), earlier(end(a), end(b))
			if d := to.Sub(from); d > 0 {
				out = append(out, Overlap{A: a, B: b, Duration: d, WithinSlack: d < slack})
			}
		}
	}
	return out
}

// Handover is a partition passing from one member to another: the time
// between the end of one's interval and the start of the next one's.
type Handover struct {
	TP       TopicPartition
	From, To Interval
	Gap      time.Duration // negative: they overlapped
}

// Handovers lists, per partition in time order, every change of owner
// between two members. The smallest Gap shows how close to the slack a
// run came.
func Handovers(ivs []Interval) []Handover {
	byTP := map[TopicPartition][]Interval{}
	var tps []TopicPartition
	for _, iv := range ivs {
		if _, ok := byTP[iv.TP]; !ok {
			tps = append(tps, iv.TP)
		}
		byTP[iv.TP] = append(byTP[iv.TP], iv)
	}
	var out []Handover
	for _, tp := range tps {
		list := byTP[tp]
		slices.SortStableFunc(list, func(a, b Interval) int { return a.Start.Compare(b.Start) })
		for i := 1; i < len(list); i++ {
			a, b := list[i-1], list[i]
			if a.Member == b.Member || a.Open() {
				continue
			}
			out = append(out, Handover{TP: tp, From: a, To: b, Gap: b.Start.Sub(a.End)})
		}
	}
	return out
}

// NoOverlap returns an error naming every overlap of at least slack: a
// partition owned by two members at once. Overlaps within the slack are
// not errors; Overlaps lists them.
func NoOverlap(ivs []Interval, slack time.Duration) error {
	var errs []error
	for _, o := range Overlaps(ivs, slack) {
		if !o.WithinSlack {
			errs = append(errs, errors.New(o.String()))
		}
	}
	return errors.Join(errs...)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// RecordsWithinOwnership checks that each member printed records only of
// partitions it owned at that point of its own output: between an Assigned
// and the event that ended it, by Seq, which is exact (one pipe per
// member). Records read after a Killed or Exited event were written before
// it and count as inside. It returns an error naming the first few records
// outside.
func RecordsWithinOwnership(members ...Member) error {
	var errs []error
	for _, m := range members {
		ivs := Intervals(m.Events())
		bad := 0
		for _, r := range m.Records() {
			if ownedAtSeq(ivs, r.TP(), r.Seq) {
				continue
			}
			bad++
			if bad <= 5 {
				errs = append(errs, fmt.Errorf("%s printed %s@%d (%q, line %d) while it did not own the partition", m.Name(), r.TP(), r.Offset, r.Value, r.Seq))
			}
		}
		if bad > 5 {
			errs = append(errs, fmt.Errorf("%s: %d more records outside its ownership", m.Name(), bad-5))
		}
	}
	return errors.Join(errs...)
}

func ownedAtSeq(ivs []Interval, tp TopicPartition, seq int) bool {
	for _, iv := range ivs {
		if iv.TP != tp || seq < iv.StartSeq {
			continue
		}
		if iv.Open() || iv.EndedBy == Killed || iv.EndedBy == Exited || seq < iv.EndSeq {
			return true
		}
	}
	return false
}

// NoRebalance returns an error when member m has an ownership event (an
// assignment, a revoke, a loss) whose When falls within [from, to]: what a
// member sees of a rebalance. The static-member test brackets the other
// member's restart with it.
func NoRebalance(m Member, from, to time.Time) error {
	var errs []error
	for _, e := range m.Events() {
		w := e.When()
		if e.Type == Exited || e.Type == Killed || w.Before(from) || w.After(to) {
			continue
		}
		errs = append(errs, fmt.Errorf("%s saw a rebalance at %s: %s %v (%q)", m.Name(), w.Format("15:04:05.000"), e.Type, e.Partitions, e.Line))
	}
	return errors.Join(errs...)
}

// FormatEvents lays out every member's ownership events with the line each
// came from, for t.Log when a check fails or a client's wording is in doubt.
func FormatEvents(members ...Member) string {
	var b strings.Builder
	for _, m := range members {
		for _, e := range m.Events() {
			fmt.Fprintf(&b, "%s %s #%d %s %v: %s\n", e.When().Format("15:04:05.000"), m.Name(), e.Seq, e.Type, e.Partitions, e.Line)
		}
	}
	return b.String()
}

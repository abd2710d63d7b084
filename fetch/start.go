package fetch

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

type startKind int8

const (
	startDefault   startKind = iota // the reset policy (auto.offset.reset)
	startOffset                     // a given offset
	startEarliest                   // the log start offset
	startLatest                     // the high watermark (last stable offset under read_committed)
	startTimestamp                  // the first offset whose timestamp is at or after a time
	startDuration                   // the first offset at or after now minus a duration
	startNone                       // no position: an error until Seek
	startCommitted                  // the group's committed offset (Config.Committed), else the reset policy
)

// Start is where a partition begins reading: an offset, the earliest or
// latest offset, the first offset at or after a time or a duration ago,
// the offset a consumer group committed, or none (an error until Seek). The
// zero value, StartDefault, applies the Fetcher's reset policy
// (auto.offset.reset).
//
// A time or duration with no record at or after it starts at the latest
// offset, like the Java consumer's by_duration reset.
type Start struct {
	kind  startKind
	n     int64 // offset, unix ms, or duration in ns
	epoch int32 // leader epoch of the record before the offset, +1 (0: unknown)
}

// The start positions that need no argument.
var (
	StartDefault  = Start{}
	StartEarliest = Start{kind: startEarliest}
	StartLatest   = Start{kind: startLatest}
	StartNone     = Start{kind: startNone}
	// StartCommitted starts at the offset the group committed, looked up
	// with Config.Committed (the leader epoch committed with it is checked
	// against the log, KIP-320); where the group committed nothing, the
	// reset policy applies. This is where the Java consumer starts a
	// partition that has a group.id and no position.
	StartCommitted = Start{kind: startCommitted}
)

// StartAt starts at offset, which must not be negative.
func StartAt(offset int64) Start { return Start{kind: startOffset, n: offset} }

// StartAtEpoch starts at offset, known to follow a record of leader epoch
// epoch (a committed offset's leader epoch, KIP-320): the position is
// validated with OffsetForLeaderEpoch before the first fetch, and a log
// truncated below it is reported (TruncationError). A negative epoch is
// StartAt.
func StartAtEpoch(offset int64, epoch int32) Start {
	s := StartAt(offset)
	if epoch >= 0 {
		s.epoch = epoch + 1
	}
	return s
}

// Epoch returns the leader epoch of a StartAtEpoch position, -1 when none.
func (s Start) Epoch() int32 { return s.epoch - 1 }

// StartAtTime starts at the first record whose timestamp is at or after t.
func StartAtTime(t time.Time) Start { return Start{kind: startTimestamp, n: t.UnixMilli()} }

// StartByDuration starts at the first record whose timestamp is at or after
// the time the offset is looked up minus d (auto.offset.reset=by_duration).
func StartByDuration(d time.Duration) Start { return Start{kind: startDuration, n: int64(d)} }

// Offset returns the offset of a StartAt position.
func (s Start) Offset() (int64, bool) { return s.n, s.kind == startOffset }

// String returns the Start in readable form, for logs and errors.
func (s Start) String() string {
	switch s.kind {
	case startOffset:
		if s.epoch > 0 {
			return strconv.FormatInt(s.n, 10) + "@epoch" + strconv.Itoa(int(s.epoch-1))
		}
		return strconv.FormatInt(s.n, 10)
	case startEarliest:
		return "earliest"
	case startLatest:
		return "latest"
	case startTimestamp:
		return "timestamp:" + strconv.FormatInt(s.n, 10)
	case startDuration:
		return "by_duration:" + FormatISODuration(time.Duration(s.n))
	case startNone:
		return "none"
	case startCommitted:
		return "committed"
	}
	return "default"
}

// listTimestamp returns the ListOffsets timestamp that finds s at now.
func (s Start) listTimestamp(now time.Time) int64 {
	switch s.kind {
	case startEarliest:
		return protocol.ListOffsetsEarliest
	case startTimestamp:
		return s.n
	case startDuration:
		return max(now.Add(-time.Duration(s.n)).UnixMilli(), 0) // negative timestamps are special to ListOffsets
	}
	return protocol.ListOffsetsLatest
}

// ParseReset parses an auto.offset.reset value: earliest, latest, none or
// by_duration:PnDTnHnMnS (KIP-1106).
func ParseReset(s string) (Start, error) {
	st, err := ParseStart(s)
	if err == nil {
		switch st.kind {
		case startEarliest, startLatest, startNone, startDuration:
			return st, nil
		}
	}
	return Start{}, fmt.Errorf("fetch: auto.offset.reset %q: want earliest, latest, none or by_duration:PnDTnHnMnS", s)
}

// ParseStart parses a start position: earliest, latest, none, committed,
// by_duration:<ISO-8601 duration>, timestamp:<unix ms>, or an offset.
func ParseStart(s string) (Start, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	switch ls {
	case "earliest":
		return StartEarliest, nil
	case "latest":
		return StartLatest, nil
	case "none":
		return StartNone, nil
	case "committed":
		return StartCommitted, nil
	}
	if rest, ok := strings.CutPrefix(ls, "by_duration:"); ok {
		d, err := ParseISODuration(rest)
		if err != nil {
			return Start{}, err
		}
		return StartByDuration(d), nil
	}
	if rest, ok := strings.CutPrefix(ls, "timestamp:"); ok {
		ms, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || ms < 0 {
			return Start{}, fmt.Errorf("fetch: start %q: want timestamp:<milliseconds since the epoch>", s)
		}
		return Start{kind: startTimestamp, n: ms}, nil
	}
	if off, err := strconv.ParseInt(ls, 10, 64); err == nil && off >= 0 {
		return StartAt(off), nil
	}
	return Start{}, fmt.Errorf("fetch: start %q: want earliest, latest, none, committed, by_duration:PnDTnHnMnS, timestamp:<ms> or an offset", s)
}

// ParseISODuration parses an ISO-8601 duration of the form PnDTnHnMn.nS, as
// Java's Duration.parse does (days are 24 hours; letters in any case), but
// rejects negative durations, which auto.offset.reset forbids.
func ParseISODuration(s string) (time.Duration, error) {
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("fetch: duration %q: %s (want PnDTnHnMn.nS, e.g. P1DT12H or PT30M)", s, why)
	}
	u := strings.ToUpper(s)
	u = strings.TrimPrefix(u, "+")
	if !strings.HasPrefix(u, "P") {
		return bad("no leading P")
	}
	u = u[1:]
	datePart, timePart, hasT := strings.Cut(u, "T")
	if hasT && timePart == "" {
		return bad("nothing after T")
	}
	var total float64
	parts := 0
	const maxSeconds = float64(1<<63-1) / 1e9
	take := func(part string, units map[byte]float64, order string) error {
		for part != "" {
			i := strings.IndexAny(part, order)
			if i <= 0 {
				return fmt.Errorf("fetch: duration %q: expected a number followed by one of %s", s, order)
			}
			num, unit := part[:i], part[i]
			if unit != 'S' && strings.ContainsAny(num, ".,") {
				return fmt.Errorf("fetch: duration %q: only seconds may have a fraction", s)
			}
			v, err := strconv.ParseFloat(strings.Replace(num, ",", ".", 1), 64)
			if err != nil || v < 0 || strings.ContainsAny(num, "+-eE") {
				return fmt.Errorf("fetch: duration %q: %q is not a non-negative number", s, num)
			}
			if strings.IndexByte(order, unit) < 0 {
				return fmt.Errorf("fetch: duration %q: units out of order", s)
			}
			order = order[strings.IndexByte(order, unit)+1:]
			total += v * units[unit]
			parts++
			part = part[i+1:]
		}
		return nil
	}
	if err := take(datePart, map[byte]float64{'D': 86400}, "D"); err != nil {
		return 0, err
	}
	if err := take(timePart, map[byte]float64{'H': 3600, 'M': 60, 'S': 1}, "HMS"); err != nil {
		return 0, err
	}
	if parts == 0 {
		return bad("no components")
	}
	if total > maxSeconds {
		return bad("too long")
	}
	return time.Duration(total * 1e9).Round(time.Millisecond), nil
}

// FormatISODuration formats d as an ISO-8601 duration (PnDTnHnMn.nS).
func FormatISODuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteByte('P')
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		return b.String()
	}
	b.WriteByte('T')
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dH", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dM", m)
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
		b.WriteByte('S')
	}
	return b.String()
}

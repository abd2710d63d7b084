package fetch

import (
	"testing"
	"time"
)

func TestParseStart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Start
		str  string
	}{
		{"earliest", StartEarliest, "earliest"},
		{" Latest ", StartLatest, "latest"},
		{"none", StartNone, "none"},
		{"committed", StartCommitted, "committed"},
		{"0", StartAt(0), "0"},
		{"42", StartAt(42), "42"},
		{"by_duration:P1DT2H", StartByDuration(26 * time.Hour), "by_duration:P1DT2H"},
		{"timestamp:1700000000000", StartAtTime(time.UnixMilli(1700000000000)), "timestamp:1700000000000"},
	} {
		got, err := ParseStart(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseStart(%q) = %v (%q), %v; want %v (%q)", tc.in, got, got.String(), err, tc.want, tc.str)
		}
	}
	for _, in := range []string{"", "-1", "earliest!", "by_duration:", "by_duration:-PT1H", "timestamp:-5", "timestamp:x"} {
		if got, err := ParseStart(in); err == nil {
			t.Errorf("ParseStart(%q) = %v, want an error", in, got)
		}
	}
	for _, in := range []string{"committed", "42", "timestamp:5"} {
		if got, err := ParseReset(in); err == nil {
			t.Errorf("ParseReset(%q) = %v: not a reset policy", in, got)
		}
	}
	if s := StartAtEpoch(7, 2); s.Epoch() != 2 || s.String() != "7@epoch2" {
		t.Errorf("StartAtEpoch(7, 2) = %v, epoch %d", s, s.Epoch())
	}
	if s := StartAtEpoch(7, -1); s != StartAt(7) || s.Epoch() != -1 {
		t.Errorf("StartAtEpoch(7, -1) = %v, want StartAt(7)", s)
	}
}

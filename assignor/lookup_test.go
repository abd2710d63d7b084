package assignor

import (
	"errors"
	"testing"
)

func TestByName(t *testing.T) {
	cases := []struct {
		name string
		want Assignor
		err  error
	}{
		{"range", Range, nil},
		{"org.apache.kafka.clients.consumer.RangeAssignor", Range, nil},
		{"roundrobin", RoundRobin, nil},
		{"org.apache.kafka.clients.consumer.RoundRobinAssignor", RoundRobin, nil},
		{"sticky", Sticky, nil},
		{"org.apache.kafka.clients.consumer.StickyAssignor", Sticky, nil},
		{"cooperative-sticky", CooperativeSticky, nil},
		{"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", CooperativeSticky, nil},
		{"Range", nil, ErrUnknown},
		{" range", nil, ErrUnknown},
		{"org.apache.kafka.clients.consumer.internals.RangeAssignor", nil, ErrUnknown},
		{"", nil, ErrUnknown},
	}
	for _, c := range cases {
		got, err := ByName(c.name)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("ByName(%q) = %v, %v; want %v, %v", c.name, got, err, c.want, c.err)
		}
	}
	if Range.Name() != "range" || RoundRobin.Name() != "roundrobin" || Sticky.Name() != "sticky" || CooperativeSticky.Name() != "cooperative-sticky" {
		t.Errorf("names: %q %q %q %q", Range.Name(), RoundRobin.Name(), Sticky.Name(), CooperativeSticky.Name())
	}
}

func TestByNames(t *testing.T) {
	got, err := ByNames([]string{"roundrobin", RangeClass})
	if err != nil || len(got) != 2 || got[0] != RoundRobin || got[1] != Range {
		t.Errorf("ByNames = %v, %v", got, err)
	}
	if _, err := ByNames([]string{"range", RangeClass}); err == nil {
		t.Error("range twice: no error")
	}
	if _, err := ByNames(nil); err == nil {
		t.Error("no names: no error")
	}
	got, err = ByNames([]string{"range", "cooperative-sticky"})
	if err != nil || len(got) != 2 || got[1] != CooperativeSticky {
		t.Errorf("range, cooperative-sticky: %v, %v", got, err)
	}
	if _, err := ByNames([]string{"sticky", StickyClass}); err == nil {
		t.Error("sticky twice: no error")
	}
}

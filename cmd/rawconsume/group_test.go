package main

import (
	"regexp"
	"testing"
)

// A -G topic starting with '^' is a regex found anywhere in a name, as
// librdkafka's regexec finds it; named topics beside it match only
// themselves.
func TestSubscriptionPattern(t *testing.T) {
	if p := subscriptionPattern([]string{"a", "b.c"}); p != "" {
		t.Errorf("names only: got pattern %q, want none", p)
	}
	p := subscriptionPattern([]string{"^orders-", "b.c"})
	re := regexp.MustCompile(`^(?:` + p + `)$`) // as SubscribeRegex anchors it
	for name, want := range map[string]bool{
		"orders-1": true, "orders-": true, "xorders-1": false, "b.c": true, "bxc": false, "b.cd": false,
	} {
		if got := re.MatchString(name); got != want {
			t.Errorf("pattern %q on %q: %v, want %v", p, name, got, want)
		}
	}
}

func TestGroupResetFromO(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-b", "x:1", "-G", "g", "t"}, ""},
		{[]string{"-b", "x:1", "-G", "g", "t", "-o", "beginning"}, "earliest"},
		{[]string{"-b", "x:1", "-G", "g", "t", "-o", "end"}, "latest"},
		{[]string{"-b", "x:1", "-G", "g", "t", "-o", "stored"}, ""},
		{[]string{"-b", "x:1", "-G", "g", "t", "-o", "5"}, "latest"},
		{[]string{"-b", "x:1", "-G", "g", "t", "-o", "-5"}, "latest"},
	} {
		o, err := parseArgs(tc.args)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if got := groupReset(o); got != tc.want {
			t.Errorf("%q: auto.offset.reset %q, want %q", tc.args, got, tc.want)
		}
		cfg, err := consumerConfig(o, nil)
		if err != nil || cfg.GroupID != "g" {
			t.Errorf("%q: group.id %q, err %v", tc.args, cfg.GroupID, err)
		}
	}
}

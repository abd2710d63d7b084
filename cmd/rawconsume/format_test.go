package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka"
)

func TestParseOffset(t *testing.T) {
	cases := []struct {
		in   string
		want offsetSpec
		err  string
	}{
		{"beginning", offsetSpec{kind: offsetBeginning}, ""},
		{"end", offsetSpec{kind: offsetEnd}, ""},
		{"42", offsetSpec{kind: offsetAbsolute, n: 42}, ""},
		{"-10", offsetSpec{kind: offsetTail, n: 10}, ""},
		{"s@1700000000000", offsetSpec{kind: offsetTime, n: 1700000000000}, ""},
		{"stored", offsetSpec{kind: offsetStored}, ""},
		{"s@x", offsetSpec{}, "want s@<milliseconds"},
		{"e@1", offsetSpec{}, "not supported yet"},
		{"middle", offsetSpec{}, "want beginning, end"},
	}
	for _, c := range cases {
		got, err := parseOffset(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseOffset(%q) error = %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseOffset(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func sampleRecord() *rawkafka.Record {
	return &rawkafka.Record{
		Topic: "t", Partition: 2, Offset: 7, Timestamp: time.UnixMilli(1700000000123),
		Key: []byte("k\"1"), Value: []byte("v\n\xff"),
		Headers: []rawkafka.Header{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: nil}},
	}
}

func TestFormats(t *testing.T) {
	toks, err := parseFormat(`%t/%p@%o %k=%s [%K %S] %T %h%%\x41\t\n`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    formatter
		want string
	}{
		{"-f", formatter{tokens: toks}, "t/2@7 k\"1=v\n\xff [3 3] 1700000000123 a=1,b=%A\t\n"},
		{"default", formatter{msgDelim: "\n"}, "v\n\xff\n"},
		{"-K", formatter{msgDelim: "|", printKeys: true, keyDelim: ":"}, "k\"1:v\n\xff|"},
		{"-J", formatter{json: true}, `{"topic":"t","partition":2,"offset":7,"tstype":"create","ts":1700000000123,"broker":-1,` +
			`"headers":["a","1","b",null],"key":"k\"1","payload":"v\n` + "\xff" + `"}` + "\n"},
	}
	for _, c := range cases {
		if got := string(c.f.append(nil, sampleRecord())); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	null := &rawkafka.Record{Topic: "t"}
	if got := string(appendToken(nil, token{verb: 'S'}, null)); got != "-1" {
		t.Errorf("%%S of a null value = %q, want -1", got)
	}
	if got := appendToken(nil, token{verb: 'R'}, null); string(got) != "\xff\xff\xff\xff" {
		t.Errorf("%%R of a null value = % x, want ff ff ff ff", got)
	}
	for _, bad := range []string{"%z", "abc%"} {
		if _, err := parseFormat(bad); err == nil {
			t.Errorf("parseFormat(%q) accepted", bad)
		}
	}
}

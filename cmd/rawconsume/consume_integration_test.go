package main

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// brokerField is kcat's "broker" key: the broker that served a record, which
// rawconsume does not know (it prints -1).
var brokerField = regexp.MustCompile(`,"broker":-?\d+,`)

// sameAsKcat consumes topic from the beginning to the end with rawconsume and
// with kcat, both as JSON lines, and fails unless they print the same bytes
// (but for the broker field). It returns rawconsume's lines.
func sameAsKcat(t *testing.T, boot, topic string, extra ...string) []string {
	t.Helper()
	args := append([]string{"-b", boot, "-t", topic, "-o", "beginning", "-e", "-J", "-q"}, extra...)
	code, got, errOut := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("rawconsume %q: exit %d: %s", args, code, errOut)
	}
	want := kcat(t, append([]string{"-C"}, args...)...)
	got = brokerField.ReplaceAllString(got, ",")
	want = brokerField.ReplaceAllString(want, ",")
	if got != want {
		t.Fatalf("rawconsume %q differs from kcat\nrawconsume:\n%s\nkcat:\n%s", args, got, want)
	}
	return strings.Split(strings.TrimSuffix(got, "\n"), "\n")
}

// offsetsOf returns the offsets of JSON lines.
func offsetsOf(t *testing.T, lines []string) []int64 {
	re := regexp.MustCompile(`"offset":(\d+),`)
	var out []int64
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("no offset in %q", l)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

func wantOffsets(recs []kafkatest.ExpectedRecord) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.Offset)
	}
	return out
}

// TestIntegrationConsumeEveryCodecLikeKcat consumes records the Java producer
// wrote with each codec (keys, null values, headers, explicit timestamps) and
// checks that rawconsume prints exactly what kcat prints for them.
func TestIntegrationConsumeEveryCodecLikeKcat(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	codecs := kafkatest.Codecs
	if testing.Short() {
		codecs = []string{"zstd"}
	}
	for _, codec := range codecs {
		t.Run(codec, func(t *testing.T) {
			topic := kafkatest.CreateTopic(t, "", 1, 1)
			want := kafkatest.ProduceJava(t, topic, 0, codec, 40)
			lines := sameAsKcat(t, boot, topic)
			if got := offsetsOf(t, lines); !slices.Equal(got, wantOffsets(want)) {
				t.Fatalf("offsets %v, want %v", got, wantOffsets(want))
			}
		})
	}
}

// TestIntegrationConsumeTransactions reads interleaved committed and aborted
// transactions with both isolation levels.
func TestIntegrationConsumeTransactions(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	all := kafkatest.ProduceTransactions(t, topic, 0)

	committed := sameAsKcat(t, boot, topic, "-X", "isolation.level=read_committed")
	if got, want := offsetsOf(t, committed), wantOffsets(kafkatest.ReadCommitted(all)); !slices.Equal(got, want) {
		t.Errorf("read_committed offsets %v, want %v", got, want)
	}
	uncommitted := sameAsKcat(t, boot, topic, "-X", "isolation.level=read_uncommitted")
	if got, want := offsetsOf(t, uncommitted), wantOffsets(all); !slices.Equal(got, want) {
		t.Errorf("read_uncommitted offsets %v, want %v", got, want)
	}
}

// TestIntegrationConsumeCountAndTail checks -c and -o -<n> across partitions.
func TestIntegrationConsumeCountAndTail(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 6)
	kafkatest.ProduceKcat(t, topic, 1, "lz4", 6)

	code, out, errOut := runCmd(t, "-b", boot, "-t", topic, "-o", "beginning", "-c", "5", "-q", "-f", "%p:%o\n")
	if code != exitOK || strings.Count(out, "\n") != 5 {
		t.Fatalf("-c 5: exit %d, %q, %s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "-b", boot, "-t", topic, "-o", "-2", "-e", "-q", "-f", "%p:%o\n")
	lines := strings.Fields(out)
	if code != exitOK || len(lines) != 4 || !strings.Contains(out, "0:4\n") || !strings.Contains(out, "0:5\n") ||
		!strings.Contains(out, "1:4\n") || !strings.Contains(out, "1:5\n") {
		t.Fatalf("-o -2: exit %d, %q, %s; want offsets 4 and 5 of both partitions", code, out, errOut)
	}
}

// TestIntegrationConsumeStoredLikeKcat: -o stored with -X group.id starts
// each partition at the offset the group committed, and at the end commits
// how far it read, as kcat does; each continues where the other stopped.
func TestIntegrationConsumeStoredLikeKcat(t *testing.T) {
	env := kafkatest.Get(t)
	boot := strings.Split(env.Bootstrap, ",")[0]
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	kafkatest.ProduceKcat(t, topic, 0, "none", 6)
	kafkatest.ProduceKcat(t, topic, 1, "zstd", 6)
	group := kafkatest.TopicName(t) + "-group"
	kafkatest.CommitOffset(t, group, topic, 0, 4) // written by the Java tools
	kafkatest.CommitOffset(t, group, topic, 1, 1)
	args := []string{"-b", boot, "-t", topic, "-o", "stored", "-X", "group.id=" + group, "-e", "-q", "-f", "%p:%o\n"}
	read := func(what string, want ...string) {
		t.Helper()
		var out string
		if what == "kcat" {
			out = kcat(t, append([]string{"-C"}, args...)...)
		} else {
			code, got, errOut := runCmd(t, args...)
			if code != exitOK {
				t.Fatalf("rawconsume %q: exit %d: %s", args, code, errOut)
			}
			out = got
		}
		lines := strings.Fields(out)
		slices.Sort(lines)
		if !slices.Equal(lines, want) {
			t.Fatalf("%s -o stored printed %v, want %v", what, lines, want)
		}
	}
	read("rawconsume", "0:4", "0:5", "1:1", "1:2", "1:3", "1:4", "1:5")
	kafkatest.ProduceKcat(t, topic, 0, "none", 2)
	read("kcat", "0:6", "0:7") // from where rawconsume committed
	kafkatest.ProduceKcat(t, topic, 1, "none", 1)
	read("rawconsume", "1:6") // from where kcat committed
}

// TestIntegrationQueryLikeKcat asks rawconsume -Q and kcat -Q the same
// questions (the Java producer's timestamps, which step back a minute at
// every eighth record, the times between and after them, -1 and -2) over two
// partitions, and fails unless they print the same, in text and in JSON. It
// also checks the answers against the records where they are plain: the
// first record's time, the end, the beginning, and after the last record.
func TestIntegrationQueryLikeKcat(t *testing.T) {
	env := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	boot := strings.Split(env.Bootstrap, ",")[0]
	p0 := kafkatest.ProduceJava(t, topic, 0, "none", 20)
	p1 := kafkatest.ProduceJava(t, topic, 1, "lz4", 5)

	last := p0[0].Timestamp
	for _, r := range append(p0, p1...) {
		last = max(last, r.Timestamp)
	}
	times := []int64{-2, -1, 0, p0[0].Timestamp, p0[3].Timestamp + 1, p0[5].Timestamp, p0[5].Timestamp + 1, last, last + 1}
	query := func(ts int64, json bool) string {
		args := []string{"-Q", "-b", boot, "-t", fmt.Sprintf("%s:0:%d", topic, ts), "-t", fmt.Sprintf("%s:1:%d", topic, ts)}
		if json {
			args = append(args, "-J")
		}
		code, got, errOut := runCmd(t, args...)
		if code != exitOK {
			t.Fatalf("rawconsume %q: exit %d: %s", args, code, errOut)
		}
		want := kcat(t, args...)
		if json {
			var g, w any
			if err := errors.Join(stdjson.Unmarshal([]byte(got), &g), stdjson.Unmarshal([]byte(want), &w)); err != nil {
				t.Fatalf("%q: %v\nrawconsume: %s\nkcat: %s", args, err, got, want)
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("rawconsume %q differs from kcat\nrawconsume: %s\nkcat: %s", args, got, want)
			}
		} else if got != want {
			t.Fatalf("rawconsume %q differs from kcat\nrawconsume:\n%s\nkcat:\n%s", args, got, want)
		}
		return got
	}
	for _, ts := range times {
		query(ts, false)
		query(ts, true)
	}
	line := func(p int32, off int64) string { return fmt.Sprintf("%s [%d] offset %d\n", topic, p, off) }
	for _, c := range []struct {
		ts   int64
		want string
	}{
		{-2, line(0, 0) + line(1, 0)},
		{-1, line(0, 20) + line(1, 5)},
		{p0[0].Timestamp, line(0, 0) + line(1, 0)},
		{last + 1, line(0, -1) + line(1, -1)},
	} {
		if got := query(c.ts, false); got != c.want {
			t.Errorf("-Q at %d: got\n%swant\n%s", c.ts, got, c.want)
		}
	}
}

package main

import (
	"regexp"
	"testing"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// rawconsume -G takes the library's default partition.assignment.strategy
// (cooperative-sticky, range): alone in its group it runs the cooperative
// protocol and prints kcat's incremental lines; with range named, kcat's
// eager ones. The wording follows the generation's protocol, not the
// configured list.
func TestIntegrationGroupDefaultStrategyLines(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := kafkatest.CreateTopic(t, "", 2, 1)
	produceIDs(t, brokers, topic, "id-", 4, 2)
	for _, tc := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"default", nil, `(?m)^% Group [^ ]+ rebalanced: incremental assignment of 2 partition\(s\) \(memberid [^,]+, COOPERATIVE rebalance protocol\): ` +
			regexp.QuoteMeta(topic) + ` \[0\], ` + regexp.QuoteMeta(topic) + ` \[1\]$`},
		{"range", []string{"-X", "partition.assignment.strategy=range"}, `(?m)^% Group [^ ]+ rebalanced \(memberid [^)]+\): assigned: ` +
			regexp.QuoteMeta(topic) + ` \[0\], ` + regexp.QuoteMeta(topic) + ` \[1\]$`},
	} {
		args := append([]string{"-b", brokers, "-G", "rawconsume-" + tc.name + "-" + topic, "-o", "beginning", "-e", "-f", `%o\n`,
			"-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000"}, tc.extra...)
		code, out, errOut := runCmd(t, append(args, topic)...)
		if code != exitOK || len(out) == 0 {
			t.Fatalf("%s: exit %d, stdout %q\n%s", tc.name, code, out, errOut)
		}
		if !regexp.MustCompile(tc.want).MatchString(errOut) {
			t.Errorf("%s: no line matching %s in\n%s", tc.name, tc.want, errOut)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

// runCmd runs rawconsume with args and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBadCommandLinesGetOneLineAndExit2(t *testing.T) {
	cases := []struct {
		args []string
		want string // in the one line on stderr
	}{
		{[]string{"-W"}, "unknown option -W"},
		{[]string{"-Z"}, "-Z is a kcat option rawconsume does not support"},
		{[]string{"-P", "-b", "x:1", "-t", "t"}, "-P is a producer option"},
		{[]string{"-b", "x:1", "-t"}, "option -t requires a value"},
		{[]string{"-L"}, "no broker given"},
		{[]string{"-L", "-b", "x:1", "-X", "nonsense"}, `want property=value`},
		{[]string{"-L", "-b", "x:1", "-X", "fetch.wait.max.bogus=1"}, "config fetch.wait.max.bogus: unknown property"},
		{[]string{"-L", "-b", "x:1", "-X", "security.protocol=carrier_pigeon"}, "want PLAINTEXT, SSL"},
		{[]string{"-L", "-b", "x:1", "-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanism=GSSAPI", "-X", "sasl.username=u"}, "want PLAIN, SCRAM-SHA-256"},
		{[]string{"-L", "-b", "x:1", "stray"}, `unexpected argument "stray": a topic list is only allowed with -G`},
		{[]string{"-b", "x:1", "-t", "t", "stray"}, `unexpected argument "stray"`},
		{[]string{"-b", "x:1"}, "no topic given"},
		{[]string{"-b", "x:1", "-t", "t", "-o", "stored"}, "give the group with -X group.id=<group>"},
		{[]string{"-b", "x:1", "-G", "g", "t1", "-o", "s@5"}, "-o s@<ms> cannot be used with -G"},
		{[]string{"-b", "x:1", "-G", "g", "^(t"}, "-G g: topic pattern ^(t: error parsing regexp"},
		{[]string{"-b", "x:1", "-G", "g", "t", "-X", "partition.assignment.strategy=bogus"}, "partition.assignment.strategy"},
		{[]string{"-b", "x:1", "-G", "g"}, "-G <group> expects a list of topics"},
		{[]string{"-b", "x:1", "-t", "t", "-G", "g"}, "-G <group> expects a list of topics"},
		{[]string{"-b", "x:1", "-G", "g", "-t", "t", "t2"}, "-G takes its topics as arguments"},
		{[]string{"-b", "x:1", "-C", "-G", "g", "t"}, "do not mix modes: -G seen when -C already set"},
		{[]string{"-b", "x:1", "-t", "t", "-J", "-f", "%s"}, "give one"},
		{[]string{"-Q", "-b", "x:1"}, "-Q needs -t topic:partition:timestamp"},
		{[]string{"-Q", "-b", "x:1", "-t", "t:0"}, "want three fields"},
		{[]string{"-Q", "-b", "x:1", "-t", ":0:5"}, "want three fields"},
		{[]string{"-Q", "-b", "x:1", "-t", "t:x:5"}, "not a partition number"},
		{[]string{"-Q", "-b", "x:1", "-t", "t:-1:5"}, "not a partition number"},
		{[]string{"-Q", "-b", "x:1", "-t", "t:0:-3"}, "not a time"},
		{[]string{"-Q", "-b", "x:1", "-t", "t:0:soon"}, "not a time"},
		{[]string{"-Q", "-L", "-b", "x:1", "-t", "t:0:5"}, "do not mix modes: -L seen when -Q already set"},
		{[]string{"-b", "x:1", "-t", "t", "-d", "everything"}, `unknown debug context "everything"`},
		{[]string{"-b", "x:1", "-t", "t", "-X", "debug=fetch,bogus"}, `-X debug=fetch,bogus: unknown debug context "bogus"`},
		{[]string{"-b", "x:1", "-t", "t", "-X", "topic.auto.offset.reset=sideways"}, "auto.offset.reset=\"sideways\": want earliest, latest, none or by_duration:PnDTnHnMnS (from -X topic.auto.offset.reset)"},
		{[]string{"-b", "x:1", "-t", "t", "-X", "enable.ssl.certificate.verification=maybe"}, "want true or false"},
		{[]string{"-b", "x:1", "-t", "t", "-m", "0"}, "-m 0: want a number of seconds"},
		{[]string{"-b", "x:1", "-t", "t", "-p", "x"}, "-p x: want a partition number"},
		{[]string{"-b", "x:1", "-t", "a", "-t", "b"}, "-t given 2 times"},
		{[]string{"-b", "x:1", "-t", "t", "-f", "%q"}, "unknown token %q"},
		{[]string{"-b", "x:1", "-t", "t", "-c", "-3"}, "want a positive count"},
		{[]string{"-b", "x:1", "-t", "t", "-X", "fetch.max.bytes=lots"}, "fetch.max.bytes"},
	}
	for _, c := range cases {
		code, out, errOut := runCmd(t, c.args...)
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("rawconsume %q: exit %d, stdout %q, stderr %q; want exit 2 and one stderr line with %q",
				c.args, code, out, errOut, c.want)
		}
	}
}

func TestUnreachableBrokerIsOneLineAndExit1(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	code, out, errOut := runCmd(t, "-L", "-b", addr)
	if code != exitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, addr) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one line naming %s", code, out, errOut, addr)
	}
}

func TestHelpAndVersion(t *testing.T) {
	if code, out, _ := runCmd(t, "-h"); code != exitOK || !strings.Contains(out, "-L") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
	if code, out, _ := runCmd(t, "-V"); code != exitOK || !strings.HasPrefix(out, "rawconsume ") {
		t.Errorf("-V: exit %d, %q", code, out)
	}
}

func sampleMetadata() *metadata {
	name, bad := "orders", "gone"
	return &metadata{originID: 1, originName: "127.0.0.1:9092/1", resp: &protocol.MetadataResponse{
		ControllerId: 2,
		Brokers: []protocol.MetadataResponseBroker{
			{NodeId: 1, Host: "127.0.0.1", Port: 9092},
			{NodeId: 2, Host: "127.0.0.1", Port: 9192},
		},
		Topics: []protocol.MetadataResponseTopic{
			{Name: &name, Partitions: []protocol.MetadataResponsePartition{
				{PartitionIndex: 0, LeaderId: 1, ReplicaNodes: []int32{1, 2}, IsrNodes: []int32{1, 2}},
				{PartitionIndex: 1, LeaderId: -1, ReplicaNodes: []int32{2}, IsrNodes: []int32{}, ErrorCode: 5},
			}},
			{Name: &bad, ErrorCode: 3},
		},
	}}
}

func TestTextListingLooksLikeKcat(t *testing.T) {
	var b bytes.Buffer
	if err := printMetadataText(&b, sampleMetadata(), ""); err != nil {
		t.Fatal(err)
	}
	want := `Metadata for all topics (from broker 1: 127.0.0.1:9092/1):
 2 brokers:
  broker 1 at 127.0.0.1:9092
  broker 2 at 127.0.0.1:9192 (controller)
 2 topics:
  topic "orders" with 2 partitions:
    partition 0, leader 1, replicas: 1,2, isrs: 1,2
    partition 1, leader -1, replicas: 2, isrs: , Broker: LEADER_NOT_AVAILABLE
  topic "gone" with 0 partitions: Broker: UNKNOWN_TOPIC_OR_PARTITION
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestJSONListingLooksLikeKcat(t *testing.T) {
	var b bytes.Buffer
	if err := printMetadataJSON(&b, sampleMetadata(), "orders"); err != nil {
		t.Fatal(err)
	}
	want := `{"originating_broker":{"id":1,"name":"127.0.0.1:9092/1"},"query":{"topic":"orders"},"controllerid":2,` +
		`"brokers":[{"id":1,"name":"127.0.0.1:9092"},{"id":2,"name":"127.0.0.1:9192"}],` +
		`"topics":[{"topic":"orders","partitions":[{"partition":0,"leader":1,"replicas":[{"id":1},{"id":2}],"isrs":[{"id":1},{"id":2}]},` +
		`{"partition":1,"error":"Broker: LEADER_NOT_AVAILABLE","leader":-1,"replicas":[{"id":2}],"isrs":[]}]},` +
		`{"topic":"gone","error":"Broker: UNKNOWN_TOPIC_OR_PARTITION","partitions":[]}]}` + "\n"
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestDeadBrokerIsAnErrorNotAnIdleTopic: consuming from a broker that is not
// there ends after -m with one error line and exit 1; with -d the attempts
// are logged first.
func TestDeadBrokerIsAnErrorNotAnIdleTopic(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, args := range [][]string{
		{"-b", addr, "-t", "t", "-q", "-m", "1"},
		{"-b", addr, "-t", "t", "-p", "0", "-q", "-m", "1", "-d", "broker"},
	} {
		code, out, errOut := runCmd(t, args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		last := lines[len(lines)-1]
		if code != exitError || out != "" || !strings.HasPrefix(last, "% ERROR: Failed to query metadata for topic t: ") ||
			!strings.Contains(last, addr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and an error naming %s", args, code, out, errOut, addr)
		}
		if debug := slices.Contains(args, "-d"); debug != (len(lines) > 1) || debug && !strings.Contains(errOut, "level=") {
			t.Errorf("%q: stderr %q: want log lines only with -d", args, errOut)
		}
	}
}

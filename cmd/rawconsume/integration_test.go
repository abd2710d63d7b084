package main

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/internal/kafkatest"
)

// withoutController drops kcat's " (controller)" marks: in KRaft mode every
// Metadata response names a random live broker as the controller, so two
// clients asking one after the other may disagree.
func withoutController(s string) string { return strings.ReplaceAll(s, " (controller)", "") }

// kcat runs kcat (librdkafka) with args and returns its stdout.
func kcat(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("kcat", args...).Output()
	if err != nil {
		t.Fatalf("kcat %q: %v", args, err)
	}
	return string(out)
}

func TestIntegrationListMatchesKcat(t *testing.T) {
	env := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 3, 1)
	boot := strings.Split(env.Bootstrap, ",")[0]

	code, got, errOut := runCmd(t, "-L", "-b", boot, "-t", topic)
	if code != exitOK {
		t.Fatalf("rawconsume -L: exit %d: %s", code, errOut)
	}
	want := kcat(t, "-L", "-b", boot, "-t", topic)
	if withoutController(got) != withoutController(want) {
		t.Fatalf("rawconsume -L differs from kcat -L\nrawconsume:\n%s\nkcat:\n%s", got, want)
	}
	if !strings.Contains(got, `topic "`+topic+`" with 3 partitions:`) {
		t.Fatalf("topic missing from listing:\n%s", got)
	}

	code, gotJSON, errOut := runCmd(t, "-L", "-J", "-b", boot, "-t", topic)
	if code != exitOK {
		t.Fatalf("rawconsume -L -J: exit %d: %s", code, errOut)
	}
	var g, w map[string]any
	if err := json.Unmarshal([]byte(gotJSON), &g); err != nil {
		t.Fatalf("rawconsume -L -J is not JSON: %v\n%s", err, gotJSON)
	}
	if err := json.Unmarshal([]byte(kcat(t, "-L", "-J", "-b", boot, "-t", topic)), &w); err != nil {
		t.Fatal(err)
	}
	delete(g, "controllerid")
	delete(w, "controllerid")
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("rawconsume -L -J differs from kcat -L -J\nrawconsume: %v\nkcat:       %v", g, w)
	}
}

func TestIntegrationListOverSASLAndTLS(t *testing.T) {
	env := kafkatest.Get(t)
	topic := kafkatest.CreateTopic(t, "", 1, 1)
	sasl := strings.Split(env.SASLBootstrap, ",")[0]
	ssl := strings.Split(env.SSLBootstrap, ",")[0]
	cases := []struct {
		name string
		args []string
	}{
		{"PLAIN", []string{"-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN",
			"-X", "sasl.username=" + env.Plain.User, "-X", "sasl.password=" + env.Plain.Password}},
		{"SCRAM-SHA-256", []string{"-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256",
			"-X", "sasl.username=" + env.Scram256.User, "-X", "sasl.password=" + env.Scram256.Password}},
		{"SCRAM-SHA-512", []string{"-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512",
			"-X", "sasl.username=" + env.Scram512.User, "-X", "sasl.password=" + env.Scram512.Password}},
		{"SSL", []string{"-b", ssl, "-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + env.CAFile}},
		// librdkafka's spellings, as kcat users carry them.
		{"SSL, no hostname check", []string{"-b", ssl, "-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + env.CAFile,
			"-X", "ssl.endpoint.identification.algorithm=none"}},
		{"SSL, no verification", []string{"-b", ssl, "-X", "security.protocol=ssl", "-X", "enable.ssl.certificate.verification=false"}},
	}
	for _, c := range cases {
		code, out, errOut := runCmd(t, append([]string{"-L", "-t", topic}, c.args...)...)
		if code != exitOK || !strings.Contains(out, `topic "`+topic+`" with 1 partitions:`) {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", c.name, code, out, errOut)
		}
	}

	if code, _, errOut := runCmd(t, "-L", "-b", ssl, "-X", "security.protocol=ssl"); code != exitError || !strings.Contains(errOut, "certificate") {
		t.Errorf("SSL without the CA: exit %d, stderr %q; want the certificate refused", code, errOut)
	}

	code, out, errOut := runCmd(t, "-L", "-b", sasl, "-X", "security.protocol=SASL_PLAINTEXT",
		"-X", "sasl.mechanism=SCRAM-SHA-256", "-X", "sasl.username="+env.Scram256.User, "-X", "sasl.password=wrong")
	if code != exitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(strings.ToLower(errOut), "authentication") {
		t.Errorf("wrong password: exit %d, stdout %q, stderr %q; want exit 1 and one line about authentication", code, out, errOut)
	}
}

// Package kafkatest gives integration tests a real Kafka broker: its
// addresses (plaintext, SASL, TLS), credentials and CA, unique topic names,
// topic creation and record production.
//
// The broker comes from the environment (RAWKAFKA_BROKERS, or the exports of
// `scripts/kafka env`: RAWKAFKA_BOOTSTRAP, RAWKAFKA_SASL_BOOTSTRAP, ...) or,
// when none is given, from running `scripts/kafka start` at the repository
// root (it is idempotent and leaves the broker running for the next test
// run). When no broker can be had, tests fail if CI=true and skip otherwise,
// saying why.
package kafkatest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials is a SASL user.
type Credentials struct {
	User, Password string
}

// Env describes the broker tests run against. Addresses are host:port lists
// separated by commas; an empty address means that listener is unknown.
type Env struct {
	Bootstrap     string // PLAINTEXT
	SASLBootstrap string // SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
	SSLBootstrap  string // SSL
	CAFile        string // PEM CA of the SSL listener's certificate
	ClientCert    string // PEM client certificate (optional for the broker)
	ClientKey     string
	Plain         Credentials
	Scram256      Credentials
	Scram512      Credentials
	KafkaVersion  string // e.g. "4.1.1", when known
}

var (
	envOnce sync.Once
	env     *Env
	envErr  error
)

// unavailable fails the test in CI and skips it elsewhere.
func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("kafkatest: no Kafka broker (CI=true, so this fails): %s", why)
	}
	t.Skipf("kafkatest: no Kafka broker, skipping: %s (set RAWKAFKA_BROKERS or make scripts/kafka start work; with CI=true this fails)", why)
}

// Get returns the broker environment, starting the broker if needed.
func Get(t testing.TB) *Env {
	t.Helper()
	envOnce.Do(func() { env, envErr = load() })
	if envErr != nil {
		unavailable(t, envErr.Error())
	}
	return env
}

// Brokers returns the plaintext bootstrap address.
func Brokers(t testing.TB) string {
	t.Helper()
	return Get(t).Bootstrap
}

// SASLBrokers returns the SASL_PLAINTEXT bootstrap address.
func SASLBrokers(t testing.TB) string {
	t.Helper()
	e := Get(t)
	if e.SASLBootstrap == "" {
		unavailable(t, "the SASL listener's address is unknown (set RAWKAFKA_SASL_BOOTSTRAP)")
	}
	return e.SASLBootstrap
}

// TLSBrokers returns the SSL bootstrap address and a TLS config trusting the
// test CA.
func TLSBrokers(t testing.TB) (string, *tls.Config) {
	t.Helper()
	e := Get(t)
	if e.SSLBootstrap == "" || e.CAFile == "" {
		unavailable(t, "the SSL listener's address or CA is unknown (set RAWKAFKA_SSL_BOOTSTRAP and RAWKAFKA_SSL_CA)")
	}
	pem, err := os.ReadFile(e.CAFile)
	if err != nil {
		t.Fatalf("kafkatest: CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("kafkatest: no certificate in %s", e.CAFile)
	}
	return e.SSLBootstrap, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func load() (*Env, error) {
	e := fromEnviron(os.Getenv)
	if e.Bootstrap != "" {
		if e.SASLBootstrap == "" || e.SSLBootstrap == "" {
			// Fill the other listeners from the script when it runs this very broker.
			if se, err := scriptEnv(); err == nil && se.Bootstrap == e.Bootstrap {
				return merge(e, se), nil
			}
		}
		return e, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	script := filepath.Join(root, "scripts", "kafka")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("RAWKAFKA_BROKERS is not set and %s does not exist", script)
	}
	if _, err := start(script); err != nil {
		return nil, err
	}
	se, err := scriptEnv()
	if err != nil {
		return nil, err
	}
	return se, nil
}

func fromEnviron(get func(string) string) *Env {
	e := &Env{
		Bootstrap:     firstOf(get("RAWKAFKA_BROKERS"), get("RAWKAFKA_BOOTSTRAP")),
		SASLBootstrap: get("RAWKAFKA_SASL_BOOTSTRAP"),
		SSLBootstrap:  get("RAWKAFKA_SSL_BOOTSTRAP"),
		CAFile:        get("RAWKAFKA_SSL_CA"),
		ClientCert:    get("RAWKAFKA_SSL_CLIENT_CERT"),
		ClientKey:     get("RAWKAFKA_SSL_CLIENT_KEY"),
		Plain:         Credentials{firstOf(get("RAWKAFKA_PLAIN_USER"), "alice"), firstOf(get("RAWKAFKA_PLAIN_PASSWORD"), "alice-secret")},
		Scram256:      Credentials{firstOf(get("RAWKAFKA_SCRAM256_USER"), "scram256"), firstOf(get("RAWKAFKA_SCRAM256_PASSWORD"), "scram256-secret")},
		Scram512:      Credentials{firstOf(get("RAWKAFKA_SCRAM512_USER"), "scram512"), firstOf(get("RAWKAFKA_SCRAM512_PASSWORD"), "scram512-secret")},
		KafkaVersion:  get("RAWKAFKA_KAFKA_VERSION"),
	}
	return e
}

func merge(e, se *Env) *Env {
	out := *e
	if out.SASLBootstrap == "" {
		out.SASLBootstrap, out.Plain, out.Scram256, out.Scram512 = se.SASLBootstrap, se.Plain, se.Scram256, se.Scram512
	}
	if out.SSLBootstrap == "" {
		out.SSLBootstrap, out.CAFile, out.ClientCert, out.ClientKey = se.SSLBootstrap, se.CAFile, se.ClientCert, se.ClientKey
	}
	if out.KafkaVersion == "" {
		out.KafkaVersion = se.KafkaVersion
	}
	return &out
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// RepoRoot finds the repository root by walking up from the working
// directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// start runs `scripts/kafka start` (serialised across test processes with a
// lock file, since go test runs packages in parallel) and returns the
// bootstrap address it prints.
func start(script string) (string, error) {
	unlock, err := lockFile(filepath.Join(os.TempDir(), "rawkafka-kafka-start.lock"))
	if err == nil {
		defer unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, script, "start")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s start: %v: %s", script, err, lastLines(stderr.String(), 5))
	}
	addr := strings.TrimSpace(lastLines(stdout.String(), 1))
	if addr == "" {
		return "", fmt.Errorf("%s start printed no bootstrap address", script)
	}
	return addr, nil
}

// scriptEnv parses `scripts/kafka env`.
func scriptEnv() (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "scripts", "kafka"), "env")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("scripts/kafka env: %v: %s", err, lastLines(stderr.String(), 3))
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		for _, f := range strings.Fields(line) {
			if k, v, ok := strings.Cut(f, "="); ok {
				vars[k] = strings.Trim(v, `"'`)
			}
		}
	}
	e := fromEnviron(func(k string) string { return vars[k] })
	if e.Bootstrap == "" {
		return nil, errors.New("scripts/kafka env printed no RAWKAFKA_BOOTSTRAP")
	}
	return e, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Poll checks cond every 20 ms until it holds (true) or timeout has passed
// (false), for tests that wait on a condition under a deadline and report
// the timeout themselves, with what they know.
func Poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
	return true
}

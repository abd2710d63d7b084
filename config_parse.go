package rawkafka

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka/fetch"
)

// secretKeys are the properties whose values errors never show.
var secretKeys = map[string]bool{
	"sasl.password":           true,
	"sasl.jaas.config":        true,
	"ssl.truststore.password": true,
	"ssl.keystore.password":   true,
	"ssl.key.password":        true,
}

// ParseConfig builds a Config from Java-style properties, such as
// {"bootstrap.servers": "localhost:9092", "fetch.max.bytes": "1048576"},
// starting from DefaultConfig. It checks the result as New does. An
// unknown key or an invalid value is a *ConfigError naming the key; several
// are joined (errors.Join), sorted by key.
//
// Known keys: bootstrap.servers, client.id, group.id, enable.auto.commit,
// auto.commit.interval.ms, client.rack, group.instance.id,
// session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms,
// partition.assignment.strategy, group.protocol,
// internal.leave.group.on.close, security.protocol, sasl.mechanism,
// sasl.username, sasl.password, sasl.jaas.config (PLAIN and SCRAM login
// modules), ssl.ca.location, ssl.truststore.location, ssl.truststore.type
// (PEM only), ssl.keystore.location and ssl.keystore.type (PEM only),
// ssl.certificate.location, ssl.key.location,
// ssl.endpoint.identification.algorithm, fetch.min.bytes,
// fetch.max.bytes, max.partition.fetch.bytes, fetch.max.wait.ms,
// max.poll.records, isolation.level, auto.offset.reset, check.crcs,
// enable.fetch.sessions, fetch.buffer.max.bytes, request.timeout.ms,
// metadata.max.age.ms, retry.backoff.ms, retry.backoff.max.ms,
// reconnect.backoff.ms, reconnect.backoff.max.ms,
// socket.connection.setup.timeout.ms, connections.max.idle.ms.
func ParseConfig(props map[string]string) (Config, error) {
	c := DefaultConfig()
	var errs []*ConfigError
	bad := func(key, why string) {
		v := props[key]
		if secretKeys[key] {
			v = "(hidden)"
		}
		errs = append(errs, &ConfigError{Key: key, Value: v, Reason: why})
	}
	ms := map[string]msKey{}
	for _, k := range msKeys {
		ms[k.key] = k
	}
	ints := map[string]intKey{}
	for _, k := range intKeys {
		ints[k.key] = k
	}
	var trustType, keystore, keystoreType string
	for _, key := range slices.Sorted(maps.Keys(props)) {
		v := strings.TrimSpace(props[key])
		if k, ok := ms[key]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < math.MinInt64/int64(time.Millisecond) || n > math.MaxInt64/int64(time.Millisecond) {
				bad(key, k.want())
				continue
			}
			*k.field(&c) = time.Duration(n) * time.Millisecond
			continue
		}
		if k, ok := ints[key]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < k.lo || n > k.hi {
				bad(key, k.want())
				continue
			}
			k.set(&c, n)
			continue
		}
		switch key {
		case "bootstrap.servers":
			c.BootstrapServers = splitList(v)
			if len(c.BootstrapServers) == 0 {
				bad(key, "want host:port[,host:port...]")
			}
		case "client.id":
			c.ClientID = v
		case "group.id":
			c.GroupID = v
		case "enable.auto.commit":
			c.DisableAutoCommit = !parseBool(key, v, bad)
		case "client.rack":
			c.ClientRack = v
		case "group.instance.id":
			c.GroupInstanceID = v
		case "partition.assignment.strategy":
			c.PartitionAssignmentStrategy = nil
			for _, a := range splitList(v) {
				name, ok := assignors[a]
				if !ok {
					name = a // check names it
				}
				c.PartitionAssignmentStrategy = append(c.PartitionAssignmentStrategy, name)
			}
		case "group.protocol":
			c.GroupProtocol = strings.ToLower(v)
		case "internal.leave.group.on.close":
			c.LeaveGroupOnClose = parseBool(key, v, bad)
		case "connections.max.idle.ms":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < -1 || n == 0 || n > math.MaxInt64/int64(time.Millisecond) {
				bad(key, "want -1 (never close) or a positive number of milliseconds")
				continue
			}
			c.ConnectionsMaxIdle = time.Duration(n) * time.Millisecond
		case "security.protocol":
			c.SecurityProtocol = strings.ToUpper(v)
		case "sasl.mechanism":
			c.SASLMechanism = strings.ToUpper(v)
		case "sasl.username":
			c.SASLUsername = v
		case "sasl.password":
			c.SASLPassword = props[key] // passwords keep their spaces
		case "sasl.jaas.config":
			user, pass, err := parseJAAS(props[key])
			if err != nil {
				bad(key, err.Error())
				continue
			}
			if _, ok := props["sasl.username"]; !ok {
				c.SASLUsername = user
			}
			if _, ok := props["sasl.password"]; !ok {
				c.SASLPassword = pass
			}
		case "ssl.ca.location", "ssl.truststore.location":
			if _, both := props["ssl.ca.location"]; both && key == "ssl.truststore.location" {
				bad(key, "give ssl.ca.location or ssl.truststore.location, not both")
				continue
			}
			c.SSLCALocation, c.sslCAKey = v, key
		case "ssl.truststore.type":
			trustType = strings.ToUpper(v)
			if trustType != "PEM" {
				bad(key, "not supported: "+convertTrustStore)
			}
		case "ssl.keystore.location":
			keystore = v
		case "ssl.keystore.type":
			keystoreType = strings.ToUpper(v)
		case "ssl.truststore.password", "ssl.keystore.password", "ssl.key.password":
			bad(key, "not supported: rawkafka reads PEM stores and keys without passwords "+
				"(decrypt the key with openssl pkcs8 -in key.pem -out key-plain.pem)")
		case "ssl.certificate.location":
			c.SSLCertificateLocation = v
		case "ssl.key.location":
			c.SSLKeyLocation = v
		case "ssl.endpoint.identification.algorithm":
			switch strings.ToLower(v) {
			case "":
				c.SSLSkipHostnameVerification = true
			case "https":
			default:
				bad(key, `want "https" or ""`)
			}
		case "isolation.level":
			l, err := fetch.ParseIsolationLevel(v)
			if err != nil {
				bad(key, "want read_uncommitted or read_committed")
			}
			c.IsolationLevel = l
		case "auto.offset.reset":
			s, err := fetch.ParseReset(v)
			if err != nil {
				bad(key, "want earliest, latest, none or by_duration:PnDTnHnMnS")
			}
			c.AutoOffsetReset = s
		case "check.crcs":
			c.SkipCRCCheck = !parseBool(key, v, bad)
		case "enable.fetch.sessions":
			c.DisableFetchSessions = !parseBool(key, v, bad)
		default:
			errs = append(errs, &ConfigError{Key: key, Reason: "unknown property"})
		}
	}
	if keystore != "" || keystoreType != "" {
		// A PEM key store holds the certificate and the key in one file.
		switch {
		case keystoreType != "PEM":
			errs = append(errs, &ConfigError{Key: "ssl.keystore.type", Value: props["ssl.keystore.type"],
				Reason: "only PEM key stores are supported: convert with openssl pkcs12 -in keystore.p12 -nodes -out client.pem " +
					"and give ssl.keystore.location=client.pem with ssl.keystore.type=PEM (or ssl.certificate.location and ssl.key.location)"})
		case keystore == "":
			errs = append(errs, &ConfigError{Key: "ssl.keystore.location", Reason: "required with ssl.keystore.type"})
		case c.SSLCertificateLocation != "" || c.SSLKeyLocation != "":
			errs = append(errs, &ConfigError{Key: "ssl.keystore.location", Value: keystore,
				Reason: "give ssl.keystore.location or ssl.certificate.location and ssl.key.location, not both"})
		default:
			c.SSLCertificateLocation, c.SSLKeyLocation = keystore, keystore
		}
	}
	errs = append(errs, c.check()...)
	if err := joinConfigErrors(errs); err != nil {
		return Config{}, err
	}
	return c, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func parseBool(key, v string, bad func(key, why string)) bool {
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	bad(key, "want true or false")
	return false
}

// parseJAAS reads the username and password of a PLAIN or SCRAM login
// module line, e.g.
// org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";
func parseJAAS(s string) (user, pass string, err error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ";")
	module, rest, _ := strings.Cut(s, " ")
	switch module {
	case "org.apache.kafka.common.security.plain.PlainLoginModule",
		"org.apache.kafka.common.security.scram.ScramLoginModule":
	default:
		return "", "", fmt.Errorf("login module %q: want PlainLoginModule or ScramLoginModule", module)
	}
	rest = strings.TrimSpace(rest)
	flag, rest, _ := strings.Cut(rest, " ")
	switch flag {
	case "required", "requisite", "sufficient", "optional":
	default:
		return "", "", fmt.Errorf("want a control flag (required) after the module, got %q", flag)
	}
	opts := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		k, r, ok := strings.Cut(rest, "=")
		if !ok {
			return "", "", errors.New("an option has no value") // not quoted: it may be the password
		}
		k = strings.TrimSpace(k)
		r = strings.TrimLeft(r, " ")
		var val string
		if strings.HasPrefix(r, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(r) && r[i] != '"'; i++ {
				if r[i] == '\\' && i+1 < len(r) {
					i++
				}
				b.WriteByte(r[i])
			}
			if i >= len(r) {
				return "", "", fmt.Errorf("option %s: unterminated quote", k)
			}
			val, rest = b.String(), r[i+1:]
		} else {
			val, rest, _ = strings.Cut(r, " ")
		}
		opts[k] = val
	}
	user, uok := opts["username"]
	pass, pok := opts["password"]
	if !uok || !pok {
		return "", "", errors.New("want username=\"...\" and password=\"...\"")
	}
	return user, pass, nil
}

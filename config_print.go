package rawkafka

import (
	"fmt"
	"log/slog"
	"strings"
)

// redacted stands for a secret when a Config is printed.
const redacted = "[redacted]"

// printedConfig is Config without its methods, for printing a redacted copy.
type printedConfig Config

// redact returns c with its secrets replaced.
func (c Config) redact() printedConfig {
	if c.SASLPassword != "" {
		c.SASLPassword = redacted
	}
	return printedConfig(c)
}

// Format prints c as fmt would print the struct, with SASLPassword shown as
// "[redacted]", for every verb (%v, %+v, %#v, %s, ...).
func (c Config) Format(f fmt.State, verb rune) {
	p := c.redact()
	s := fmt.Sprintf(fmt.FormatString(f, verb), p)
	if verb == 'v' && f.Flag('#') {
		s = strings.Replace(s, "rawkafka.printedConfig{", "rawkafka.Config{", 1)
	}
	fmt.Fprint(f, s)
}

// String returns c as %+v prints it, SASLPassword redacted.
func (c Config) String() string { return fmt.Sprintf("%+v", c) }

// GoString returns c as %#v prints it, SASLPassword redacted.
func (c Config) GoString() string { return fmt.Sprintf("%#v", c) }

// LogValue makes slog log c with SASLPassword redacted: the settings that
// say where and how the consumer connects and fetches, by Java name.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("bootstrap.servers", strings.Join(c.BootstrapServers, ",")),
		slog.String("client.id", c.ClientID),
		slog.String("group.id", c.GroupID),
		slog.String("security.protocol", c.SecurityProtocol),
		slog.String("sasl.mechanism", c.SASLMechanism),
		slog.String("sasl.username", c.SASLUsername),
	}
	if c.SASLPassword != "" {
		attrs = append(attrs, slog.String("sasl.password", redacted))
	}
	attrs = append(attrs,
		slog.String("ssl.ca.location", c.SSLCALocation),
		slog.Int("fetch.min.bytes", int(c.FetchMinBytes)),
		slog.Int("fetch.max.bytes", int(c.FetchMaxBytes)),
		slog.Int("max.partition.fetch.bytes", int(c.MaxPartitionFetchBytes)),
		slog.Duration("fetch.max.wait", c.FetchMaxWait),
		slog.Int("max.poll.records", c.MaxPollRecords),
		slog.String("isolation.level", c.IsolationLevel.String()),
		slog.String("auto.offset.reset", c.AutoOffsetReset.String()),
		slog.Duration("request.timeout", c.RequestTimeout),
		slog.Duration("metadata.max.age", c.MetadataMaxAge),
	)
	return slog.GroupValue(attrs...)
}

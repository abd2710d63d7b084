package record_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
	"github.com/rawkafka/rawkafka/protocol/record"
)

const fixturesDir = "../../testdata/fixtures"

// fetchFixture decodes a captured Fetch response frame at version v.
func fetchFixture(t *testing.T, name string, v int16) *protocol.FetchResponse {
	t.Helper()
	frame, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	_, body, err := protocol.ParseResponseHeader(frame[4:], protocol.KeyFetch, v)
	if err != nil {
		t.Fatal(err)
	}
	m := &protocol.FetchResponse{Version: v}
	if err := m.Decode(body); err != nil {
		t.Fatal(err)
	}
	return m
}

// describe lists the batches and records of one partition's records bytes
// as lines, and whether they ended in a partial batch.
func describe(t *testing.T, records []byte, opts record.Options) (lines []string, truncated bool) {
	t.Helper()
	var d record.Decoder
	d.Reset(records, opts)
	for d.NextBatch() {
		b := d.Batch()
		lines = append(lines, fmt.Sprintf("batch magic=%d codec=%s offsets=%d-%d n=%d", b.Magic, b.Codec(), b.BaseOffset, b.LastOffset, b.NumRecords))
		for d.NextRecord() {
			r := d.Record()
			line := fmt.Sprintf("  %d %s=%s", r.Offset, r.Key, r.Value)
			for _, h := range r.Headers {
				line += fmt.Sprintf(" [%s:%s]", h.Key, h.Value)
			}
			lines = append(lines, line)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("decoding:\n%s\nerror: %v", strings.Join(lines, "\n"), err)
	}
	return lines, d.Truncated()
}

// The fixtures hold what internal/capture produced with kcat: three records
// key-<p>-<i>:value-<p>-<i> with header origin=rawkafka-fixtures in each
// partition, then a gzip batch of two more into partition 0.
func wantFixtureRecords(p int32, headers bool) []string {
	n := 3
	if p == 0 {
		n = 5
	}
	var lines []string
	for i := 0; i < n; i++ {
		line := fmt.Sprintf("  %d key-%d-%d=value-%d-%d", i, p, i, p, i)
		if headers {
			line += " [origin:rawkafka-fixtures]"
		}
		lines = append(lines, line)
	}
	return lines
}

func recordLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "  ") {
			out = append(out, l)
		}
	}
	return out
}

// Kafka 3.9.1 down-converts to magic 0 for Fetch v0, and pads every
// partition's records with a message header at offset -1 whose size runs
// past the end: a truncated tail, not an error.
func TestFixtureFetchV0DownConverted(t *testing.T) {
	m := fetchFixture(t, "kafka-3.9.1/Fetch-v0-response.bin", 0)
	if len(m.Responses) != 1 || len(m.Responses[0].Partitions) != 3 {
		t.Fatalf("fixture has %d topics", len(m.Responses))
	}
	for _, p := range m.Responses[0].Partitions {
		lines, truncated := describe(t, p.Records, record.Options{})
		t.Logf("partition %d:\n%s", p.PartitionIndex, strings.Join(lines, "\n"))
		if !truncated {
			t.Errorf("partition %d: padding not seen as a partial message", p.PartitionIndex)
		}
		if got, want := strings.Join(recordLines(lines), "\n"), strings.Join(wantFixtureRecords(p.PartitionIndex, false), "\n"); got != want {
			t.Errorf("partition %d records:\n%s\nwant\n%s", p.PartitionIndex, got, want)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "batch") && !strings.HasPrefix(l, "batch magic=0") {
				t.Errorf("partition %d: %s, want magic 0", p.PartitionIndex, l)
			}
		}
		if p.PartitionIndex == 0 && !strings.Contains(strings.Join(lines, "\n"), "batch magic=0 codec=gzip offsets=3-4 n=2") {
			t.Errorf("partition 0: no gzip wrapper of offsets 3-4")
		}
	}
}

// Magic 2 batches as Kafka 3.9.1 and 4.1.1 serve them.
func TestFixtureFetchV2(t *testing.T) {
	for _, fx := range []struct {
		name string
		v    int16
	}{{"kafka-3.9.1/Fetch-v17-response.bin", 17}, {"kafka-4.1.1/Fetch-v4-response.bin", 4}, {"kafka-4.1.1/Fetch-v18-response.bin", 18}} {
		m := fetchFixture(t, fx.name, fx.v)
		for _, p := range m.Responses[0].Partitions {
			lines, truncated := describe(t, p.Records, record.Options{})
			t.Logf("%s partition %d:\n%s", fx.name, p.PartitionIndex, strings.Join(lines, "\n"))
			if truncated {
				t.Errorf("%s partition %d: truncated", fx.name, p.PartitionIndex)
			}
			if got, want := strings.Join(recordLines(lines), "\n"), strings.Join(wantFixtureRecords(p.PartitionIndex, true), "\n"); got != want {
				t.Errorf("%s partition %d records:\n%s\nwant\n%s", fx.name, p.PartitionIndex, got, want)
			}
		}
	}
}

package record_test

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"testing"

	"github.com/rawkafka/rawkafka/protocol/record"
)

// decoded is a batch with copies of its records.
type decoded struct {
	batch   record.Batch
	records []record.Record
}

// decodeAll decodes every batch and record of b, copying the records, and
// fails the test on an error.
func decodeAll(t testing.TB, b []byte, opts record.Options) []decoded {
	t.Helper()
	out, err, _ := tryDecodeAll(b, opts)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return out
}

// tryDecodeAll decodes every batch and record of b, copying the records.
func tryDecodeAll(b []byte, opts record.Options) (out []decoded, err error, truncated bool) {
	var d record.Decoder
	d.Reset(b, opts)
	for d.NextBatch() {
		x := decoded{batch: *d.Batch()}
		for d.NextRecord() {
			x.records = append(x.records, copyRecord(d.Record()))
		}
		out = append(out, x)
	}
	return out, d.Err(), d.Truncated()
}

func copyBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

func copyRecord(r *record.Record) record.Record {
	c := record.Record{Offset: r.Offset, Timestamp: r.Timestamp, Key: copyBytes(r.Key), Value: copyBytes(r.Value)}
	for _, h := range r.Headers {
		c.Headers = append(c.Headers, record.Header{Key: copyBytes(h.Key), Value: copyBytes(h.Value)})
	}
	return c
}

func crc32c(b []byte) uint32    { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }
func crc32ieee(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

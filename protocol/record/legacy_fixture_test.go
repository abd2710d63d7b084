package record

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The files in testdata/record/legacy were written by an independent
// implementation, kafka-clients 3.9.1's MemoryRecordsBuilder, and
// manifest.json says what the Java client reads back from each: every batch
// and every record. See testdata/record/legacy/README.md.
type legacyManifest struct {
	KafkaClientsVersion string `json:"kafka_clients_version"`
	Files               []struct {
		File    string `json:"file"`
		Batches []struct {
			BaseOffset           int64  `json:"base_offset"`
			LastOffset           int64  `json:"last_offset"`
			Magic                int8   `json:"magic"`
			Codec                string `json:"codec"`
			TimestampType        string `json:"timestamp_type"`
			MaxTimestamp         int64  `json:"max_timestamp"`
			PartitionLeaderEpoch int32  `json:"partition_leader_epoch"`
			ProducerID           int64  `json:"producer_id"`
			ProducerEpoch        int16  `json:"producer_epoch"`
			BaseSequence         int32  `json:"base_sequence"`
			Transactional        bool   `json:"transactional"`
			Control              bool   `json:"control"`
			Count                int    `json:"count"`
		} `json:"batches"`
		Records []struct {
			Offset    int64   `json:"offset"`
			Timestamp int64   `json:"timestamp"`
			Key       *string `json:"key"`   // base64, null for a null key
			Value     *string `json:"value"` // base64, null for a null value
			Headers   []struct {
				Key   string  `json:"key"`
				Value *string `json:"value"`
			} `json:"headers"`
		} `json:"records"`
	} `json:"files"`
}

func unbase64(t *testing.T, s *string) []byte {
	t.Helper()
	if s == nil {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJavaBuiltRecordsDecodeAsJavaReadsThem(t *testing.T) {
	dir := "../../testdata/record/legacy"
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m legacyManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Files) < 20 {
		t.Fatalf("manifest lists %d files, want the 20+ the generator writes", len(m.Files))
	}
	for _, f := range m.Files {
		t.Run(f.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			var d Decoder
			d.Reset(data, Options{})
			bi, ri := 0, 0
			for d.NextBatch() {
				b := d.Batch()
				if bi >= len(f.Batches) {
					t.Fatalf("more batches than the %d Java read", len(f.Batches))
				}
				want := f.Batches[bi]
				got := fmt.Sprintf("offsets %d-%d magic %d codec %s epoch %d producer %d/%d seq %d txn %v control %v logappend %v",
					b.BaseOffset, b.LastOffset, b.Magic, b.Codec(), b.PartitionLeaderEpoch, b.ProducerID, b.ProducerEpoch,
					b.BaseSequence, b.Transactional(), b.Control(), b.LogAppendTime())
				wantS := fmt.Sprintf("offsets %d-%d magic %d codec %s epoch %d producer %d/%d seq %d txn %v control %v logappend %v",
					want.BaseOffset, want.LastOffset, want.Magic, want.Codec, want.PartitionLeaderEpoch, want.ProducerID,
					want.ProducerEpoch, want.BaseSequence, want.Transactional, want.Control, want.TimestampType == "LogAppendTime")
				if got != wantS {
					t.Errorf("batch %d:\n got %s\nwant %s", bi, got, wantS)
				}
				n := 0
				for d.NextRecord() {
					r := d.Record()
					n++
					if ri >= len(f.Records) {
						t.Fatalf("more records than the %d Java read", len(f.Records))
					}
					w := f.Records[ri]
					ri++
					if r.Offset != w.Offset || r.Timestamp != w.Timestamp {
						t.Errorf("record %d: offset %d ts %d, want offset %d ts %d", ri-1, r.Offset, r.Timestamp, w.Offset, w.Timestamp)
					}
					if k := unbase64(t, w.Key); !bytes.Equal(r.Key, k) || (r.Key == nil) != (k == nil) {
						t.Errorf("record at %d: key %q, want %q", r.Offset, r.Key, k)
					}
					if v := unbase64(t, w.Value); !bytes.Equal(r.Value, v) || (r.Value == nil) != (v == nil) {
						t.Errorf("record at %d: value %q, want %q", r.Offset, r.Value, v)
					}
					if len(r.Headers) != len(w.Headers) {
						t.Errorf("record at %d: %d headers, want %d", r.Offset, len(r.Headers), len(w.Headers))
						continue
					}
					for i, h := range w.Headers {
						hv := unbase64(t, h.Value)
						if string(r.Headers[i].Key) != h.Key || !bytes.Equal(r.Headers[i].Value, hv) || (r.Headers[i].Value == nil) != (hv == nil) {
							t.Errorf("record at %d header %d: %q=%q, want %q=%q", r.Offset, i, r.Headers[i].Key, r.Headers[i].Value, h.Key, hv)
						}
					}
				}
				if n != want.Count {
					t.Errorf("batch %d: %d records, want %d", bi, n, want.Count)
				}
				bi++
			}
			if err := d.Err(); err != nil || d.Truncated() {
				t.Fatalf("decoder: err %v, truncated %v", err, d.Truncated())
			}
			if bi != len(f.Batches) || ri != len(f.Records) {
				t.Fatalf("read %d batches and %d records, Java read %d and %d", bi, ri, len(f.Batches), len(f.Records))
			}
		})
	}
}

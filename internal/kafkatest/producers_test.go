package kafkatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

func TestYajlString(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []byte
	}{
		{`null`, nil},
		{`""`, []byte{}},
		{`"abc"`, []byte("abc")},
		{`"a\"b\\c\/d\b\f\n\r\t"`, []byte("a\"b\\c/d\b\f\n\r\t")},
		{`"\u0000\u001f\u00e9"`, []byte("\x00\x1fé")},
		{`"\ud83d\ude00"`, []byte("😀")},
		{"\"\x00\xff\xfe raw\"", []byte("\x00\xff\xfe raw")}, // yajl passes non-UTF-8 bytes through
	} {
		got, err := yajlString(json.RawMessage(tc.raw))
		if err != nil || !bytes.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("yajlString(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
	for _, bad := range []string{`"\`, `"\x"`, `"\u12"`, `12`} {
		if _, err := yajlString(json.RawMessage(bad)); err == nil {
			t.Errorf("yajlString(%q) accepted", bad)
		}
	}
}

func TestParseExpected(t *testing.T) {
	out := []byte(`{"partition":1,"offset":7,"key":null,"value":"","headers":[{"key":"h","value":null},{"key":"e","value":""},{"key":"v","value":"AP8="}],"timestamp":12,"transactional":true,"committed":false,"producer":"txn-a"}
{"partition":1,"offset":9,"key":"aw==","value":null,"headers":[],"timestamp":13,"transactional":false,"committed":true,"producer":"plain"}
`)
	got, err := parseExpected(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []ExpectedRecord{
		{Partition: 1, Offset: 7, Value: []byte{}, Headers: []Header{{"h", nil}, {"e", []byte{}}, {"v", []byte{0, 0xff}}},
			Timestamp: 12, Transactional: true, Producer: "txn-a"},
		{Partition: 1, Offset: 9, Key: []byte("k"), Timestamp: 13, Committed: true, Producer: "plain"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestParseKcatJSON(t *testing.T) {
	out := []byte("{\"topic\":\"t\",\"partition\":0,\"offset\":3,\"tstype\":\"create\",\"ts\":99,\"broker\":1,\"headers\":[\"a\",\"1\",\"n\",null],\"key\":null,\"payload\":\"x\\n\xff\"}\n" +
		"{\"topic\":\"t\",\"partition\":0,\"offset\":4,\"tstype\":\"create\",\"ts\":100,\"broker\":1,\"key\":\"\",\"payload\":null}\n")
	got, err := parseKcatJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []ExpectedRecord{
		{Offset: 3, Timestamp: 99, Headers: []Header{{"a", []byte("1")}, {"n", nil}}, Value: []byte("x\n\xff"), Committed: true},
		{Offset: 4, Timestamp: 100, Key: []byte{}, Committed: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

// sameRecords compares what a producer helper expects with what kcat reads
// back: offsets, timestamps, keys, values and headers (kcat knows nothing of
// transactions or of who wrote a record).
func sameRecords(t *testing.T, what string, got, want []ExpectedRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: kcat reads %d records, want %d", what, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Partition != w.Partition || g.Offset != w.Offset || g.Timestamp != w.Timestamp || !sameContent(g, w) {
			t.Errorf("%s: record %d:\n got %v\nwant %v", what, i, g, w)
		}
	}
}

// variety counts the kinds of records the helpers promise to write.
type variety struct{ nullKeys, emptyKeys, nullValues, emptyValues, noHeaders, nullHeaderValues, multiHeaders int }

func countVariety(recs []ExpectedRecord) variety {
	var v variety
	for _, r := range recs {
		switch {
		case r.Key == nil:
			v.nullKeys++
		case len(r.Key) == 0:
			v.emptyKeys++
		}
		switch {
		case r.Value == nil:
			v.nullValues++
		case len(r.Value) == 0:
			v.emptyValues++
		}
		if len(r.Headers) == 0 {
			v.noHeaders++
		}
		if len(r.Headers) > 1 {
			v.multiHeaders++
		}
		for _, h := range r.Headers {
			if h.Value == nil {
				v.nullHeaderValues++
			}
		}
	}
	return v
}

func checkOffsets(t *testing.T, recs []ExpectedRecord, partition int32, first int64) {
	t.Helper()
	for i, r := range recs {
		if r.Partition != partition || r.Offset != first+int64(i) {
			t.Fatalf("record %d: partition %d offset %d, want partition %d offset %d", i, r.Partition, r.Offset, partition, first+int64(i))
		}
	}
}

// javaCodecs are the codecs the Java producer tests use: every codec, or one
// with -short (a JVM run each).
func javaCodecs() []string {
	if testing.Short() {
		return []string{"zstd"}
	}
	return Codecs
}

func TestProduceJava(t *testing.T) {
	Get(t)
	for _, codec := range javaCodecs() {
		t.Run(codec, func(t *testing.T) {
			topic := CreateTopic(t, "", 2, 1)
			recs := ProduceJava(t, topic, 1, codec, 45)
			if len(recs) != 45 {
				t.Fatalf("%d records, want 45", len(recs))
			}
			checkOffsets(t, recs, 1, 0)
			v := countVariety(recs)
			if v.nullKeys == 0 || v.emptyKeys == 0 || v.nullValues == 0 || v.emptyValues == 0 || v.noHeaders == 0 || v.nullHeaderValues == 0 || v.multiHeaders == 0 {
				t.Errorf("records lack variety: %+v", v)
			}
			for _, r := range recs {
				if r.Transactional || !r.Committed || r.Producer != "plain" {
					t.Fatalf("plain record %v", r)
				}
			}
			if recs[5].Timestamp >= recs[4].Timestamp {
				t.Errorf("record 5 should be older than record 4: %v %v", recs[4], recs[5])
			}
			sameRecords(t, "partition 1", ConsumeKcat(t, topic, 1, false), recs)
			if got := ConsumeKcat(t, topic, 0, false); len(got) != 0 {
				t.Errorf("partition 0 holds %d records, want none", len(got))
			}
		})
	}
}

func TestProduceTransactions(t *testing.T) {
	topic := CreateTopic(t, "", 1, 1)
	recs := ProduceTransactions(t, topic, 0)
	kinds := map[string]int{}
	for i, r := range recs {
		kinds[fmt.Sprintf("%s transactional=%v committed=%v", r.Producer, r.Transactional, r.Committed)]++
		if i > 0 && r.Offset <= recs[i-1].Offset {
			t.Fatalf("records out of order: %v then %v", recs[i-1], r)
		}
	}
	want := map[string]int{
		"plain transactional=false committed=true": 5,
		"txn-a transactional=true committed=true":  5,
		"txn-a transactional=true committed=false": 5,
		"txn-b transactional=true committed=true":  1,
		"txn-b transactional=true committed=false": 3,
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("records by kind: %v\nwant %v", kinds, want)
	}
	// Markers take offsets: one per transaction, 6 in all; the last one may
	// land after the last record (the coordinator writes markers after
	// commit returns), so 5 or 6 of them lie between the records.
	if gaps := recs[len(recs)-1].Offset + 1 - int64(len(recs)); gaps != 5 && gaps != 6 {
		t.Errorf("%d offsets between the records are not records, want 5 or 6 (one per transaction)", gaps)
	}
	sameRecords(t, "read_uncommitted", ConsumeKcat(t, topic, 0, false), recs)
	sameRecords(t, "read_committed", ConsumeKcat(t, topic, 0, true), ReadCommitted(recs))
}

func TestProduceKcat(t *testing.T) {
	Get(t)
	for _, codec := range Codecs {
		t.Run(codec, func(t *testing.T) {
			topic := CreateTopic(t, "", 2, 1)
			recs := ProduceKcat(t, topic, 1, codec, 12)
			checkOffsets(t, recs, 1, 0)
			v := countVariety(recs)
			if v.nullKeys != 3 || v.nullValues != 2 || v.noHeaders != 4 || v.multiHeaders != 4 || v.nullHeaderValues != 4 {
				t.Errorf("records lack variety: %+v", v)
			}
			for _, r := range recs {
				if r.Timestamp <= 0 {
					t.Fatalf("no timestamp: %v", r)
				}
			}
			if codec == "none" {
				// A second run appends and learns its offsets from the end of the partition.
				more := ProduceKcat(t, topic, 1, codec, 3)
				checkOffsets(t, more, 1, 12)
			}
		})
	}
}

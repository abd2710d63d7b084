package record_test

import (
	"bytes"
	"hash/crc32"
	"reflect"
	"testing"

	"github.com/rawkafka/rawkafka/protocol/record"
)

// Golden bytes written by hand from the formats in KAFKA.md, not produced by
// AppendBatch: they catch field-order and varint mistakes that round trips
// through the same code cannot. The CRCs were computed outside Go (Python's
// zlib.crc32 and a bitwise CRC-32C) and are checked against hash/crc32 too.

const ts = 1_700_000_000_000 // 0x0000018bcfe56800

// goldenV2 is a batch of two records at offsets 100 and 101: the first with
// key "k", value "v1" and header h=x, the second 5 ms later with a null key
// and value.
var goldenV2 = []byte{
	0, 0, 0, 0, 0, 0, 0, 100, // base_offset 100
	0, 0, 0, 70, // batch_length: 49 header bytes after this field + 21 of records
	0, 0, 0, 5, // partition_leader_epoch 5
	2,                      // magic
	0x29, 0xd1, 0x61, 0xf1, // crc-32c of attributes..end
	0, 0, // attributes: no codec, CreateTime
	0, 0, 0, 1, // last_offset_delta 1
	0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // base_timestamp
	0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x05, // max_timestamp = base + 5
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producer_id -1
	0xff, 0xff, // producer_epoch -1
	0xff, 0xff, 0xff, 0xff, // base_sequence -1
	0, 0, 0, 2, // records_count 2
	// record 0
	0x1a,   // length 13 (zigzag 26)
	0,      // attributes
	0,      // timestamp_delta 0
	0,      // offset_delta 0
	2, 'k', // key: length 1
	4, 'v', '1', // value: length 2
	2,      // 1 header
	2, 'h', // header key "h"
	2, 'x', // header value "x"
	// record 1
	0x0c, // length 6
	0,    // attributes
	0x0a, // timestamp_delta 5
	2,    // offset_delta 1
	1,    // key null (-1)
	1,    // value null (-1)
	0,    // no headers
}

var goldenV2Batch = record.Batch{
	BaseOffset: 100, LastOffset: 101, PartitionLeaderEpoch: 5, Magic: 2,
	FirstTimestamp: ts, MaxTimestamp: ts + 5,
	ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, NumRecords: 2,
}

var goldenV2Records = []record.Record{
	{Offset: 100, Timestamp: ts, Key: []byte("k"), Value: []byte("v1"),
		Headers: []record.Header{{Key: []byte("h"), Value: []byte("x")}}},
	{Offset: 101, Timestamp: ts + 5},
}

// goldenV1 is one uncompressed magic 1 message at offset 7: key "k", value "v".
var goldenV1 = []byte{
	0, 0, 0, 0, 0, 0, 0, 7, // offset
	0, 0, 0, 24, // message_size
	0x39, 0x26, 0x8c, 0x33, // crc-32 of magic..end
	1,                                        // magic
	0,                                        // attributes
	0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // timestamp
	0, 0, 0, 1, 'k', // key
	0, 0, 0, 1, 'v', // value
}

// goldenV0 is one uncompressed magic 0 message at offset 3: null key, value "hello".
var goldenV0 = []byte{
	0, 0, 0, 0, 0, 0, 0, 3, // offset
	0, 0, 0, 19, // message_size
	0x87, 0xa7, 0x7a, 0xb2, // crc-32 of magic..end
	0,                      // magic
	0,                      // attributes
	0xff, 0xff, 0xff, 0xff, // key null
	0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', // value
}

func TestGoldenCRCs(t *testing.T) {
	if got := crc32.Checksum(goldenV2[21:], crc32.MakeTable(crc32.Castagnoli)); got != 0x29d161f1 {
		t.Errorf("v2 golden crc-32c: hash/crc32 says %08x", got)
	}
	if got := crc32.ChecksumIEEE(goldenV1[16:]); got != 0x39268c33 {
		t.Errorf("v1 golden crc-32: hash/crc32 says %08x", got)
	}
	if got := crc32.ChecksumIEEE(goldenV0[16:]); got != 0x87a77ab2 {
		t.Errorf("v0 golden crc-32: hash/crc32 says %08x", got)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bytes   []byte
		batch   record.Batch
		records []record.Record
	}{
		{"v2", goldenV2, goldenV2Batch, goldenV2Records},
		{"v1", goldenV1, record.Batch{BaseOffset: 7, LastOffset: 7, PartitionLeaderEpoch: -1, Magic: 1,
			FirstTimestamp: ts, MaxTimestamp: ts, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, NumRecords: 1},
			[]record.Record{{Offset: 7, Timestamp: ts, Key: []byte("k"), Value: []byte("v")}}},
		{"v0", goldenV0, record.Batch{BaseOffset: 3, LastOffset: 3, PartitionLeaderEpoch: -1, Magic: 0,
			FirstTimestamp: -1, MaxTimestamp: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, NumRecords: 1},
			[]record.Record{{Offset: 3, Timestamp: -1, Value: []byte("hello")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batches := decodeAll(t, tc.bytes, record.Options{})
			if len(batches) != 1 {
				t.Fatalf("got %d batches", len(batches))
			}
			if got := batches[0].batch; got != tc.batch {
				t.Errorf("batch\ngot  %+v\nwant %+v", got, tc.batch)
			}
			if got := batches[0].records; !reflect.DeepEqual(got, tc.records) {
				t.Errorf("records\ngot  %+v\nwant %+v", got, tc.records)
			}
			enc, err := record.AppendBatch(nil, tc.batch, tc.records, record.CodecNone)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, tc.bytes) {
				t.Errorf("AppendBatch\ngot  % x\nwant % x", enc, tc.bytes)
			}
		})
	}
}

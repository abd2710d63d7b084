// LegacyRecords — writes record-batch fixtures for rawkafka's record decoder with the Apache
// Kafka Java client's own builder (org.apache.kafka.common.record.MemoryRecordsBuilder):
// message sets of magic 0 and 1 (every codec but zstd, which needs magic 2) and record
// batches of magic 2, as raw bytes, plus manifest.json describing every batch and record
// as the Java client itself reads them back.
//
// Compile against kafka-clients 3.9.1, the last release that writes magic 0 and 1 fully:
//   KAFKA_VERSION=3.9.1 scripts/producer run LegacyRecords --out testdata/record/legacy
// (scripts/gen-legacy-records does that). The output is deterministic for a given set of
// compression libraries.
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.AppInfoParser;

public final class LegacyRecords {

    /** A record to write: offset, timestamp, key, value, headers (null/[] = none). */
    record In(long offset, long timestamp, byte[] key, byte[] value, Header[] headers) {}

    static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z
    static final long LOG_APPEND_TIME = 1_700_000_999_000L;

    private final Path out;
    private final StringBuilder manifest = new StringBuilder();
    private int files;

    private LegacyRecords(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--out")) {
            System.err.println("usage: LegacyRecords --out DIR");
            System.exit(2);
        }
        LegacyRecords g = new LegacyRecords(Path.of(args[1]));
        Files.createDirectories(g.out);
        g.generate();
    }

    private void generate() throws IOException {
        String version = AppInfoParser.getVersion();
        manifest.append("{\n  \"generator\": \"scripts/gen-legacy-records (scripts/java/LegacyRecords.java, MemoryRecordsBuilder)\",\n")
                .append("  \"kafka_clients_version\": ").append(str(version)).append(",\n")
                .append("  \"files\": [\n");

        String[] legacyCodecs = {"none", "gzip", "snappy", "lz4"}; // zstd needs magic 2
        for (byte magic = 0; magic <= 1; magic++) {
            for (int c = 0; c < legacyCodecs.length; c++) {
                String codec = legacyCodecs[c];
                // Base offset 100 for every other file: offsets are absolute in v0 and
                // relative inside a v1 wrapper, and a zero base hides mistakes in either.
                long base = (c + magic) % 2 == 1 ? 100 : 0;
                TimestampType tt = magic == 0 ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME;
                write("magic" + magic + "-" + codec, "magic " + magic + " message set, " + codec
                                + (codec.equals("none") ? " (one message per entry)" : " (one compressed wrapper message)"),
                        legacy(magic, codec, tt, base, legacyRecords(magic, base, contiguous(base, 6))));
            }
        }
        write("magic1-none-logappendtime", "magic 1, uncompressed, LogAppendTime: each message carries the append time",
                legacy((byte) 1, "none", TimestampType.LOG_APPEND_TIME, 100, legacyRecords((byte) 1, 100, contiguous(100, 6))));
        write("magic1-gzip-logappendtime", "magic 1, gzip wrapper with LogAppendTime: the wrapper's timestamp applies to every inner message",
                legacy((byte) 1, "gzip", TimestampType.LOG_APPEND_TIME, 0, legacyRecords((byte) 1, 0, contiguous(0, 6))));
        long[] gaps = {100, 101, 103, 106, 107};
        write("magic0-gzip-gaps", "magic 0, gzip wrapper whose inner (absolute) offsets have gaps, as compaction leaves them",
                legacy((byte) 0, "gzip", TimestampType.NO_TIMESTAMP_TYPE, 100, legacyRecords((byte) 0, 100, gaps)));
        write("magic1-snappy-gaps", "magic 1, snappy wrapper whose inner (relative) offsets have gaps, as compaction leaves them",
                legacy((byte) 1, "snappy", TimestampType.CREATE_TIME, 100, legacyRecords((byte) 1, 100, gaps)));

        String[] codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
        for (int c = 0; c < codecs.length; c++) {
            String codec = codecs[c];
            long base = c % 2 == 1 ? 100 : (c == 4 ? 1000 : 0);
            // Uncompressed: no producer (-1); the others as an idempotent producer writes them.
            long pid = codec.equals("none") ? RecordBatch.NO_PRODUCER_ID : 4000 + c;
            short epoch = codec.equals("none") ? RecordBatch.NO_PRODUCER_EPOCH : (short) 1;
            int seq = codec.equals("none") ? RecordBatch.NO_SEQUENCE : 10 * c;
            write("magic2-" + codec, "magic 2 record batch, " + codec + ", headers on some records"
                            + (pid >= 0 ? ", idempotent producer " + pid : ""),
                    v2(codec, TimestampType.CREATE_TIME, base, pid, epoch, seq, false, 7, null, v2Records(base, contiguous(base, 6))));
        }
        write("magic2-none-logappendtime", "magic 2, LogAppendTime: every record's timestamp is the batch's max_timestamp",
                v2("none", TimestampType.LOG_APPEND_TIME, 0, -1, (short) -1, -1, false, 0, null, v2Records(0, contiguous(0, 6))));
        write("magic2-gzip-gaps", "magic 2, gzip, offset deltas with gaps and last_offset_delta beyond the last record, as compaction leaves them",
                v2("gzip", TimestampType.CREATE_TIME, 50, -1, (short) -1, -1, false, 3, 59L, v2Records(50, new long[] {50, 52, 53, 57})));

        // Transactions: a committed and an aborted transaction of producer 77, each followed by
        // its marker (a control batch); the second transaction compressed.
        long pid = 77;
        short epoch = 5;
        ByteBuffer txn = concat(
                v2("none", TimestampType.CREATE_TIME, 200, pid, epoch, 0, true, 4, null, v2Records(200, contiguous(200, 3))),
                MemoryRecords.withEndTransactionMarker(203, T0 + 10_000, 4, pid, epoch,
                        new EndTransactionMarker(ControlRecordType.COMMIT, 9)).buffer(),
                v2("gzip", TimestampType.CREATE_TIME, 204, pid, epoch, 3, true, 4, null, v2Records(204, contiguous(204, 2))),
                MemoryRecords.withEndTransactionMarker(206, T0 + 11_000, 4, pid, epoch,
                        new EndTransactionMarker(ControlRecordType.ABORT, 9)).buffer());
        write("magic2-transactional", "magic 2: transactional batch (producer 77, offsets 200-202), COMMIT marker at 203, "
                + "transactional gzip batch (204-205), ABORT marker at 206 (coordinator epoch 9)", txn);

        // A fetch from a log written before and after message format upgrades.
        ByteBuffer mixed = concat(
                legacy((byte) 0, "none", TimestampType.NO_TIMESTAMP_TYPE, 0, legacyRecords((byte) 0, 0, contiguous(0, 2))),
                legacy((byte) 1, "gzip", TimestampType.CREATE_TIME, 2, legacyRecords((byte) 1, 2, contiguous(2, 3))),
                v2("lz4", TimestampType.CREATE_TIME, 5, -1, (short) -1, -1, false, 0, null, v2Records(5, contiguous(5, 3))));
        write("mixed-magic", "magic 0 uncompressed (offsets 0-1), then magic 1 gzip (2-4), then magic 2 lz4 (5-7), as one fetch can return them",
                mixed);

        manifest.append("\n  ]\n}\n");
        Files.writeString(out.resolve("manifest.json"), manifest.toString());
        System.err.printf("LegacyRecords: wrote %d files and manifest.json to %s with kafka-clients %s%n", files, out, version);
    }

    // ---------------------------------------------------------------------------------
    // Records
    // ---------------------------------------------------------------------------------

    static long[] contiguous(long base, int n) {
        long[] o = new long[n];
        for (int i = 0; i < n; i++) o[i] = base + i;
        return o;
    }

    /** Key and value of record i: a null key, a null value, empty ones, binary, long. */
    static byte[] key(int i) {
        switch (i % 6) {
            case 1: case 5: return null;
            case 3: return new byte[0];
            case 4: return new byte[] {0x00, (byte) 0xff, (byte) 0x80, 0x7f};
            default: return utf8("key-" + i);
        }
    }

    static byte[] value(int i) {
        switch (i % 6) {
            case 2: case 5: return null;
            case 3: return new byte[0];
            case 4: return utf8("value-" + i + ": " + "the quick brown fox jumps over the lazy dog ".repeat(8));
            default: return utf8("value-" + i);
        }
    }

    /** Timestamp of record i: a second apart, record 3 older than the first. */
    static long timestamp(int i) {
        return i % 6 == 3 ? T0 - 1000 : T0 + 1000L * i;
    }

    static Header[] headers(int i) {
        switch (i % 6) {
            case 1: return new Header[] {new RecordHeader("h", utf8("v"))};
            case 2: return new Header[] {new RecordHeader("a", utf8("1")), new RecordHeader("null", (byte[]) null),
                    new RecordHeader("dup", utf8("x")), new RecordHeader("dup", utf8("y")), new RecordHeader("empty", new byte[0])};
            case 4: return new Header[] {new RecordHeader("bin", new byte[] {0x00, (byte) 0xff})};
            case 5: return new Header[] {new RecordHeader("k", (byte[]) null)};
            default: return new Header[0];
        }
    }

    static List<In> legacyRecords(byte magic, long base, long[] offsets) {
        List<In> l = new ArrayList<>();
        for (long o : offsets) {
            int i = (int) (o - base);
            l.add(new In(o, magic == 0 ? RecordBatch.NO_TIMESTAMP : timestamp(i), key(i), value(i), new Header[0]));
        }
        return l;
    }

    static List<In> v2Records(long base, long[] offsets) {
        List<In> l = new ArrayList<>();
        for (long o : offsets) {
            int i = (int) (o - base);
            l.add(new In(o, timestamp(i), key(i), value(i), headers(i)));
        }
        return l;
    }

    // ---------------------------------------------------------------------------------
    // Builders
    // ---------------------------------------------------------------------------------

    static Compression compression(String codec) {
        return Compression.of(CompressionType.forName(codec)).build();
    }

    static ByteBuffer legacy(byte magic, String codec, TimestampType tt, long base, List<In> records) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1 << 16), magic, compression(codec), tt, base, LOG_APPEND_TIME);
        for (In r : records) b.appendWithOffset(r.offset, r.timestamp, r.key, r.value);
        return check(b.build(), records, tt);
    }

    static ByteBuffer v2(String codec, TimestampType tt, long base, long pid, short epoch, int seq, boolean txn,
                         int leaderEpoch, Long lastOffset, List<In> records) {
        MemoryRecordsBuilder b = MemoryRecords.builder(ByteBuffer.allocate(1 << 16), RecordBatch.MAGIC_VALUE_V2,
                compression(codec), tt, base, LOG_APPEND_TIME, pid, epoch, seq, txn, leaderEpoch);
        for (In r : records) b.appendWithOffset(r.offset, r.timestamp, r.key, r.value, r.headers);
        if (lastOffset != null) b.overrideLastOffset(lastOffset);
        return check(b.build(), records, tt);
    }

    /** Reads the records back with the Java client and checks they are what was written. */
    static ByteBuffer check(MemoryRecords built, List<In> want, TimestampType tt) {
        List<Record> got = new ArrayList<>();
        for (RecordBatch batch : built.batches()) for (Record r : batch) got.add(r);
        if (got.size() != want.size()) throw new IllegalStateException(got.size() + " records read back, " + want.size() + " written");
        for (int i = 0; i < got.size(); i++) {
            Record g = got.get(i);
            In w = want.get(i);
            long ts = tt == TimestampType.LOG_APPEND_TIME ? LOG_APPEND_TIME : w.timestamp;
            if (g.offset() != w.offset || g.timestamp() != ts || !Arrays.equals(bytes(g.key()), w.key)
                    || !Arrays.equals(bytes(g.value()), w.value) || !Arrays.equals(g.headers(), w.headers))
                throw new IllegalStateException("record " + i + " reads back as " + g);
        }
        return built.buffer();
    }

    static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) n += p.remaining();
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer p : parts) all.put(p.duplicate());
        return all.flip();
    }

    // ---------------------------------------------------------------------------------
    // Output: the bytes, and the manifest as the Java client reads them back
    // ---------------------------------------------------------------------------------

    private void write(String name, String description, ByteBuffer buf) throws IOException {
        byte[] bytes = new byte[buf.remaining()];
        buf.duplicate().get(bytes);
        String file = name + ".bin";
        Files.write(out.resolve(file), bytes);

        MemoryRecords mr = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
        StringBuilder batches = new StringBuilder();
        StringBuilder flat = new StringBuilder();
        int position = 0;
        for (RecordBatch batch : mr.batches()) {
            batch.ensureValid(); // CRC and sizes, checked by the Java client
            // Attributes straight from the bytes: int8 at 17 (v0/v1), int16 at 21 (v2).
            int attributes = batch.magic() >= 2 ? ByteBuffer.wrap(bytes).getShort(position + 21)
                    : bytes[position + 17];
            int count = 0;
            for (Record r : batch) {
                r.ensureValid();
                flat.append(flat.length() == 0 ? "" : ",\n").append("        ").append(recordJson(r, batch.isControlBatch()));
                count++;
            }
            if (batches.length() > 0) batches.append(",\n");
            batches.append("        {\"position\": ").append(position)
                   .append(", \"size\": ").append(batch.sizeInBytes())
                   .append(", \"base_offset\": ").append(batch.baseOffset())
                   .append(", \"last_offset\": ").append(batch.lastOffset())
                   .append(", \"magic\": ").append(batch.magic())
                   .append(", \"attributes\": ").append(attributes)
                   .append(", \"codec\": ").append(str(batch.compressionType().name))
                   .append(", \"timestamp_type\": ").append(str(batch.timestampType().name))
                   .append(", \"max_timestamp\": ").append(batch.maxTimestamp())
                   .append(", \"partition_leader_epoch\": ").append(batch.partitionLeaderEpoch())
                   .append(", \"producer_id\": ").append(batch.producerId())
                   .append(", \"producer_epoch\": ").append(batch.producerEpoch())
                   .append(", \"base_sequence\": ").append(batch.baseSequence())
                   .append(", \"transactional\": ").append(batch.isTransactional())
                   .append(", \"control\": ").append(batch.isControlBatch())
                   .append(", \"crc\": ").append(batch.checksum())
                   .append(", \"count\": ").append(count).append('}');
            position += batch.sizeInBytes();
        }
        if (position != bytes.length) throw new IllegalStateException(file + ": batches end at " + position + " of " + bytes.length);

        MemoryRecords first = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
        RecordBatch b0 = first.batches().iterator().next();
        if (files++ > 0) manifest.append(",\n");
        manifest.append("    {\"file\": ").append(str(file))
                .append(", \"magic\": ").append(b0.magic())
                .append(", \"codec\": ").append(str(b0.compressionType().name))
                .append(", \"size\": ").append(bytes.length)
                .append(",\n      \"description\": ").append(str(description))
                .append(",\n      \"batches\": [\n").append(batches).append("\n      ],")
                .append("\n      \"records\": [\n").append(flat).append("\n      ]}");
    }

    private static String recordJson(Record r, boolean control) {
        StringBuilder s = new StringBuilder();
        s.append("{\"offset\": ").append(r.offset())
         .append(", \"timestamp\": ").append(r.timestamp())
         .append(", \"key\": ").append(b64(r.key()))
         .append(", \"value\": ").append(b64(r.value()))
         .append(", \"headers\": [");
        Header[] hs = r.headers();
        for (int i = 0; i < hs.length; i++) {
            s.append(i == 0 ? "" : ", ").append("{\"key\": ").append(str(hs[i].key()))
             .append(", \"value\": ").append(b64(hs[i].value() == null ? null : ByteBuffer.wrap(hs[i].value()))).append('}');
        }
        s.append(']');
        if (control) {
            ControlRecordType type = ControlRecordType.parse(r.key());
            s.append(", \"control_type\": ").append(str(type.name()));
            if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT)
                s.append(", \"coordinator_epoch\": ").append(EndTransactionMarker.deserialize(r).coordinatorEpoch());
        }
        return s.append('}').toString();
    }

    private static String b64(ByteBuffer b) {
        if (b == null) return "null";
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return str(Base64.getEncoder().encodeToString(a));
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

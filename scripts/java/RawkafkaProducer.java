// RawkafkaProducer — a producer built on the Apache Kafka Java client, for rawkafka's
// integration tests: an independent implementation writes the records, and prints exactly
// what it wrote (with the offsets the broker gave) so that a consumer test can compare.
//
// Run it with scripts/producer, which compiles this file against the broker's jars:
//
//   scripts/producer produce --bootstrap B --topic T [--partition 0] [--codec none]
//                            [--count 20] [--timestamp-base MS] [--linger-ms 50]
//                            [--batch-size 4096]
//   scripts/producer transactions --bootstrap B --topic T [--partition 0] [--codec none]
//                            [--timestamp-base MS] [--transactional-id PREFIX]
//
// stdout: one JSON object per data record, in offset order:
//   {"partition":0,"offset":5,"key":"<base64>"|null,"value":"<base64>"|null,
//    "headers":[{"key":"h","value":"<base64>"|null}],"timestamp":1700000000000,
//    "transactional":false,"committed":true,"producer":"plain"}
// Control records (transaction markers) are not printed; their offsets are the gaps.
// Everything else (progress, client logs) goes to stderr.
//
// Record i (0-based within a run) is the same in every run, given the timestamp base; see
// record(). Timestamps are explicit: base + i, except every 8th record (i % 8 == 5), which
// is a minute older than the base, so a batch holds negative timestamp deltas.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class RawkafkaProducer {

    /** One record as written, and the offset the broker gave it. */
    static final class Sent {
        final ProducerRecord<byte[], byte[]> record;
        final String producer;
        final boolean transactional;
        boolean committed;
        Future<RecordMetadata> result;

        Sent(ProducerRecord<byte[], byte[]> record, String producer, boolean transactional) {
            this.record = record;
            this.producer = producer;
            this.transactional = transactional;
            this.committed = !transactional;
        }
    }

    private final Map<String, String> opts;
    private final String bootstrap, topic, codec;
    private final int partition;
    private final long timestampBase;
    private final List<Sent> sent = new ArrayList<>();
    private int next; // index of the next record()

    private RawkafkaProducer(Map<String, String> opts) {
        this.opts = opts;
        this.bootstrap = required(opts, "bootstrap");
        this.topic = required(opts, "topic");
        this.partition = Integer.parseInt(opts.getOrDefault("partition", "0"));
        this.codec = opts.getOrDefault("codec", "none");
        // Whole seconds, so that the base itself is easy to recognise in a dump.
        this.timestampBase = Long.parseLong(opts.getOrDefault("timestamp-base",
                Long.toString(System.currentTimeMillis() / 1000 * 1000)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) usage("missing mode");
        Map<String, String> opts = parseOptions(args);
        RawkafkaProducer p = new RawkafkaProducer(opts);
        switch (args[0]) {
            case "produce":
                p.produce(Integer.parseInt(opts.getOrDefault("count", "20")));
                break;
            case "transactions":
                p.transactions();
                break;
            default:
                usage("unknown mode " + args[0]);
        }
        p.print();
    }

    // ---------------------------------------------------------------------------------
    // The records
    // ---------------------------------------------------------------------------------

    /**
     * Record i: keys are "key-i", except null (i % 5 == 1), empty (i % 10 == 7) or binary
     * bytes that are not UTF-8 (i % 5 == 3). Values are "value-i:" plus a compressible tail,
     * except null (i % 4 == 2) or empty (i % 9 == 4). Headers: none (i % 3 == 0), one
     * (i % 3 == 1), or five (i % 3 == 2) with a null value, a duplicate key and an empty value.
     */
    private ProducerRecord<byte[], byte[]> record(String keyPrefix) {
        int i = next++;
        byte[] key;
        if (i % 5 == 1) key = null;
        else if (i % 10 == 7) key = new byte[0];
        else if (i % 5 == 3) key = new byte[] {0x00, (byte) 0xff, (byte) 0xfe, (byte) i, 0x1f, 0x1e, '\n', '"'};
        else key = utf8(keyPrefix + "key-" + i);

        byte[] value;
        if (i % 4 == 2) value = null;
        else if (i % 9 == 4) value = new byte[0];
        else value = utf8("value-" + i + ":" + "abcdefgh".repeat(i % 7 * 8) + (i % 2 == 0 ? " é ✓" : ""));

        List<Header> headers = new ArrayList<>();
        if (i % 3 == 1) {
            headers.add(new RecordHeader("h", utf8("v" + i)));
        } else if (i % 3 == 2) {
            headers.add(new RecordHeader("trace-id", utf8("t-" + i)));
            headers.add(new RecordHeader("null-value", (byte[]) null));
            headers.add(new RecordHeader("dup", utf8("1")));
            headers.add(new RecordHeader("dup", utf8("2")));
            headers.add(new RecordHeader("empty", new byte[0]));
        }

        long timestamp = timestampBase + i;
        if (i % 8 == 5) timestamp = timestampBase - 60_000 + i;
        return new ProducerRecord<>(topic, partition, timestamp, key, value, headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------
    // Mode produce: n records, batched and compressed
    // ---------------------------------------------------------------------------------

    private void produce(int n) throws Exception {
        Properties props = producerProps();
        // Batching: everything is sent at once and the producer waits linger.ms, so batches
        // fill up to batch.size; with the default 4096 a few dozen records make several
        // batches of several records each.
        props.put(ProducerConfig.LINGER_MS_CONFIG, opts.getOrDefault("linger-ms", "50"));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, opts.getOrDefault("batch-size", "4096"));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props)) {
            for (int k = 0; k < n; k++) send(p, record(""), "plain", false);
            p.flush();
            collect();
        }
        log("produced %d records with compression.type=%s to %s-%d", n, codec, topic, partition);
    }

    // ---------------------------------------------------------------------------------
    // Mode transactions: committed and aborted transactions interleaved on one partition
    // ---------------------------------------------------------------------------------

    /**
     * Writes, in this order (every step is acknowledged before the next starts):
     * <pre>
     *  1. plain: 2 records                       (non-transactional: always visible)
     *  2. txn A: 3 records, commit
     *  3. txn A: 2 records, abort
     *  4. plain: 1 record
     *  5. txn A: 1 record; txn B: 2 records; plain: 1 record; txn A: 1 record;
     *     A commits; txn B: 1 record; B aborts    (open transactions overlap)
     *  6. txn A: 3 records, abort
     *  7. txn B: 1 record, commit
     *  8. plain: 1 record
     * </pre>
     * A and B are two transactional producers (transactional.id PREFIX-a, PREFIX-b), so
     * the partition holds aborted transactions of two producer ids and non-transactional
     * records inside an aborted transaction's offset range. Markers are written by the
     * coordinator after commit/abort returns; at the end this waits until the partition's
     * last stable offset reaches its high watermark, so read_committed sees everything.
     */
    private void transactions() throws Exception {
        String prefix = opts.getOrDefault("transactional-id",
                "rawkafka-" + topic + "-" + partition + "-" + System.nanoTime());
        Properties plainProps = producerProps();
        plainProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(plainProps);
             KafkaProducer<byte[], byte[]> a = new KafkaProducer<>(txnProps(prefix + "-a"));
             KafkaProducer<byte[], byte[]> b = new KafkaProducer<>(txnProps(prefix + "-b"))) {
            a.initTransactions();
            b.initTransactions();

            step(plain, "plain", 2);                                   // 1

            a.beginTransaction();                                      // 2
            List<Sent> t = step(a, "txn-a", 3);
            a.commitTransaction();
            mark(t, true);

            a.beginTransaction();                                      // 3
            t = step(a, "txn-a", 2);
            a.abortTransaction();
            mark(t, false);

            step(plain, "plain", 1);                                   // 4

            a.beginTransaction();                                      // 5
            List<Sent> ta = step(a, "txn-a", 1);
            b.beginTransaction();
            List<Sent> tb = step(b, "txn-b", 2);
            step(plain, "plain", 1);
            ta.addAll(step(a, "txn-a", 1));
            a.commitTransaction();
            mark(ta, true);
            tb.addAll(step(b, "txn-b", 1));
            b.abortTransaction();
            mark(tb, false);

            a.beginTransaction();                                      // 6
            t = step(a, "txn-a", 3);
            a.abortTransaction();
            mark(t, false);

            b.beginTransaction();                                      // 7
            t = step(b, "txn-b", 1);
            b.commitTransaction();
            mark(t, true);

            step(plain, "plain", 1);                                   // 8
            collect();
        }
        waitStable();
        log("wrote %d records in transactions to %s-%d", sent.size(), topic, partition);
    }

    /** Sends n records from one producer and waits until the broker has them all. */
    private List<Sent> step(KafkaProducer<byte[], byte[]> p, String name, int n) throws Exception {
        boolean txn = !name.equals("plain");
        List<Sent> out = new ArrayList<>();
        for (int k = 0; k < n; k++) out.add(send(p, record(name + "-"), name, txn));
        // Before an abort too: a record still in the accumulator at abort time is never
        // written, and the test wants aborted records in the log.
        p.flush();
        for (Sent s : out) s.result.get(60, TimeUnit.SECONDS);
        return out;
    }

    private static void mark(List<Sent> records, boolean committed) {
        for (Sent s : records) s.committed = committed;
    }

    /** Waits until the last stable offset equals the high watermark (all markers written). */
    private void waitStable() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        TopicPartition tp = new TopicPartition(topic, partition);
        try (Admin admin = Admin.create(props)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                long hw = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                        new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).partitionResult(tp).get().offset();
                long lso = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(tp).get().offset();
                if (lso == hw) {
                    log("%s-%d: last stable offset = high watermark = %d", topic, partition, hw);
                    return;
                }
                if (System.currentTimeMillis() > deadline)
                    throw new IllegalStateException("last stable offset " + lso + " never reached high watermark " + hw);
                Thread.sleep(100);
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Plumbing
    // ---------------------------------------------------------------------------------

    private Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotent (the default since 3.0, said here so it stays so): batches carry a
        // producer id and sequence numbers, and order is kept with several in flight.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "rawkafka-producer");
        return props;
    }

    private Properties txnProps(String transactionalId) {
        Properties props = producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return props;
    }

    private Sent send(KafkaProducer<byte[], byte[]> p, ProducerRecord<byte[], byte[]> r, String name, boolean txn) {
        Sent s = new Sent(r, name, txn);
        s.result = p.send(r);
        sent.add(s);
        return s;
    }

    /** Waits for every acknowledgement; any send error ends the run. */
    private void collect() throws Exception {
        for (Sent s : sent) {
            RecordMetadata md = s.result.get(60, TimeUnit.SECONDS);
            if (md.partition() != partition) throw new IllegalStateException("record went to partition " + md.partition());
        }
    }

    private void print() throws Exception {
        List<Sent> byOffset = new ArrayList<>(sent);
        Map<Sent, Long> offsets = new HashMap<>();
        for (Sent s : byOffset) offsets.put(s, s.result.get().offset());
        byOffset.sort(Comparator.comparingLong(offsets::get));
        StringBuilder out = new StringBuilder();
        for (Sent s : byOffset) {
            ProducerRecord<byte[], byte[]> r = s.record;
            out.append("{\"partition\":").append(partition)
               .append(",\"offset\":").append(offsets.get(s))
               .append(",\"key\":").append(b64(r.key()))
               .append(",\"value\":").append(b64(r.value()))
               .append(",\"headers\":[");
            boolean first = true;
            for (Header h : r.headers()) {
                if (!first) out.append(',');
                first = false;
                out.append("{\"key\":").append(jsonString(h.key())).append(",\"value\":").append(b64(h.value())).append('}');
            }
            out.append("],\"timestamp\":").append(r.timestamp())
               .append(",\"transactional\":").append(s.transactional)
               .append(",\"committed\":").append(s.committed)
               .append(",\"producer\":").append(jsonString(s.producer))
               .append("}\n");
        }
        System.out.print(out);
        System.out.flush();
    }

    private static String b64(byte[] b) {
        return b == null ? "null" : "\"" + Base64.getEncoder().encodeToString(b) + "\"";
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static Map<String, String> parseOptions(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) usage("unexpected argument " + a);
            String name = a.substring(2), value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) usage("--" + name + " needs a value");
                value = args[++i];
            }
            opts.put(name, value);
        }
        return opts;
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null || v.isEmpty()) usage("--" + name + " is required");
        return v;
    }

    private static void log(String format, Object... args) {
        System.err.println("producer: " + String.format(format, args));
    }

    private static void usage(String why) {
        System.err.println("producer: " + why);
        System.err.println("usage: produce|transactions --bootstrap HOST:PORT --topic T [--partition N] [--codec none|gzip|snappy|lz4|zstd]");
        System.err.println("       produce: [--count N] [--timestamp-base MS] [--linger-ms MS] [--batch-size BYTES]");
        System.err.println("       transactions: [--timestamp-base MS] [--transactional-id PREFIX]");
        System.exit(2);
    }
}

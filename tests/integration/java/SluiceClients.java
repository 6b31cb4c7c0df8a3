// Drives the Java Kafka client (kafka-clients, pinned in pom.xml) against a sluiced broker for
// test_java.py. Several steps run in one JVM, because starting a JVM costs about a second:
//
//   java -cp 'classes:lib/*' SluiceClients bootstrap=127.0.0.1:PORT deadline_ms=60000 \
//       produce topic=T count=1000 keys=100 prop:acks=all prop:enable.idempotence=false \
//       consume topic=T count=1000 group=G timeout_ms=30000 prop:isolation.level=read_committed
//
// A step starts at its verb (produce, consume). name=value sets an option of the step;
// prop:name=value sets a client property, passed to the client untouched, so a test that sets
// none gets the client's own defaults. Output is JSON lines on stdout, one object a line:
//   produce: {"type":"ack","i","key","value","partition","offset"} for every acknowledged record,
//            {"type":"send_error","i","error"} for every failed one, then
//            {"type":"produced","acked","failed","first_error","ms"}
//   consume: {"type":"record","partition","offset","key","value"} for every record, then
//            {"type":"consumed","count","committed":{partition: offset},"ms"}
//   describe-producers topic=T partitions=N (Admin.describeProducers, KIP-664):
//            {"type":"producers","partition","producers":[{"id","epoch","last_sequence"}]} each
//   describe-log-dirs (Admin.describeLogDirs of every broker): for each log directory
//            {"type":"log_dir","broker","path","total_bytes","usable_bytes","error",
//             "replicas":{"topic-partition":{"size","offset_lag","future"}}}
//   describe-topics topics=A,B limit=N (Admin.describeTopics, N partitions per response):
//            {"type":"topic","name","id","internal","partitions":[{"partition","leader","isr"}]}
//   transact topic=T txn_id=X transactions=N per_txn=K abort_every=A: N transactions of K
//            records each ("t<n>-<k>"), every A-th aborted (0: none), then
//            {"type":"transacted","committed":c,"aborted":a,"ms"}
//   fence topic=T txn_id=X: a second producer with the same transactional id fences a first one
//            in the middle of a transaction; the first's commit must fail with
//            ProducerFencedException: {"type":"fenced","error"}
// A step that fails prints {"type":"error","step","error"} and the stack trace on stderr, and the
// program exits 1 without running the later steps. deadline_ms bounds the whole run (exit 3).
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class SluiceClients {
    // Buffered: a 1000-record run prints 1000 lines; flushed at exit and before a halt.
    private static final PrintStream OUT =
        new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);

    private record Step(String verb, Map<String, String> opts, Properties props) {
        String opt(String name) {
            String v = opts.get(name);
            if (v == null) throw new IllegalArgumentException(verb + ": missing " + name + "=");
            return v;
        }

        String opt(String name, String dflt) { return opts.getOrDefault(name, dflt); }
    }

    public static void main(String[] args) throws Exception {
        // Before any logger exists: the client's INFO chatter (config dumps) would drown its
        // warnings and errors, which are what a failing test needs to show.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Map<String, String> global = new LinkedHashMap<>();
        List<Step> steps = parse(args, global);
        String bootstrap = global.get("bootstrap");
        if (bootstrap == null) throw new IllegalArgumentException("missing bootstrap=");
        startDeadline(Long.parseLong(global.getOrDefault("deadline_ms", "60000")));
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            try {
                switch (s.verb()) {
                    case "produce" -> produce(bootstrap, s);
                    case "consume" -> consume(bootstrap, s);
                    case "describe-producers" -> describeProducers(bootstrap, s);
                    case "describe-log-dirs" -> describeLogDirs(bootstrap, s);
                    case "describe-topics" -> describeTopics(bootstrap, s);
                    case "transact" -> transact(bootstrap, s);
                    case "fence" -> fence(bootstrap, s);
                    default -> throw new IllegalArgumentException("unknown step " + s.verb());
                }
            } catch (Exception e) {
                emit("{\"type\":\"error\",\"step\":" + i + ",\"error\":" + json(describe(e)) + "}");
                OUT.flush();
                e.printStackTrace();
                System.exit(1);
            }
        }
        OUT.flush();
        System.exit(0);  // the clients' non-daemon threads must not keep the JVM up
    }

    private static List<Step> parse(String[] args, Map<String, String> global) {
        List<Step> steps = new ArrayList<>();
        Step cur = null;
        for (String a : args) {
            if (Set.of("produce", "consume", "describe-producers", "describe-log-dirs",
                       "describe-topics", "transact", "fence").contains(a)) {
                cur = new Step(a, new LinkedHashMap<>(), new Properties());
                steps.add(cur);
                continue;
            }
            int eq = a.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("expected name=value, got " + a);
            String name = a.substring(0, eq), value = a.substring(eq + 1);
            if (cur == null) {
                global.put(name, value);
            } else if (name.startsWith("prop:")) {
                cur.props().setProperty(name.substring(5), value);
            } else {
                cur.opts().put(name, value);
            }
        }
        return steps;
    }

    private static void startDeadline(long ms) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                return;
            }
            emit("{\"type\":\"error\",\"step\":-1,\"error\":" + json("deadline of " + ms + " ms passed") + "}");
            OUT.flush();
            Runtime.getRuntime().halt(3);  // no shutdown hooks: a stuck client must not block it
        }, "deadline");
        t.setDaemon(true);
        t.start();
    }

    private static void produce(String bootstrap, Step s) throws Exception {
        long t0 = System.nanoTime();
        String topic = s.opt("topic");
        int count = Integer.parseInt(s.opt("count"));
        int keys = Integer.parseInt(s.opt("keys", "0"));  // 0: no keys; else key i % keys
        String keyPrefix = s.opt("key_prefix", "k"), valuePrefix = s.opt("value_prefix", "v");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(s.props());
        AtomicInteger acked = new AtomicInteger(), failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        // One outcome per record: a send() that throws has often called the callback already.
        AtomicIntegerArray done = new AtomicIntegerArray(count);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int n = 0; n < count; n++) {
                final int i = n;
                String key = keys > 0 ? keyPrefix + (i % keys) : null;
                String value = valuePrefix + i;
                try {
                    producer.send(new ProducerRecord<>(topic, key, value), (md, err) -> {
                        if (!done.compareAndSet(i, 0, 1)) return;
                        if (err == null) {
                            acked.incrementAndGet();
                            emit("{\"type\":\"ack\",\"i\":" + i + ",\"key\":" + json(key) + ",\"value\":" + json(value)
                                 + ",\"partition\":" + md.partition() + ",\"offset\":" + md.offset() + "}");
                        } else {
                            failed(i, err, failed, firstError);
                        }
                    });
                } catch (Exception e) {  // send() itself throws once the producer is in a fatal state
                    if (done.compareAndSet(i, 0, 1)) failed(i, e, failed, firstError);
                }
            }
            producer.flush();
        }
        emit("{\"type\":\"produced\",\"acked\":" + acked.get() + ",\"failed\":" + failed.get()
             + ",\"first_error\":" + json(firstError.get()) + ",\"ms\":" + millisSince(t0) + "}");
        if (failed.get() > 0) throw new RuntimeException(failed.get() + " of " + count + " sends failed; first: " + firstError.get());
    }

    private static KafkaProducer<String, String> transactionalProducer(String bootstrap, Step s, String txnId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
        p.putAll(s.props());
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static void transact(String bootstrap, Step s) throws Exception {
        long t0 = System.nanoTime();
        String topic = s.opt("topic");
        int transactions = Integer.parseInt(s.opt("transactions"));
        int perTxn = Integer.parseInt(s.opt("per_txn"));
        int abortEvery = Integer.parseInt(s.opt("abort_every", "0"));
        int committed = 0, aborted = 0;
        try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap, s, s.opt("txn_id"))) {
            for (int n = 0; n < transactions; n++) {
                producer.beginTransaction();
                for (int k = 0; k < perTxn; k++) producer.send(new ProducerRecord<>(topic, "t" + n + "-" + k));
                if (abortEvery > 0 && (n + 1) % abortEvery == 0) {
                    producer.flush();  // the records are in the log before the abort marker
                    producer.abortTransaction();
                    aborted++;
                } else {
                    producer.commitTransaction();
                    committed++;
                }
            }
        }
        emit("{\"type\":\"transacted\",\"committed\":" + committed + ",\"aborted\":" + aborted
             + ",\"ms\":" + millisSince(t0) + "}");
    }

    private static void fence(String bootstrap, Step s) throws Exception {
        String topic = s.opt("topic"), txnId = s.opt("txn_id");
        try (KafkaProducer<String, String> zombie = transactionalProducer(bootstrap, s, txnId)) {
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>(topic, "zombie")).get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> successor = transactionalProducer(bootstrap, s, txnId)) {
                successor.beginTransaction();
                successor.send(new ProducerRecord<>(topic, "successor"));
                successor.commitTransaction();
            }
            String error = null;
            try {
                zombie.send(new ProducerRecord<>(topic, "zombie-2"));
                zombie.commitTransaction();
            } catch (org.apache.kafka.common.errors.ProducerFencedException
                     | org.apache.kafka.common.errors.InvalidProducerEpochException e) {
                error = e.getClass().getSimpleName();
            } catch (org.apache.kafka.common.KafkaException e) {
                // commitTransaction wraps the fencing seen by the send
                error = describe(e);
            }
            emit("{\"type\":\"fenced\",\"error\":" + json(error) + "}");
            if (error == null) throw new RuntimeException("the zombie producer committed");
        }
    }

    private static void failed(int i, Exception err, AtomicInteger failed, AtomicReference<String> firstError) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, describe(err));
        emit("{\"type\":\"send_error\",\"i\":" + i + ",\"error\":" + json(describe(err)) + "}");
    }

    private static void describeProducers(String bootstrap, Step s) throws Exception {
        String topic = s.opt("topic");
        int partitions = Integer.parseInt(s.opt("partitions"));
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) tps.add(new TopicPartition(topic, i));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(s.props());
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, PartitionProducerState> states =
                admin.describeProducers(tps).all().get(30, TimeUnit.SECONDS);
            for (TopicPartition tp : tps) {
                StringBuilder list = new StringBuilder();
                for (ProducerState ps : states.get(tp).activeProducers()) {
                    if (list.length() > 0) list.append(',');
                    list.append("{\"id\":").append(ps.producerId())
                        .append(",\"epoch\":").append(ps.producerEpoch())
                        .append(",\"last_sequence\":").append(ps.lastSequence()).append('}');
                }
                emit("{\"type\":\"producers\",\"partition\":" + tp.partition()
                     + ",\"producers\":[" + list + "]}");
            }
        }
    }

    private static void describeTopics(String bootstrap, Step s) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(s.props());
        var options = new org.apache.kafka.clients.admin.DescribeTopicsOptions()
            .partitionSizeLimitPerResponse(Integer.parseInt(s.opt("limit", "2000")));
        try (Admin admin = Admin.create(p)) {
            var topics = admin.describeTopics(List.of(s.opt("topics").split(",")), options)
                .allTopicNames().get(30, TimeUnit.SECONDS);
            for (var t : topics.values()) {
                StringBuilder parts = new StringBuilder();
                for (var info : t.partitions()) {
                    if (parts.length() > 0) parts.append(',');
                    parts.append("{\"partition\":").append(info.partition())
                        .append(",\"leader\":").append(info.leader().id())
                        .append(",\"isr\":").append(info.isr().size()).append('}');
                }
                emit("{\"type\":\"topic\",\"name\":" + json(t.name()) + ",\"id\":"
                     + json(t.topicId().toString()) + ",\"internal\":" + t.isInternal()
                     + ",\"partitions\":[" + parts + "]}");
            }
        }
    }

    private static void describeLogDirs(String bootstrap, Step s) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(s.props());
        try (Admin admin = Admin.create(p)) {
            List<Integer> brokers = new ArrayList<>();
            for (var n : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) brokers.add(n.id());
            var all = admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS);
            for (var b : all.entrySet()) {
                for (var d : b.getValue().entrySet()) {
                    var desc = d.getValue();
                    StringBuilder replicas = new StringBuilder();
                    for (var r : desc.replicaInfos().entrySet()) {
                        if (replicas.length() > 0) replicas.append(',');
                        replicas.append(json(r.getKey().toString())).append(":{\"size\":")
                            .append(r.getValue().size()).append(",\"offset_lag\":")
                            .append(r.getValue().offsetLag()).append(",\"future\":")
                            .append(r.getValue().isFuture()).append('}');
                    }
                    emit("{\"type\":\"log_dir\",\"broker\":" + b.getKey() + ",\"path\":"
                         + json(d.getKey()) + ",\"total_bytes\":" + desc.totalBytes().orElse(-1)
                         + ",\"usable_bytes\":" + desc.usableBytes().orElse(-1) + ",\"error\":"
                         + json(desc.error() == null ? "" : desc.error().toString())
                         + ",\"replicas\":{" + replicas + "}}");
                }
            }
        }
    }

    private static void consume(String bootstrap, Step s) throws Exception {
        long t0 = System.nanoTime();
        String topic = s.opt("topic");
        int count = Integer.parseInt(s.opt("count"));
        long timeoutMs = Long.parseLong(s.opt("timeout_ms", "30000"));
        String group = s.opt("group", null);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");  // committed below, per poll
        }
        p.putAll(s.props());
        int seen = 0;
        Set<TopicPartition> parts = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                for (PartitionInfo pi : consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs)))
                    parts.add(new TopicPartition(topic, pi.partition()));
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (seen < count && System.nanoTime() < deadline) {
                var recs = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : recs) {
                    seen++;
                    emit("{\"type\":\"record\",\"partition\":" + r.partition() + ",\"offset\":" + r.offset()
                         + ",\"key\":" + json(r.key()) + ",\"value\":" + json(r.value()) + "}");
                }
                if (group != null && !recs.isEmpty()) consumer.commitSync(Duration.ofMillis(10000));
                parts.addAll(recs.partitions());
            }
            Map<Integer, Long> committed = new TreeMap<>();
            if (group != null) {
                parts.addAll(consumer.assignment());
                for (var e : consumer.committed(parts, Duration.ofMillis(10000)).entrySet()) {
                    OffsetAndMetadata om = e.getValue();
                    if (om != null) committed.put(e.getKey().partition(), om.offset());
                }
            }
            StringBuilder c = new StringBuilder("{");
            committed.forEach((k, v) -> c.append(c.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
            emit("{\"type\":\"consumed\",\"count\":" + seen + ",\"committed\":" + c.append('}') + ",\"ms\":" + millisSince(t0) + "}");
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofMillis(10000)));
        }
        if (seen < count) throw new RuntimeException("consumed " + seen + "/" + count + " within " + timeoutMs + " ms");
    }

    private static long millisSince(long t0) { return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0); }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) b.append(" <- ").append(c);
        return b.toString();
    }

    private static synchronized void emit(String line) { OUT.println(line); }

    private static String json(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);
                }
            }
        }
        return b.append('"').toString();
    }
}

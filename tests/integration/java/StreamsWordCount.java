// A Kafka Streams word count with processing.guarantee=exactly_once_v2, for test_streams.py:
//
//   java -cp 'classes:lib/*' StreamsWordCount bootstrap=127.0.0.1:PORT app_id=A input=IN \
//       output=OUT state_dir=DIR [crash_after=N] deadline_ms=120000
//
// Reads lines from `input`, counts words, writes (word, count as a big-endian long) to `output`
// for every increment (no caching, so each input word gives one output record). With
// crash_after=N the process halts (no close, no commit: as kill -9) in the middle of processing
// the N-th word; without it, it runs until the test kills it or the deadline passes (exit 3).
// Prints {"type":"running"} once the application reaches RUNNING.
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Produced;

public final class StreamsWordCount {
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Map<String, String> opt = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("expected name=value, got " + a);
            opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        long crashAfter = Long.parseLong(opt.getOrDefault("crash_after", "-1"));
        long deadline = Long.parseLong(opt.getOrDefault("deadline_ms", "120000"));

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, opt.get("app_id"));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, opt.get("bootstrap"));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, opt.get("state_dir"));
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10000);
        p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1000);

        AtomicLong words = new AtomicLong();
        StreamsBuilder b = new StreamsBuilder();
        b.<String, String>stream(opt.get("input"))
            .flatMapValues(line -> Arrays.asList(line.split(" ")))
            .peek((k, w) -> {
                if (words.incrementAndGet() == crashAfter) {
                    System.out.println("{\"type\":\"crash\",\"words\":" + crashAfter + "}");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }
            })
            .map((k, w) -> KeyValue.pair(w, w))
            .groupByKey()
            .count()
            .toStream()
            .to(opt.get("output"), Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(b.build(), p);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                System.out.println("{\"type\":\"running\"}");
                System.out.flush();
            }
            if (now == KafkaStreams.State.ERROR) {
                System.out.println("{\"type\":\"error\",\"error\":\"streams went to ERROR\"}");
                System.out.flush();
                Runtime.getRuntime().halt(1);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            System.out.println("{\"type\":\"error\",\"error\":" + quote(e.toString()) + "}");
            e.printStackTrace();
            System.out.flush();
            Runtime.getRuntime().halt(1);
            return null;
        });
        streams.start();
        Thread.sleep(deadline);
        System.out.println("{\"type\":\"error\",\"error\":\"deadline passed\"}");
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}

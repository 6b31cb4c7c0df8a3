import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Durable produce with the Java client (acks=all, its default 5 requests in flight per
 * connection) in one of three modes: plain (enable.idempotence=false), idempotent, or
 * transactional committing every N records. The only difference between the modes is the
 * producer's guarantee, so their ratio is what idempotence and transactions cost.
 *
 * <p>Usage: ProducerBench BOOTSTRAP TOPIC MODE SECONDS SIZE BATCH_BYTES TXN_RECORDS. Prints one
 * line: system=MODE msgs=... msgs_per_s=... MB_per_s=... client_cpu_s=... transactions=...
 */
public final class ProducerBench {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    String mode = args[2];
    long seconds = Long.parseLong(args[3]);
    int size = Integer.parseInt(args[4]);
    int batchBytes = Integer.parseInt(args[5]);
    long txnRecords = Long.parseLong(args[6]);

    Properties admin = new Properties();
    admin.put("bootstrap.servers", bootstrap);
    try (Admin a = Admin.create(admin)) {
      a.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L << 20));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(!mode.equals("plain")));
    boolean transactional = mode.equals("transactional");
    if (transactional) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + ProcessHandle.current().pid());
    }
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    byte[] value = new byte[size];
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long transactions = 0;
    long sent = 0;
    long start;
    long end;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      if (transactional) producer.initTransactions();
      // One send before the clock starts, so metadata and the producer id are not timed.
      if (transactional) producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, value)).get();
      if (transactional) producer.commitTransaction();
      acked.set(0);
      start = System.nanoTime();
      long deadline = start + seconds * 1_000_000_000L;
      if (transactional) producer.beginTransaction();
      while (System.nanoTime() < deadline) {
        producer.send(
            new ProducerRecord<>(topic, value),
            (md, e) -> (e == null ? acked : failed).incrementAndGet());
        ++sent;
        if (transactional && sent % txnRecords == 0) {
          producer.commitTransaction();
          ++transactions;
          producer.beginTransaction();
        }
      }
      if (transactional) {
        producer.commitTransaction();
        ++transactions;
      } else {
        producer.flush();
      }
      end = System.nanoTime();
    }
    double secs = (end - start) / 1e9;
    double cpu =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    if (failed.get() != 0 || acked.get() != sent) {
      System.err.printf("ProducerBench: %d sent, %d acked, %d failed%n", sent, acked.get(),
          failed.get());
      System.exit(1);
    }
    System.out.printf(
        "system=java-%s msgs=%d msgs_per_s=%.0f MB_per_s=%.2f client_cpu_s=%.2f transactions=%d%n",
        mode, acked.get(), acked.get() / secs, acked.get() * (double) size / secs / 1e6, cpu,
        transactions);
  }
}

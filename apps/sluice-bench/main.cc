// sluice-bench: load generator for Sluice (or any Kafka-protocol broker), built on librdkafka so
// that the load looks like what real clients send.
//
//   sluice-bench produce --bootstrap 127.0.0.1:9092 --topic t --count 200000 --window 1000
//   sluice-bench e2e --rate 5000 --duration 10
//   sluice-bench consume --topic t --count 200000
//   sluice-bench fetch --topic t        (raw Fetch requests, no client library: the broker's side)
//   sluice-bench raw-produce --mode idempotent   (raw Produce requests, no client library)
//   sluice-bench jitter --duration 10   (no broker: how late this machine wakes a sleeping thread)
//
// Payload layout (same as the peer clients in bench/peers/): [int64 send_ns][int64 seq][filler],
// send_ns on CLOCK_MONOTONIC, native byte order (producer and consumer share the host).
// With --rate, send_ns is the message's slot on the absolute schedule t0 + i / rate, not the
// moment it was actually handed to the client: a stall delays every later message and that
// delay is charged to them (no coordinated omission).
//
// Final line on stdout, one per run:
//   system=sluice workload=A msgs=N size=S msgs_per_s=X MB_per_s=Y p50_ms=.. p99_ms=.. p999_ms=..
//   max_ms=..
// MB = 10^6 payload bytes. produce: latency = send -> delivery report (the broker's ack);
// e2e: latency = consumer receive - send_ns; consume and fetch: no latency (all fields 0).
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "histogram.h"
#include "raw_fetch.h"
#include "raw_produce.h"
#include "raw_socket.h"

namespace {

using sluice::bench::Histogram;
using sluice::bench::now_ns;

void sleep_until_ns(int64_t t) {
  timespec ts{static_cast<time_t>(t / 1000000000), static_cast<long>(t % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

struct Options {
  std::string mode;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "sluice-bench";
  std::string system = "sluice";
  std::string workload;  // label in the result line; defaults to the mode
  int size = 1024;
  int64_t count = 0;
  double duration = 0;
  int64_t rate = 0;
  int partitions = 1;
  bool partitions_set = false;
  std::string acks = "all";
  std::string compression = "none";
  bool keys = false;
  bool idempotent = false;
  int64_t transaction_messages = 0;  // > 0: transactional, committing every this many messages
  int window = 1000;
  double linger_ms = 1;
  int fetch_wait_ms = 5;
  int32_t fetch_max_bytes = 8 << 20;  // raw fetch: partition_max_bytes
  double timeout_s = 60;  // give up waiting for acks / messages this long after the last progress
  bool quiet = false;
  std::vector<std::string> producer_props;
  std::vector<std::string> consumer_props;
};

[[noreturn]] void fatal(const std::string& msg) {
  std::fprintf(stderr, "sluice-bench: %s\n", msg.c_str());
  std::exit(1);
}

void set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    fatal("client setting " + k + "=" + v + ": " + err);
}

void set_props(rd_kafka_conf_t* conf, const std::vector<std::string>& props) {
  for (const auto& p : props) {
    auto eq = p.find('=');
    if (eq == std::string::npos) fatal("expected key=value, got '" + p + "'");
    set(conf, p.substr(0, eq), p.substr(eq + 1));
  }
}

void quiet_log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3) std::fprintf(stderr, "sluice-bench: librdkafka %s: %s\n", fac, buf);
}

rd_kafka_conf_t* base_conf(const Options& o) {
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  set(c, "bootstrap.servers", o.bootstrap);
  set(c, "client.id", "sluice-bench");
  set(c, "socket.nagle.disable", "true");
  rd_kafka_conf_set_log_cb(c, quiet_log);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Shared counters, read by the progress thread.
struct Progress {
  std::atomic<int64_t> sent{0}, acked{0}, received{0}, errors{0};
  std::atomic<bool> done{false};
};

// Producer-side state touched by the delivery-report callback (runs in the producing thread
// inside rd_kafka_poll, so no locking).
struct ProducerState {
  Histogram ack_latency;
  int64_t delivered = 0;  // acked or failed
  int64_t last_ack_ns = 0;
  int64_t errors = 0;
  int64_t transactions = 0;    // committed (--transaction-messages)
  int64_t last_commit_ns = 0;  // when the last one was committed
  Progress* progress = nullptr;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<ProducerState*>(opaque);
  const int64_t t = now_ns();
  ++st->delivered;
  if (m->err) {
    ++st->errors;
    st->progress->errors.fetch_add(1, std::memory_order_relaxed);
    if (st->first_error.empty()) st->first_error = rd_kafka_err2str(m->err);
    return;
  }
  const auto sent = static_cast<int64_t>(reinterpret_cast<intptr_t>(m->_private));
  st->ack_latency.record(t - sent);
  st->last_ack_ns = t;
  st->progress->acked.fetch_add(1, std::memory_order_relaxed);
}

struct TopicInfo {
  bool exists = false;
  std::vector<int32_t> partitions;
};

TopicInfo describe_topic(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* md = nullptr;
  // all_topics = 1: asking must not auto-create the topic.
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, 10000);
  if (err) fatal(std::string("metadata: ") + rd_kafka_err2str(err));
  TopicInfo info;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (topic != t.topic || t.err) continue;
    info.exists = true;
    for (int p = 0; p < t.partition_cnt; ++p)
      if (t.partitions[p].leader >= 0) info.partitions.push_back(t.partitions[p].id);
  }
  rd_kafka_metadata_destroy(md);
  return info;
}

// Creates the topic with o.partitions partitions if absent (admin API), then waits until every
// partition has a leader. Returns the partition ids.
std::vector<int32_t> ensure_topic(rd_kafka_t* rk, const Options& o) {
  TopicInfo info = describe_topic(rk, o.topic);
  const bool create = !info.exists;
  if (create) {
    char err[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(o.topic.c_str(), o.partitions, 1, err, sizeof err);
    if (!nt) fatal(std::string("new topic: ") + err);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 15000);
    if (!ev) fatal("CreateTopics: no answer");
    if (rd_kafka_event_error(ev))
      fatal(std::string("CreateTopics: ") + rd_kafka_event_error_string(ev));
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(res[i]);
      if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        fatal("create topic " + o.topic + ": " + rd_kafka_err2str(e));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
  }
  const int64_t deadline = now_ns() + 15'000'000'000;
  for (;;) {
    info = describe_topic(rk, o.topic);
    if (info.exists && !info.partitions.empty() &&
        (!create || static_cast<int>(info.partitions.size()) >= o.partitions))
      break;
    if (now_ns() > deadline) fatal("topic " + o.topic + " has no leaders after 15 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (o.partitions_set && static_cast<int>(info.partitions.size()) != o.partitions)
    std::fprintf(stderr, "sluice-bench: topic %s exists with %zu partitions (asked %d)\n",
                 o.topic.c_str(), info.partitions.size(), o.partitions);
  return info.partitions;
}

// ---------------------------------------------------------------------------------------------
// Consumer: explicit assignment (no group protocol), from the start or from the current end.
struct ConsumerResult {
  Histogram latency;
  int64_t received = 0;
  int64_t first_ns = 0, last_ns = 0;
};

class Consumer {
 public:
  Consumer(const Options& o, const std::vector<int32_t>& partitions, bool from_end) : o_(o) {
    rd_kafka_conf_t* c = base_conf(o);
    // librdkafka's assign() needs a group.id; no offsets are committed and no group is joined.
    set(c, "group.id",
        "sluice-bench-" + std::to_string(::getpid()) + "-" + std::to_string(now_ns()));
    set(c, "enable.auto.commit", "false");
    set(c, "enable.auto.offset.store", "false");
    set(c, "enable.partition.eof", "false");
    set(c, "fetch.wait.max.ms", std::to_string(o.fetch_wait_ms));
    set(c, "fetch.min.bytes", "1");
    set(c, "fetch.error.backoff.ms", "10");
    set(c, "auto.offset.reset", "earliest");
    set_props(c, o.consumer_props);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
    if (!rk_) fatal(std::string("consumer: ") + err);
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (int32_t p : partitions) {
      int64_t lo = 0, hi = 0;
      auto e = rd_kafka_query_watermark_offsets(rk_, o.topic.c_str(), p, &lo, &hi, 10000);
      if (e) fatal("watermarks of partition " + std::to_string(p) + ": " + rd_kafka_err2str(e));
      rd_kafka_topic_partition_list_add(list, o.topic.c_str(), p)->offset = from_end ? hi : lo;
      end_offsets_[p] = hi;
    }
    auto e = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e) fatal(std::string("assign: ") + rd_kafka_err2str(e));
  }
  ~Consumer() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  // The log end of each partition when the consumer was built.
  const std::map<int32_t, int64_t>& end_offsets() const { return end_offsets_; }

  // Reads until `target()` messages arrived (target may grow while running; < 0 = unknown yet),
  // `stop` is set, or nothing arrived for o.timeout_s.
  template <typename TargetFn>
  ConsumerResult run(TargetFn target, Progress& pr, const std::atomic<bool>& stop, bool measure) {
    ConsumerResult r;
    int64_t last_progress = now_ns();
    for (;;) {
      int64_t want = target();
      if (want >= 0 && r.received >= want) break;
      if (stop.load(std::memory_order_relaxed)) break;
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
      const int64_t t = now_ns();
      if (!m) {
        if (t - last_progress > static_cast<int64_t>(o_.timeout_s * 1e9)) {
          std::fprintf(stderr, "sluice-bench: consumer: nothing for %.0f s, giving up\n",
                       o_.timeout_s);
          break;
        }
        continue;
      }
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
          std::fprintf(stderr, "sluice-bench: consumer: %s\n", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        continue;
      }
      last_progress = t;
      if (r.received == 0) r.first_ns = t;
      r.last_ns = t;
      ++r.received;
      pr.received.fetch_add(1, std::memory_order_relaxed);
      if (measure && m->len >= 8) {
        int64_t sent;
        std::memcpy(&sent, m->payload, 8);
        r.latency.record(t - sent);
      }
      rd_kafka_message_destroy(m);
    }
    return r;
  }

 private:
  const Options& o_;
  rd_kafka_t* rk_ = nullptr;
  std::map<int32_t, int64_t> end_offsets_;
};

// ---------------------------------------------------------------------------------------------
class Producer {
 public:
  explicit Producer(const Options& o, Progress& pr) : o_(o) {
    st_.progress = &pr;
    rd_kafka_conf_t* c = base_conf(o);
    set(c, "acks", o.acks);
    set(c, "compression.type", o.compression);
    set(c, "linger.ms", std::to_string(o.linger_ms));
    set(c, "queue.buffering.max.messages", std::to_string(std::max(100000, o.window * 2)));
    set(c, "queue.buffering.max.kbytes", "2097151");
    set(c, "message.timeout.ms", "120000");
    // A transactional producer is an idempotent one.
    set(c, "enable.idempotence", o.idempotent || o.transaction_messages > 0 ? "true" : "false");
    if (o.transaction_messages > 0) {
      set(c, "transactional.id", "sluice-bench-" + std::to_string(::getpid()));
      set(c, "transaction.timeout.ms", "120000");  // librdkafka: >= message.timeout.ms
    }
    set_props(c, o.producer_props);
    rd_kafka_conf_set_opaque(c, &st_);
    rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk_) fatal(std::string("producer: ") + err);
    if (o.transaction_messages > 0) check_txn(rd_kafka_init_transactions(rk_, 30000), "init");
  }
  // After ensure_topic(): a topic handle makes librdkafka ask for the topic's metadata, which
  // lets the broker auto-create it with the default partition count.
  void open_topic() { rkt_ = rd_kafka_topic_new(rk_, o_.topic.c_str(), nullptr); }
  ~Producer() {
    if (rkt_) rd_kafka_topic_destroy(rkt_);
    rd_kafka_destroy(rk_);
  }
  rd_kafka_t* handle() { return rk_; }

  // Sends until the count or duration is reached; returns the number sent. first_send_ns is
  // the start of the schedule.
  int64_t run(Progress& pr, int64_t* first_send_ns) {
    std::vector<char> payload(static_cast<size_t>(std::max(o_.size, 16)));
    std::mt19937_64 rng(42);
    for (size_t i = 16; i < payload.size(); ++i) payload[i] = static_cast<char>(rng());
    char key[17];
    const int64_t t0 = now_ns();
    *first_send_ns = t0;
    const int64_t end_ns =
        o_.duration > 0 ? t0 + static_cast<int64_t>(o_.duration * 1e9) : INT64_MAX;
    int64_t limit = o_.count > 0 ? o_.count : INT64_MAX;
    if (o_.rate > 0 && o_.count <= 0 && o_.duration > 0)
      limit = static_cast<int64_t>(o_.rate * o_.duration);
    int64_t i = 0;
    const int64_t per_txn = o_.transaction_messages;
    if (per_txn > 0) check_txn(rd_kafka_begin_transaction(rk_), "begin");
    for (; i < limit; ++i) {
      if (per_txn > 0 && i > 0 && i % per_txn == 0) {
        // Commit flushes the transaction's messages and waits for its markers; the next one
        // begins at once.
        check_txn(rd_kafka_commit_transaction(rk_, -1), "commit");
        ++st_.transactions;
        check_txn(rd_kafka_begin_transaction(rk_), "begin");
      }
      int64_t stamp;
      if (o_.rate > 0) {
        stamp = t0 + static_cast<int64_t>(static_cast<__int128>(i) * 1000000000 / o_.rate);
        rd_kafka_poll(rk_, 0);
        if (now_ns() < stamp) sleep_until_ns(stamp);
      } else {
        stamp = now_ns();
        if (stamp >= end_ns) break;
      }
      // Window: at most o_.window messages sent and not yet acknowledged.
      while (i - st_.delivered >= o_.window) rd_kafka_poll(rk_, 1);
      if (o_.rate <= 0) stamp = now_ns();
      std::memcpy(payload.data(), &stamp, 8);
      std::memcpy(payload.data() + 8, &i, 8);
      const void* k = nullptr;
      size_t klen = 0;
      if (o_.keys) {
        uint64_t r = rng();
        std::snprintf(key, sizeof key, "%016" PRIx64, r);
        k = key;
        klen = 16;
      }
      while (rd_kafka_produce(rkt_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload.data(),
                              static_cast<size_t>(o_.size), k, klen,
                              reinterpret_cast<void*>(static_cast<intptr_t>(stamp))) != 0) {
        auto e = rd_kafka_last_error();
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
          fatal(std::string("produce: ") + rd_kafka_err2str(e));
        rd_kafka_poll(rk_, 1);
      }
      pr.sent.store(i + 1, std::memory_order_relaxed);
      rd_kafka_poll(rk_, 0);
    }
    if (per_txn > 0) {
      check_txn(rd_kafka_commit_transaction(rk_, -1), "commit");
      ++st_.transactions;
      st_.last_commit_ns = now_ns();
    }
    return i;
  }

  // Serves delivery reports until all `sent` are delivered or nothing moves for timeout_s.
  void drain(int64_t sent) {
    int64_t last = st_.delivered, last_move = now_ns();
    while (st_.delivered < sent) {
      rd_kafka_poll(rk_, 10);
      if (st_.delivered != last) {
        last = st_.delivered;
        last_move = now_ns();
      } else if (now_ns() - last_move > static_cast<int64_t>(o_.timeout_s * 1e9)) {
        std::fprintf(stderr, "sluice-bench: %" PRId64 " messages never acknowledged\n",
                     sent - st_.delivered);
        break;
      }
    }
  }
  ProducerState& state() { return st_; }

 private:
  static void check_txn(rd_kafka_error_t* e, const char* what) {
    if (!e) return;
    std::string msg = std::string("transaction ") + what + ": " + rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    fatal(msg);
  }
  const Options& o_;
  ProducerState st_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
void progress_loop(const Options& o, Progress& pr) {
  const int64_t t0 = now_ns();
  int64_t prev_sent = 0, prev_acked = 0, prev_recv = 0;
  int64_t next = t0 + 1'000'000'000;
  while (!pr.done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int64_t t = now_ns();
    if (t < next) continue;
    next += 1'000'000'000;
    const int64_t s = pr.sent.load(), a = pr.acked.load(), r = pr.received.load();
    if (!o.quiet)
      std::fprintf(stderr,
                   "[%5.1fs] sent %" PRId64 " (+%" PRId64 "/s) acked %" PRId64 " (+%" PRId64
                   "/s, %.1f MB/s) received %" PRId64 " (+%" PRId64 "/s) in flight %" PRId64
                   " errors %" PRId64 "\n",
                   (t - t0) / 1e9, s, s - prev_sent, a, a - prev_acked,
                   (a - prev_acked) * static_cast<double>(o.size) / 1e6, r, r - prev_recv, s - a,
                   pr.errors.load());
    prev_sent = s;
    prev_acked = a;
    prev_recv = r;
  }
}

void report(const Options& o, int64_t msgs, double secs, const Histogram* h) {
  const double rate = secs > 0 ? static_cast<double>(msgs) / secs : 0;
  auto ms = [&](uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  std::printf("system=%s workload=%s msgs=%" PRId64
              " size=%d msgs_per_s=%.0f MB_per_s=%.2f p50_ms=%.3f "
              "p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
              o.system.c_str(), o.workload.c_str(), msgs, o.size, rate, rate * o.size / 1e6,
              h ? ms(h->percentile(0.50)) : 0.0, h ? ms(h->percentile(0.99)) : 0.0,
              h ? ms(h->percentile(0.999)) : 0.0, h ? ms(h->max()) : 0.0);
  std::fflush(stdout);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::fprintf(stderr, "sluice-bench: client cpu user %.2f s sys %.2f s\n",
               ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
               ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

int run_produce(const Options& o) {
  Progress pr;
  Producer p(o, pr);
  ensure_topic(p.handle(), o);
  p.open_topic();
  std::thread prog(progress_loop, std::cref(o), std::ref(pr));
  int64_t t0 = 0;
  const int64_t sent = p.run(pr, &t0);
  p.drain(sent);
  pr.done = true;
  prog.join();
  auto& st = p.state();
  const int64_t acked = static_cast<int64_t>(st.ack_latency.count());
  // A transactional run is done when its last transaction is committed, not at the last ack.
  const int64_t end = std::max(st.last_ack_ns, st.last_commit_ns);
  report(o, acked, end > t0 ? (end - t0) / 1e9 : 0, &st.ack_latency);
  if (o.transaction_messages > 0)
    std::fprintf(stderr, "sluice-bench: %" PRId64 " transactions committed\n", st.transactions);
  if (st.errors) {
    std::fprintf(stderr, "sluice-bench: %" PRId64 " delivery errors (first: %s)\n", st.errors,
                 st.first_error.c_str());
    return 3;
  }
  return acked == sent ? 0 : 3;
}

int run_consume(const Options& o) {
  Progress pr;
  rd_kafka_conf_t* c = base_conf(o);
  char err[512];
  rd_kafka_t* admin = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  if (!admin) fatal(err);
  TopicInfo info = describe_topic(admin, o.topic);
  rd_kafka_destroy(admin);
  if (!info.exists || info.partitions.empty()) fatal("topic " + o.topic + " does not exist");
  Consumer cons(o, info.partitions, false);
  int64_t available = 0;
  for (auto& [p, hi] : cons.end_offsets()) available += hi;  // approximate: assumes start 0
  const int64_t target = o.count > 0 ? o.count : available;
  std::atomic<bool> stop{false};
  std::thread prog(progress_loop, std::cref(o), std::ref(pr));
  std::thread timer;
  if (o.duration > 0)
    timer = std::thread([&] {
      const int64_t end = now_ns() + static_cast<int64_t>(o.duration * 1e9);
      while (!pr.done && now_ns() < end) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      stop = true;
    });
  auto r = cons.run([&] { return target; }, pr, stop, false);
  pr.done = true;
  prog.join();
  if (timer.joinable()) timer.join();
  report(o, r.received, r.last_ns > r.first_ns ? (r.last_ns - r.first_ns) / 1e9 : 0, nullptr);
  return r.received > 0 ? 0 : 3;
}

// A thread that sleeps until t and is woken late by d cannot answer anything before t + d: this
// machine's scheduling latency bounds every latency figure from below. Sleeps on the absolute
// schedule t0 + i * period and records how late each wake-up is (no broker involved).
int run_jitter(Options o, int period_us) {
  o.size = 0;  // wake-ups carry no payload: MB/s reads 0
  Histogram late;
  const int64_t period = static_cast<int64_t>(period_us) * 1000;
  const int64_t t0 = now_ns() + period;
  const int64_t end = t0 + static_cast<int64_t>(o.duration * 1e9);
  for (int64_t t = t0; t < end; t += period) {
    sleep_until_ns(t);
    const int64_t now = now_ns();
    late.record(now - t);
    while (t + period < now) t += period;  // skip slots missed while stalled
  }
  report(o, static_cast<int64_t>(late.count()), o.duration, &late);
  return 0;
}

// Payload MB/s counts records x --size, as the other modes do; the wire rate (headers and batch
// framing included) goes to stderr.
int run_fetch(const Options& o) {
  sluice::bench::RawFetchOptions ro;
  ro.bootstrap = o.bootstrap;
  ro.topic = o.topic;
  ro.partitions = o.partitions;
  ro.partition_max_bytes = o.fetch_max_bytes;
  ro.timeout_s = o.timeout_s;
  ro.max_records = o.count;
  const auto r = sluice::bench::raw_fetch(ro);
  std::fprintf(stderr, "sluice-bench: %" PRId64 " fetches, wire %.2f MB/s\n", r.fetches,
               r.seconds > 0 ? static_cast<double>(r.wire_bytes) / r.seconds / 1e6 : 0.0);
  report(o, r.records, r.seconds, nullptr);
  return r.records > 0 ? 0 : 3;
}

// Creates the topic (librdkafka's admin API, as the other modes), then produces on one raw
// connection. The client's CPU goes to stderr with the result, to show it was not the limit.
int run_raw_produce(const Options& o, sluice::bench::RawProduceOptions ro) {
  {
    Options admin = o;
    admin.partitions_set = true;
    rd_kafka_conf_t* c = base_conf(admin);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk) fatal(err);
    ro.partitions = static_cast<int>(ensure_topic(rk, admin).size());
    rd_kafka_destroy(rk);
  }
  ro.bootstrap = o.bootstrap;
  ro.topic = o.topic;
  ro.size = o.size;
  ro.duration_s = o.duration > 0 ? o.duration : 8;
  const auto r = sluice::bench::raw_produce(ro);
  std::fprintf(stderr, "sluice-bench: %" PRId64 " requests, %" PRId64 " transactions\n", r.requests,
               r.transactions);
  report(o, r.records, r.seconds, nullptr);
  return r.records > 0 ? 0 : 3;
}

int run_e2e(const Options& o) {
  Progress pr;
  Producer p(o, pr);
  auto partitions = ensure_topic(p.handle(), o);
  p.open_topic();
  Consumer cons(o, partitions, true);
  std::atomic<int64_t> target{-1};
  std::atomic<bool> stop{false};
  ConsumerResult cr;
  std::thread consumer([&] { cr = cons.run([&] { return target.load(); }, pr, stop, true); });
  // Let the consumer's first fetches reach the broker before the clock starts.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::thread prog(progress_loop, std::cref(o), std::ref(pr));
  int64_t t0 = 0;
  const int64_t sent = p.run(pr, &t0);
  p.drain(sent);
  const auto& st = p.state();
  target = static_cast<int64_t>(st.ack_latency.count());  // what the broker accepted
  consumer.join();
  pr.done = true;
  prog.join();
  if (cr.received < target)
    std::fprintf(stderr, "sluice-bench: received %" PRId64 " of %" PRId64 "\n", cr.received,
                 target.load());
  std::fprintf(stderr, "sluice-bench: produce ack latency p50 %.3f ms p99 %.3f ms max %.3f ms\n",
               st.ack_latency.percentile(0.5) / 1e6, st.ack_latency.percentile(0.99) / 1e6,
               st.ack_latency.max() / 1e6);
  report(o, cr.received, cr.last_ns > t0 ? (cr.last_ns - t0) / 1e9 : 0, &cr.latency);
  return (st.errors == 0 && cr.received == target) ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"sluice-bench: Kafka-protocol load generator (librdkafka)"};
  app.require_subcommand(1);
  auto add_common = [&](CLI::App* sub, bool producer, bool consumer) {
    sub->add_option("--bootstrap", o.bootstrap, "Broker HOST:PORT")->capture_default_str();
    sub->add_option("--topic", o.topic, "Topic")->capture_default_str();
    sub->add_option("--system", o.system, "Name in the result line")->capture_default_str();
    sub->add_option("--workload", o.workload, "Workload label in the result line (default: mode)");
    sub->add_option("--size", o.size, "Payload bytes (>= 16)")
        ->capture_default_str()
        ->check(CLI::Range(16, 100 << 20));
    auto* count = sub->add_option("--count", o.count, "Messages to send/receive");
    sub->add_option("--duration", o.duration,
                    "Seconds to run (with --rate: count = rate x duration)")
        ->excludes(count);
    sub->add_option("--timeout", o.timeout_s, "Give up after this many seconds without progress")
        ->capture_default_str();
    sub->add_flag("--quiet", o.quiet, "No progress lines");
    sub->add_option("--fetch-wait-ms", o.fetch_wait_ms, "Consumer fetch.wait.max.ms")
        ->capture_default_str();
    if (producer) {
      sub->add_option("--rate", o.rate, "Messages/s on an absolute schedule (0 = unlimited)")
          ->capture_default_str();
      sub->add_option("--partitions", o.partitions,
                      "Create the topic with this many partitions if absent")
          ->capture_default_str();
      sub->add_option("--acks", o.acks, "0, 1 or all")
          ->capture_default_str()
          ->check(CLI::IsMember({"0", "1", "all", "-1"}));
      sub->add_option("--compression", o.compression, "none, gzip, snappy, lz4, zstd")
          ->capture_default_str()
          ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
      sub->add_flag("--keys", o.keys, "Random 16-byte keys (spread over partitions)");
      sub->add_flag("--idempotent", o.idempotent,
                    "Idempotent producer (enable.idempotence=true; needs --acks all)");
      sub->add_option("--transaction-messages", o.transaction_messages,
                      "Transactional producer committing every N messages (0: none)")
          ->capture_default_str()
          ->check(CLI::NonNegativeNumber);
      sub->add_option("--window", o.window, "Max messages sent and not yet acknowledged")
          ->capture_default_str()
          ->check(CLI::PositiveNumber);
      sub->add_option("--linger-ms", o.linger_ms, "Producer linger.ms")->capture_default_str();
      sub->add_option("-X,--producer-property", o.producer_props,
                      "Extra librdkafka producer key=value");
    }
    if (consumer)
      sub->add_option("-C,--consumer-property", o.consumer_props,
                      "Extra librdkafka consumer key=value");
  };
  auto* produce = app.add_subcommand("produce", "Produce and measure send->ack latency");
  auto* consume = app.add_subcommand("consume", "Consume a topic from the beginning");
  auto* e2e = app.add_subcommand("e2e", "Produce and consume at once; latency = receive - send");
  add_common(produce, true, false);
  add_common(consume, false, true);
  add_common(e2e, true, true);
  auto* fetch = app.add_subcommand(
      "fetch", "Read a topic with raw Fetch requests (no client library): the broker's ceiling");
  add_common(fetch, false, false);
  fetch->add_option("--partitions", o.partitions, "Fetch partitions 0..N-1")->capture_default_str();
  fetch->add_option("--fetch-max-bytes", o.fetch_max_bytes, "partition_max_bytes per fetch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sluice::bench::RawProduceOptions raw;
  auto* raw_produce = app.add_subcommand(
      "raw-produce",
      "Durable produce with raw requests (no client library): what each guarantee costs the "
      "broker");
  add_common(raw_produce, false, false);
  raw_produce->add_option("--partitions", o.partitions, "Create the topic with this many")
      ->capture_default_str();
  raw_produce->add_option("--mode", raw.mode, "plain, idempotent or transactional")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, sluice::bench::RawProduceMode>{
              {"plain", sluice::bench::RawProduceMode::plain},
              {"idempotent", sluice::bench::RawProduceMode::idempotent},
              {"transactional", sluice::bench::RawProduceMode::transactional}},
          CLI::ignore_case));
  raw_produce->add_option("--records-per-batch", raw.records_per_batch, "Records per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  raw_produce->add_option("--in-flight", raw.in_flight, "Requests pipelined, unanswered")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  raw_produce
      ->add_option("--transaction-batches", raw.transaction_batches,
                   "Transactional: batches per transaction")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  int jitter_period_us = 500;
  auto* jitter = app.add_subcommand(
      "jitter", "No broker: measure how late a sleeping thread is woken (scheduling latency)");
  jitter->add_option("--duration", o.duration, "Seconds to run")->capture_default_str();
  jitter->add_option("--period-us", jitter_period_us, "Sleep period")
      ->capture_default_str()
      ->check(CLI::Range(10, 1000000));
  jitter->add_option("--system", o.system, "Name in the result line")->capture_default_str();
  jitter->add_flag("--quiet", o.quiet, "Accepted for symmetry (jitter prints no progress)");
  CLI11_PARSE(app, argc, argv);
  CLI::App* sub = app.get_subcommands().front();
  o.mode = sub->get_name();
  if (auto* opt = sub->get_option_no_throw("--partitions")) o.partitions_set = opt->count() > 0;
  if (o.workload.empty()) o.workload = o.mode;
  if (o.partitions < 1) fatal("--partitions must be >= 1");
  if (o.mode == "jitter" && o.duration <= 0) o.duration = 10;
  if (o.mode != "consume" && o.mode != "fetch" && o.mode != "jitter" && o.mode != "raw-produce" &&
      o.count <= 0 && o.duration <= 0)
    o.count = 200000;
  if (o.mode == "produce") return run_produce(o);
  if (o.mode == "consume") return run_consume(o);
  if (o.mode == "fetch") return run_fetch(o);
  if (o.mode == "raw-produce") return run_raw_produce(o, raw);
  if (o.mode == "jitter") return run_jitter(o, jitter_period_us);
  return run_e2e(o);
}

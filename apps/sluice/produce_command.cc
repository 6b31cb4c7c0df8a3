// `sluice produce TOPIC`: one message per stdin line, then wait for every delivery report.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "kafka_handles.h"
#include "key_value.h"

namespace sluice::cli {
namespace {

// Extra time to wait for delivery reports beyond message.timeout.ms.
constexpr int kFlushGraceMs = 2000;

struct ProduceOptions {
  std::string topic;
  int partition = RD_KAFKA_PARTITION_UA;
  std::optional<std::string> key_separator;
  std::vector<std::string> headers;
  std::string compression = "none";
  std::string acks = "all";
  int linger_ms = 5;
};

struct DeliveryStats {
  long delivered = 0;
  long failed = 0;
  std::string first_error;

  void fail(const std::string& error) {
    ++failed;
    if (first_error.empty()) first_error = error;
  }
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* stats = static_cast<DeliveryStats*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++stats->delivered;
  } else {
    stats->fail(rd_kafka_err2str(msg->err));
  }
}

HeadersPtr make_header_template(const std::vector<std::string>& args) {
  if (args.empty()) return nullptr;
  HeadersPtr headers(rd_kafka_headers_new(args.size()));
  for (const auto& [key, value] : parse_key_values(args, "--header")) {
    rd_kafka_header_add(headers.get(), key.data(), static_cast<ssize_t>(key.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  return headers;
}

// Queues one message, waiting while librdkafka's local queue is full. Returns the error of
// rd_kafka_producev (delivery errors arrive later through on_delivery).
rd_kafka_resp_err_t send(rd_kafka_t* rk, const ProduceOptions& o, const rd_kafka_headers_t* tmpl,
                         const std::string& line) {
  const char* key = nullptr;
  size_t key_len = 0;
  const char* value = line.data();
  size_t value_len = line.size();
  if (o.key_separator) {
    const auto pos = line.find(*o.key_separator);
    if (pos != std::string::npos) {
      key = line.data();
      key_len = pos;
      value = line.data() + pos + o.key_separator->size();
      value_len = line.size() - pos - o.key_separator->size();
    }
  }
  for (;;) {
    // librdkafka owns the headers once producev succeeded, so each attempt gets its own copy.
    rd_kafka_headers_t* headers = tmpl != nullptr ? rd_kafka_headers_copy(tmpl) : nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o.topic.c_str()), RD_KAFKA_V_PARTITION(o.partition),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value), value_len),
                          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return err;
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
    rd_kafka_poll(rk, 100);
  }
}

void run_produce(const ProduceOptions& o, const GlobalOptions& global) {
  HeadersPtr header_template = make_header_template(o.headers);
  if (o.key_separator && o.key_separator->empty()) {
    throw UsageError("--key-separator must not be empty");
  }

  DeliveryStats stats;
  ConfPtr conf = make_conf(global);
  set_conf(conf.get(), "acks", o.acks);
  set_conf(conf.get(), "compression.type", o.compression);
  set_conf(conf.get(), "linger.ms", std::to_string(o.linger_ms));
  set_conf(conf.get(), "message.timeout.ms", std::to_string(global.timeout_ms + o.linger_ms));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), &stats);
  HandlePtr rk = make_handle(RD_KAFKA_PRODUCER, std::move(conf));

  // Fail early and clearly on an unreachable broker, a missing topic or partition.
  const TopicInfo topic = fetch_topic(rk.get(), global, o.topic);
  if (o.partition != RD_KAFKA_PARTITION_UA &&
      static_cast<size_t>(o.partition) >= topic.partitions.size()) {
    throw CliError("partition " + std::to_string(o.partition) + " does not exist (topic '" +
                   o.topic + "' has " + std::to_string(topic.partitions.size()) + ")");
  }

  std::ios::sync_with_stdio(false);
  long queued = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    const rd_kafka_resp_err_t err = send(rk.get(), o, header_template.get(), line);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      stats.fail(std::string("cannot queue message: ") + rd_kafka_err2str(err));
      break;
    }
    ++queued;
    rd_kafka_poll(rk.get(), 0);  // Serve delivery reports.
  }

  rd_kafka_flush(rk.get(), global.timeout_ms + o.linger_ms + kFlushGraceMs);
  const long unreported = queued - stats.delivered - stats.failed;
  if (unreported > 0) {
    stats.failed += unreported;
    if (stats.first_error.empty()) stats.first_error = "no delivery report before the timeout";
  }
  std::fprintf(stderr, "produced %ld messages\n", stats.delivered);
  if (stats.failed > 0) {
    throw CliError(std::to_string(stats.failed) + " message(s) failed: " + stats.first_error);
  }
}

}  // namespace

void add_produce_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<ProduceOptions>();
  CLI::App* sub = app.add_subcommand(
      "produce", "Produce stdin to a topic, one message per line; prints a summary to stderr");
  sub->add_option("topic", o->topic, "Topic name")->required();
  sub->add_option("-p,--partition", o->partition,
                  "Partition to write to (default: chosen by the partitioner)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("-K,--key-separator", o->key_separator,
                  "Split each line at the first SEP into key and value (lines without SEP get "
                  "no key)");
  sub->add_option("-H,--header", o->headers, "Header k=v added to every message (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("-z,--compression", o->compression, "Compression codec")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  sub->add_option("-a,--acks", o->acks, "Acknowledgements to wait for")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "all"}));
  sub->add_option("--linger-ms", o->linger_ms, "Time to wait to fill batches")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->callback([o, &global, &action] { action = [o, &global] { run_produce(*o, global); }; });
}

}  // namespace sluice::cli

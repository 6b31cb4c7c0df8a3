// `sluice consume TOPIC`: reads partitions by explicit assignment (no consumer group offsets).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "kafka_handles.h"
#include "output_format.h"

namespace sluice::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int /*sig*/) { g_interrupted = 1; }

struct ConsumeOptions {
  std::string topic;
  int partition = -1;  // -1: every partition.
  std::string from = "earliest";
  bool follow = false;
  long max_messages = 0;  // 0: no limit.
  std::string format = "%v\\n";
};

// Where to start reading, as given by --from.
struct StartPosition {
  enum class Kind { kEarliest, kLatest, kOffset, kTimestamp } kind = Kind::kEarliest;
  int64_t value = 0;
};

int64_t parse_non_negative(std::string_view text, const std::string& what) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    throw UsageError("--from: bad " + what + " '" + std::string(text) +
                     "' (use earliest, latest, OFFSET or @TIMESTAMP_MS)");
  }
  return v;
}

StartPosition parse_from(const std::string& from) {
  if (from == "earliest" || from == "beginning") return {StartPosition::Kind::kEarliest, 0};
  if (from == "latest" || from == "end") return {StartPosition::Kind::kLatest, 0};
  if (!from.empty() && from[0] == '@') {
    return {StartPosition::Kind::kTimestamp,
            parse_non_negative(std::string_view(from).substr(1), "timestamp")};
  }
  return {StartPosition::Kind::kOffset, parse_non_negative(from, "offset")};
}

std::string random_group_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return std::string("sluice-cli-") + buf;
}

// Per-partition reading state.
struct PartitionState {
  int64_t start = 0;  // First offset to read.
  int64_t end = 0;    // High watermark when we started; reading stops there unless following.
  bool done = false;
};

// Resolves --from to a concrete start offset for every partition, clamped to the partition's
// [low, high] watermarks so that out-of-range offsets never trigger an offset reset.
std::map<int32_t, PartitionState> resolve_positions(rd_kafka_t* rk, const GlobalOptions& global,
                                                    const std::string& topic,
                                                    const std::vector<int32_t>& partitions,
                                                    const StartPosition& from) {
  std::map<int32_t, PartitionState> states;
  std::map<int32_t, int64_t> low;
  for (int32_t p : partitions) {
    int64_t lo = 0;
    int64_t hi = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, global.timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw CliError(describe_error(
          err, "cannot read offsets of partition " + std::to_string(p) + " of '" + topic + "'",
          global));
    }
    low[p] = lo;
    states[p].end = hi;
  }

  if (from.kind == StartPosition::Kind::kTimestamp) {
    for (const auto& [p, offset] : offsets_for_time(rk, topic, partitions, from.value, global)) {
      // -1: no message at or after the timestamp, so start at the end.
      states[p].start = offset < 0 ? states[p].end : offset;
    }
  }

  for (auto& [p, s] : states) {
    switch (from.kind) {
      case StartPosition::Kind::kEarliest:
        s.start = low[p];
        break;
      case StartPosition::Kind::kLatest:
        s.start = s.end;
        break;
      case StartPosition::Kind::kOffset:
        s.start = from.value;
        break;
      case StartPosition::Kind::kTimestamp:
        break;
    }
    s.start = std::clamp(s.start, low[p], s.end);
  }
  return states;
}

MessageView view_of(const rd_kafka_message_t* msg, const std::string& topic, bool with_headers) {
  MessageView v;
  v.topic = topic;
  if (msg->key != nullptr) v.key = {static_cast<const char*>(msg->key), msg->key_len};
  if (msg->payload != nullptr) v.value = {static_cast<const char*>(msg->payload), msg->len};
  v.partition = msg->partition;
  v.offset = msg->offset;
  rd_kafka_timestamp_type_t ts_type;
  v.timestamp = rd_kafka_message_timestamp(msg, &ts_type);
  rd_kafka_headers_t* headers = nullptr;
  if (with_headers && rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      v.headers.emplace_back(name, value != nullptr
                                       ? std::string_view(static_cast<const char*>(value), size)
                                       : std::string_view());
    }
  }
  return v;
}

// Consumer errors that will not go away by waiting.
bool is_permanent(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__FATAL:
      return true;
    default:
      return false;
  }
}

void run_consume(const ConsumeOptions& o, const GlobalOptions& global) {
  const StartPosition from = parse_from(o.from);
  const MessageFormat format = MessageFormat::parse(o.format);

  ConfPtr conf = make_conf(global);
  set_conf(conf.get(), "group.id", random_group_id());
  set_conf(conf.get(), "enable.auto.commit", "false");
  set_conf(conf.get(), "enable.auto.offset.store", "false");
  set_conf(conf.get(), "enable.partition.eof", "true");
  set_conf(conf.get(), "auto.offset.reset", "earliest");
  set_conf(conf.get(), "allow.auto.create.topics", "false");
  HandlePtr rk = make_handle(RD_KAFKA_CONSUMER, std::move(conf));
  rd_kafka_poll_set_consumer(rk.get());

  const TopicInfo topic = fetch_topic(rk.get(), global, o.topic);
  std::vector<int32_t> partitions;
  for (const auto& p : topic.partitions) {
    if (o.partition < 0 || p.id == o.partition) partitions.push_back(p.id);
  }
  if (partitions.empty()) {
    throw CliError("partition " + std::to_string(o.partition) + " does not exist (topic '" +
                   o.topic + "' has " + std::to_string(topic.partitions.size()) + ")");
  }

  std::map<int32_t, PartitionState> states =
      resolve_positions(rk.get(), global, o.topic, partitions, from);
  size_t remaining = 0;
  PartitionListPtr assignment(rd_kafka_topic_partition_list_new(static_cast<int>(states.size())));
  for (auto& [p, s] : states) {
    if (!o.follow && s.start >= s.end) {
      s.done = true;
      continue;
    }
    rd_kafka_topic_partition_list_add(assignment.get(), o.topic.c_str(), p)->offset = s.start;
    ++remaining;
  }
  if (remaining == 0) return;  // Nothing to read and not following.

  if (const rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw CliError(std::string("cannot assign partitions: ") + rd_kafka_err2str(err));
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  long printed = 0;
  std::string out;
  auto last_progress = std::chrono::steady_clock::now();
  auto finish = [&] {
    rd_kafka_assign(rk.get(), nullptr);
    rd_kafka_consumer_close(rk.get());
  };

  while (!g_interrupted && (o.follow || remaining > 0) &&
         (o.max_messages == 0 || printed < o.max_messages)) {
    MessagePtr msg(rd_kafka_consumer_poll(rk.get(), 100));
    const auto now = std::chrono::steady_clock::now();
    if (!msg) {
      if (!o.follow && now - last_progress > std::chrono::milliseconds(global.timeout_ms)) {
        finish();
        throw CliError("timed out after " + std::to_string(global.timeout_ms) +
                       " ms waiting for messages from '" + o.topic + "' at " + global.bootstrap);
      }
      continue;
    }
    PartitionState* state = nullptr;
    if (auto it = states.find(msg->partition); it != states.end()) state = &it->second;

    // Only messages and end-of-partition count as progress: a dead broker keeps reporting
    // transport errors, which must not keep a non-following consume alive.
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      last_progress = now;
    }
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (!o.follow && state != nullptr && !state->done) {
        state->done = true;
        --remaining;
      }
      continue;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (is_permanent(msg->err)) {
        const std::string error = rd_kafka_message_errstr(msg.get());
        finish();
        throw CliError("consume failed: " + error);
      }
      if (global.verbose) {
        std::fprintf(stderr, "sluice: consumer: %s\n", rd_kafka_message_errstr(msg.get()));
      }
      continue;
    }
    if (!o.follow && (state == nullptr || state->done || msg->offset >= state->end)) continue;

    out.clear();
    format.append(view_of(msg.get(), o.topic, format.uses_headers()), out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (o.follow) std::fflush(stdout);
    ++printed;
    if (!o.follow && msg->offset + 1 >= state->end) {
      state->done = true;
      --remaining;
    }
  }
  std::fflush(stdout);
  finish();
}

}  // namespace

void add_consume_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<ConsumeOptions>();
  CLI::App* sub = app.add_subcommand(
      "consume", "Print messages of a topic; without --follow, stop at the end of every partition");
  sub->add_option("topic", o->topic, "Topic name")->required();
  sub->add_option("-p,--partition", o->partition, "Read only this partition (default: all)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--from", o->from,
                  "Start position: earliest, latest, an OFFSET, or @TIMESTAMP_MS")
      ->capture_default_str();
  sub->add_flag("-f,--follow", o->follow, "Keep waiting for new messages (stop with Ctrl-C)");
  sub->add_option("-n,--max-messages", o->max_messages, "Stop after N messages (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--format", o->format,
                  "Output template: %k key, %v value, %p partition, %o offset, %t timestamp, "
                  "%h headers, %T topic, %% percent; \\n \\t escapes")
      ->capture_default_str();
  sub->callback([o, &global, &action] { action = [o, &global] { run_consume(*o, global); }; });
}

}  // namespace sluice::cli

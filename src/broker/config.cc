#include "sluice/broker/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace sluice::broker {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

std::vector<ConfigKey> make_broker_keys() {
  using T = ConfigType;
  return {
      {"node.id", T::int32, "0", 0, INT32_MAX},
      {"broker.id", T::int32, "0", 0, INT32_MAX},
      {"num.partitions", T::int32, "1", 1, 100000},
      {"default.replication.factor", T::int32, "1", 1, 1},
      {"auto.create.topics.enable", T::boolean, "true"},
      {"delete.topic.enable", T::boolean, "true"},
      {"log.segment.bytes", T::int32, "1073741824", 14, INT32_MAX},
      {"log.roll.ms", T::int64, "604800000", 1},
      {"log.retention.ms", T::int64, "604800000", -1},
      {"log.retention.bytes", T::int64, "-1", -1},
      {"log.retention.check.interval.ms", T::int64, "300000", 1},
      {"log.index.interval.bytes", T::int32, "4096", 0, INT32_MAX},
      {"log.index.size.max.bytes", T::int32, "10485760", 4096, INT32_MAX},
      {"log.message.timestamp.type",
       T::string,
       "CreateTime",
       0,
       0,
       {"CreateTime", "LogAppendTime"}},
      {"log.flush.policy", T::string, "always", 0, 0, {"always", "interval"}},
      {"log.flush.interval.ms", T::int64, "1000", 1},
      {"log.cleanup.policy",
       T::string,
       "delete",
       0,
       0,
       {"delete", "compact", "compact,delete", "delete,compact"}},
      {"message.max.bytes", T::int32, "1048588", 0, INT32_MAX},
      {"log.message.timestamp.before.max.ms", T::int64, "9223372036854775807", 0},
      {"log.message.timestamp.after.max.ms", T::int64, "3600000", 0},
      {"min.insync.replicas", T::int32, "1", 1, INT32_MAX},
      {"socket.request.max.bytes", T::int32, "104857600", 1024, INT32_MAX},
      {"queued.max.requests", T::int32, "500", 1, 1000000},
      {"max.connections", T::int32, "10000", 1, INT32_MAX},
      {"connections.max.idle.ms", T::int64, "600000", 1},
      {"offsets.topic.num.partitions", T::int32, "50", 1, 1000},
      {"offsets.retention.minutes", T::int64, "10080", 1},
      {"offset.metadata.max.bytes", T::int32, "4096", 0, INT32_MAX},
      {"group.min.session.timeout.ms", T::int32, "6000", 1, INT32_MAX},
      {"group.max.session.timeout.ms", T::int32, "1800000", 1, INT32_MAX},
      {"group.initial.rebalance.delay.ms", T::int32, "3000", 0, INT32_MAX},
      {"group.max.size", T::int32, "2147483647", 1, INT32_MAX},
      // Idempotent producers idle this long are forgotten (checked with retention).
      {"producer.id.expiration.ms", T::int64, "86400000", 1},
      // Transactions: the coordinator's log, the longest timeout a producer may ask for, how
      // often open transactions are checked against theirs, and when an idle id is forgotten.
      {"transaction.state.log.num.partitions", T::int32, "50", 1, 1000},
      {"transaction.max.timeout.ms", T::int32, "900000", 1, INT32_MAX},
      {"transaction.abort.timed.out.transaction.cleanup.interval.ms", T::int32, "10000", 1,
       INT32_MAX},
      {"transactional.id.expiration.ms", T::int64, "604800000", 1},
      {"max.connections.per.ip", T::int32, "1000", 1, INT32_MAX},
      {"queued.max.request.bytes", T::int64, "104857600", 1},
      // Event loops, one per core; partitions and connections are spread over them. 0: one per
      // CPU this process may run on.
      {"num.shards", T::int32, "0", 0, 1024},
      // Kafka's server.properties names for what the flags also set (a flag wins): the client
      // listener, the address clients are told, the data dir, and retention in coarser units.
      {"listeners", T::string, ""},
      {"advertised.listeners", T::string, ""},
      {"controller.listener.names", T::string, ""},
      {"listener.security.protocol.map", T::string, ""},
      {"log.dirs", T::string, ""},
      {"log.dir", T::string, ""},
      {"log.retention.minutes", T::int32, "-1", INT32_MIN, INT32_MAX},
      {"log.retention.hours", T::int32, "168", INT32_MIN, INT32_MAX},
  };
}

// Kafka broker keys that a server.properties commonly holds and Sluice has no use for, each with
// the reason given in the warning.
std::vector<IgnoredKey> make_ignored_keys() {
  constexpr std::string_view kraft = "Sluice has no KRaft quorum (one node, metadata on disk)";
  constexpr std::string_view replication = "Sluice does not replicate yet (one node)";
  constexpr std::string_view threads = "Sluice runs one event loop per core (see num.shards)";
  constexpr std::string_view zk = "Sluice never uses ZooKeeper";
  return {
      {"process.roles", kraft},
      {"controller.quorum.voters", kraft},
      {"controller.quorum.bootstrap.servers", kraft},
      {"metadata.log.dir", kraft},
      {"inter.broker.listener.name", "Sluice has one listener"},
      {"num.network.threads", threads},
      {"num.io.threads", threads},
      {"num.recovery.threads.per.data.dir", threads},
      {"background.threads", threads},
      {"socket.send.buffer.bytes", "Sluice leaves socket buffers to the kernel"},
      {"socket.receive.buffer.bytes", "Sluice leaves socket buffers to the kernel"},
      {"offsets.topic.replication.factor", replication},
      {"transaction.state.log.replication.factor", replication},
      {"transaction.state.log.min.isr", replication},
      {"share.coordinator.state.topic.replication.factor", replication},
      {"share.coordinator.state.topic.min.isr", replication},
      {"num.replica.fetchers", replication},
      {"replica.lag.time.max.ms", replication},
      {"unclean.leader.election.enable", replication},
      {"auto.leader.rebalance.enable", replication},
      {"log.flush.interval.messages",
       "Sluice acknowledges only durable writes (see log.flush.policy)"},
      {"log.flush.scheduler.interval.ms",
       "Sluice acknowledges only durable writes (see log.flush.policy)"},
      {"log.cleaner.enable", "Sluice has no log cleaner yet"},
      {"log.cleaner.threads", "Sluice has no log cleaner yet"},
      {"zookeeper.connect", zk},
      {"zookeeper.connection.timeout.ms", zk},
  };
}

// A Kafka topic config of a feature Sluice lacks: its default only.
ConfigKey missing(std::string_view name, ConfigType type, std::string_view default_value,
                  std::string_view feature) {
  ConfigKey k{name, type, default_value};
  k.missing_feature = feature;
  return k;
}

std::vector<ConfigKey> make_topic_keys() {
  using T = ConfigType;
  constexpr std::string_view compaction = "log compaction";
  constexpr std::string_view replication = "replication";
  constexpr std::string_view tiered = "tiered storage";
  return {
      {"cleanup.policy",
       T::string,
       "delete",
       0,
       0,
       {"delete", "compact", "compact,delete", "delete,compact"},
       "log.cleanup.policy"},
      {"retention.ms", T::int64, "604800000", -1, INT64_MAX, {}, "log.retention.ms"},
      {"retention.bytes", T::int64, "-1", -1, INT64_MAX, {}, "log.retention.bytes"},
      {"segment.bytes", T::int32, "1073741824", 14, INT32_MAX, {}, "log.segment.bytes"},
      {"segment.ms", T::int64, "604800000", 1, INT64_MAX, {}, "log.roll.ms"},
      {"segment.index.bytes",
       T::int32,
       "10485760",
       4096,
       INT32_MAX,
       {},
       "log.index.size.max.bytes"},
      {"index.interval.bytes", T::int32, "4096", 0, INT32_MAX, {}, "log.index.interval.bytes"},
      {"max.message.bytes", T::int32, "1048588", 0, INT32_MAX, {}, "message.max.bytes"},
      {"message.timestamp.type",
       T::string,
       "CreateTime",
       0,
       0,
       {"CreateTime", "LogAppendTime"},
       "log.message.timestamp.type"},
      {"min.insync.replicas", T::int32, "1", 1, INT32_MAX, {}, "min.insync.replicas"},
      // Checked against the broker's clock at append for CreateTime topics: INVALID_TIMESTAMP.
      {"message.timestamp.before.max.ms",
       T::int64,
       "9223372036854775807",
       0,
       INT64_MAX,
       {},
       "log.message.timestamp.before.max.ms"},
      {"message.timestamp.after.max.ms",
       T::int64,
       "3600000",
       0,
       INT64_MAX,
       {},
       "log.message.timestamp.after.max.ms"},
      // Only read when the broker recompresses, which compression.type=producer never does.
      {"compression.gzip.level", T::int32, "-1", -1, 9},
      {"compression.lz4.level", T::int32, "9", 1, 17},
      {"compression.zstd.level", T::int32, "3", -131072, 22},
      // Any value: Sluice's flush policy is the broker's (log.flush.policy), and with `always`
      // every acknowledged write is already on disk, more than any flush.messages/flush.ms asks.
      {"flush.messages", T::int64, "9223372036854775807", 1},
      {"flush.ms", T::int64, "9223372036854775807", 0},
      missing("compression.type", T::string, "producer", "recompression on the broker"),
      missing("delete.retention.ms", T::int64, "86400000", compaction),
      missing("min.compaction.lag.ms", T::int64, "0", compaction),
      missing("max.compaction.lag.ms", T::int64, "9223372036854775807", compaction),
      missing("min.cleanable.dirty.ratio", T::double_, "0.5", compaction),
      missing("file.delete.delay.ms", T::int64, "60000", "delayed deletion of segment files"),
      missing("segment.jitter.ms", T::int64, "0", "segment roll jitter"),
      missing("preallocate", T::boolean, "false", "preallocated segment files"),
      missing("unclean.leader.election.enable", T::boolean, "false", replication),
      missing("leader.replication.throttled.replicas", T::list, "", replication),
      missing("follower.replication.throttled.replicas", T::list, "", replication),
      missing("remote.storage.enable", T::boolean, "false", tiered),
      missing("local.retention.ms", T::int64, "-2", tiered),
      missing("local.retention.bytes", T::int64, "-2", tiered),
      missing("remote.log.copy.disable", T::boolean, "false", tiered),
      missing("remote.log.delete.on.disable", T::boolean, "false", tiered),
  };
}

template <typename I>
bool parse_int(std::string_view s, I& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

const std::vector<ConfigKey>& broker_config_keys() {
  static const auto keys = make_broker_keys();
  return keys;
}

const std::vector<ConfigKey>& topic_config_keys() {
  static const auto keys = make_topic_keys();
  return keys;
}

const std::vector<IgnoredKey>& ignored_kafka_keys() {
  static const auto keys = make_ignored_keys();
  return keys;
}

const ConfigKey* find_key(const std::vector<ConfigKey>& table, std::string_view name) {
  for (const auto& k : table)
    if (k.name == name) return &k;
  return nullptr;
}

std::optional<std::string> check_value(const ConfigKey& key, std::string_view value) {
  auto bad = [&](std::string_view why) {
    return std::string(key.name) + ": invalid value '" + std::string(value) +
           "': " + std::string(why);
  };
  if (!key.missing_feature.empty()) {
    if (value == key.default_value) return std::nullopt;
    return std::string(key.name) + ": Sluice has no " + std::string(key.missing_feature) +
           " yet; only the default '" + std::string(key.default_value) + "' is accepted";
  }
  switch (key.type) {
    case ConfigType::boolean:
      if (value != "true" && value != "false") return bad("expected true or false");
      return std::nullopt;
    case ConfigType::int32:
    case ConfigType::int64: {
      int64_t v;
      if (!parse_int(value, v)) return bad("expected an integer");
      if (key.type == ConfigType::int32 && (v < INT32_MIN || v > INT32_MAX))
        return bad("out of int32 range");
      if (v < key.min || v > key.max)
        return bad("must be between " + std::to_string(key.min) + " and " +
                   std::to_string(key.max));
      return std::nullopt;
    }
    case ConfigType::double_: {
      char* end = nullptr;
      const std::string text(value);
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) return bad("expected a number");
      if (v < static_cast<double>(key.min) || v > static_cast<double>(key.max))
        return bad("must be between " + std::to_string(key.min) + " and " +
                   std::to_string(key.max));
      return std::nullopt;
    }
    case ConfigType::list:
    case ConfigType::string:
      if (key.choices.empty()) return std::nullopt;
      for (auto c : key.choices)
        if (c == value) return std::nullopt;
      {
        std::string allowed;
        for (auto c : key.choices) allowed += (allowed.empty() ? "" : ", ") + std::string(c);
        return bad("expected one of " + allowed);
      }
  }
  return std::nullopt;
}

std::optional<std::string> ConfigSet::set(std::string_view key, std::string_view value) {
  const ConfigKey* k = find_key(*table_, key);
  if (!k) return "unknown configuration key '" + std::string(key) + "'";
  if (auto err = check_value(*k, value)) return err;
  values_[std::string(key)] = std::string(value);
  return std::nullopt;
}

std::string ConfigSet::get(std::string_view key) const {
  if (auto it = values_.find(std::string(key)); it != values_.end()) return it->second;
  const ConfigKey* k = find_key(*table_, key);
  return k ? std::string(k->default_value) : std::string();
}

int64_t ConfigSet::get_int(std::string_view key) const {
  int64_t v = 0;
  parse_int(std::string_view(get(key)), v);
  return v;
}

bool ConfigSet::get_bool(std::string_view key) const { return get(key) == "true"; }

ConfigSet load_broker_config(const std::optional<std::string>& file,
                             const std::vector<std::string>& assignments,
                             std::vector<std::string>* warnings) {
  ConfigSet cfg(broker_config_keys());
  auto apply = [&](const std::string& line, const std::string& where) {
    auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(where + ": expected key=value, got '" + line + "'");
    auto trim = [](std::string s) {
      auto b = s.find_first_not_of(" \t\r");
      auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string key = trim(line.substr(0, eq));
    for (const auto& ignored : ignored_kafka_keys())
      if (ignored.name == key) {
        if (warnings)
          warnings->push_back(where + ": " + key + " ignored: " + std::string(ignored.why));
        return;
      }
    if (auto err = cfg.set(key, trim(line.substr(eq + 1))))
      throw std::invalid_argument(where + ": " + *err);
  };
  if (file) {
    std::ifstream in(*file);
    if (!in) throw std::invalid_argument("cannot read config file " + *file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      apply(line, *file + ":" + std::to_string(n));
    }
  }
  for (const auto& a : assignments) apply(a, "--set");
  // broker.id is Kafka's older name for node.id.
  if (cfg.is_set("broker.id") && !cfg.is_set("node.id")) cfg.set("node.id", cfg.get("broker.id"));
  // Kafka's precedence: log.retention.ms, else minutes, else hours; any negative is unlimited.
  if (!cfg.is_set("log.retention.ms") &&
      (cfg.is_set("log.retention.minutes") || cfg.is_set("log.retention.hours"))) {
    const int64_t ms = cfg.is_set("log.retention.minutes")
                           ? cfg.get_int("log.retention.minutes") * 60'000
                           : cfg.get_int("log.retention.hours") * 3'600'000;
    cfg.set("log.retention.ms", std::to_string(ms < 0 ? -1 : ms));
  }
  return cfg;
}

std::string topic_config_value(const ConfigSet& broker,
                               const std::map<std::string, std::string>& overrides,
                               const ConfigKey& key) {
  if (auto it = overrides.find(std::string(key.name)); it != overrides.end()) return it->second;
  if (!key.broker_key.empty()) return broker.get(key.broker_key);
  return std::string(key.default_value);
}

}  // namespace sluice::broker

#include "sluice/broker/partition_manager.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>

namespace sluice::broker {

namespace fs = std::filesystem;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

PartitionManager::PartitionManager(ShardSet& shards, fs::path data_dir, const ConfigSet& config,
                                   cluster::MetadataStore& metadata)
    : shards_(shards),
      data_dir_(std::move(data_dir)),
      config_(config),
      metadata_(metadata),
      flush_on_append_(config.get("log.flush.policy") == "always"),
      tables_(shards.count()),
      flusher_(std::make_unique<storage::Flusher>()) {}

PartitionManager::~PartitionManager() { stop(); }

unsigned PartitionManager::owner(const std::string& topic, int32_t partition) const {
  unsigned n = shards_.count();
  if (n == 1 || topic.starts_with("__")) return 0;
  // A topic's partitions go round the shards from a per-topic starting point, so that each
  // topic spreads evenly and many small topics do not all start on the same shard.
  size_t start = std::hash<std::string>{}(topic);
  return static_cast<unsigned>((start + static_cast<uint32_t>(partition)) % n);
}

storage::LogConfig PartitionManager::log_config(
    const std::map<std::string, std::string>& overrides) const {
  auto value = [&](std::string_view key) {
    return std::stoll(topic_config_value(config_, overrides, *find_key(topic_config_keys(), key)));
  };
  storage::LogConfig c;
  c.segment_bytes = value("segment.bytes");
  c.segment_ms = value("segment.ms");
  c.retention_ms = value("retention.ms");
  c.retention_bytes = value("retention.bytes");
  c.delete_retention =
      topic_config_value(config_, overrides, *find_key(topic_config_keys(), "cleanup.policy"))
          .find("delete") != std::string::npos;
  c.index_interval_bytes = static_cast<int32_t>(value("index.interval.bytes"));
  c.segment_index_bytes = static_cast<int32_t>(value("segment.index.bytes"));
  return c;
}

TopicSettings PartitionManager::topic_settings(
    const std::map<std::string, std::string>& overrides) const {
  auto value = [&](std::string_view key) {
    return topic_config_value(config_, overrides, *find_key(topic_config_keys(), key));
  };
  TopicSettings s;
  s.log_append_time = value("message.timestamp.type") == "LogAppendTime";
  s.max_message_bytes = static_cast<int32_t>(std::stol(value("max.message.bytes")));
  s.timestamp_before_max_ms = std::stoll(value("message.timestamp.before.max.ms"));
  s.timestamp_after_max_ms = std::stoll(value("message.timestamp.after.max.ms"));
  return s;
}

std::shared_ptr<Partition> PartitionManager::open_partition(const std::string& topic, int32_t index,
                                                            const storage::LogConfig& cfg) {
  TopicPartition tp{topic, index};
  storage::RecoveryReport report;
  auto log = storage::PartitionLog::open(data_dir_ / tp.dir_name(), cfg, &report);
  if (!report.clean_shutdown && (report.truncated_bytes > 0 || report.indexes_rebuilt > 0))
    spdlog::warn("recovered {}: truncated {} bytes, rebuilt {} indexes", tp.dir_name(),
                 report.truncated_bytes, report.indexes_rebuilt);
  if (report.producers.replay_stopped_at >= 0)
    spdlog::warn(
        "recovered {}: producer state replay stopped at offset {}: batch header does not "
        "parse; producers seen only after it accept any next sequence",
        tp.dir_name(), report.producers.replay_stopped_at);
  if (report.txn_index.cut_bytes > 0)
    spdlog::warn(
        "recovered {}: cut {} bytes of torn or damaged entries off {} .txnindex files; "
        "the aborted transactions they held were re-derived from the log ({} rebuilt)",
        tp.dir_name(), report.txn_index.cut_bytes, report.txn_index.files_cut,
        report.txn_index.entries_rebuilt);
  // What recovery validated after the last recovery point survived the crash in the page cache:
  // sync it now so the high watermark (the recovery point) covers it before anyone reads.
  if (log->recovery_point() < log->log_end_offset()) {
    auto ticket = log->prepare_flush();
    log->mark_flushed(ticket.end_offset, ticket.sync());
  }
  auto p = std::make_shared<Partition>(tp, std::move(log), flush_on_append_);
  // Called by replicate() on the owner shard, where schedule_flush must run.
  p->set_flush_requester([this, weak = std::weak_ptr<Partition>(p)] {
    if (auto self = weak.lock()) schedule_flush(self);
  });
  return p;
}

void PartitionManager::open_partitions(const cluster::TopicMetadata& t, int32_t from,
                                       TopicInfo& info) {
  auto cfg = log_config(t.configs);
  auto settings = topic_settings(t.configs);
  std::vector<std::shared_ptr<Partition>> opened;
  for (int32_t i = from; i < t.partitions; ++i) {
    opened.push_back(open_partition(t.name, i, cfg));
    opened.back()->set_settings(settings);
  }
  for (auto& p : opened) info.leader_epochs.push_back(p->leader_epoch());
  install(std::move(opened));
}

// The partitions were opened on the control shard; from here on only their owners touch them.
void PartitionManager::install(std::vector<std::shared_ptr<Partition>> parts) {
  std::vector<std::vector<std::shared_ptr<Partition>>> by_shard(shards_.count());
  for (auto& p : parts) by_shard[owner(p->id().topic, p->id().partition)].push_back(std::move(p));
  for (unsigned s = 0; s < by_shard.size(); ++s) {
    if (by_shard[s].empty()) continue;
    shards_.run_on(s, [&, s] {
      for (auto& p : by_shard[s]) {
        auto& slots = tables_[s].topics[p->id().topic];
        auto index = static_cast<size_t>(p->id().partition);
        if (slots.size() <= index) slots.resize(index + 1);
        slots[index] = std::move(p);
      }
    });
  }
}

void PartitionManager::on_every_shard(const std::function<void(Table&)>& fn) {
  for (unsigned s = 0; s < shards_.count(); ++s) shards_.run_on(s, [&, s] { fn(tables_[s]); });
}

void PartitionManager::start() {
  for (const auto& t : metadata_.topics()) {
    TopicInfo info;
    open_partitions(t, 0, info);
    topics_[t.name] = std::move(info);
  }
  on_every_shard([this](Table& t) {
    t.retention_timer = std::make_unique<asio::steady_timer>(shards_.io(ShardSet::current()));
    t.flush_timer = std::make_unique<asio::steady_timer>(shards_.io(ShardSet::current()));
    arm_retention_timer(t);
    if (!flush_on_append_) arm_interval_flush_timer(t);
  });
}

void PartitionManager::stop() {
  if (stopped_.exchange(true)) return;
  // A barrier: once every shard has run this, none is inside start_flush and none will enter it
  // (it checks stopped_), so the flusher can go. Its last rounds' completions find stopped_ set.
  on_every_shard([](Table&) {});
  flusher_.reset();
  on_every_shard([](Table& t) {
    if (t.retention_timer) t.retention_timer->cancel();
    if (t.flush_timer) t.flush_timer->cancel();
    auto topics = std::move(t.topics);
    t.topics.clear();
    for (auto& [_, parts] : topics)
      for (auto& p : parts)
        if (p) p->log().close();
  });
  topics_.clear();
}

std::shared_ptr<Partition> PartitionManager::get(const std::string& topic,
                                                 int32_t partition) const {
  const auto& table = tables_[ShardSet::current()].topics;
  auto it = table.find(topic);
  if (it == table.end() || partition < 0 || partition >= static_cast<int32_t>(it->second.size()))
    return nullptr;
  return it->second[static_cast<size_t>(partition)];
}

int32_t PartitionManager::partition_count(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? -1 : static_cast<int32_t>(it->second.leader_epochs.size());
}

int32_t PartitionManager::leader_epoch(const std::string& topic, int32_t partition) const {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 ||
      partition >= static_cast<int32_t>(it->second.leader_epochs.size()))
    return -1;
  return it->second.leader_epochs[static_cast<size_t>(partition)];
}

ErrorCode PartitionManager::create_topic(const cluster::TopicMetadata& t) {
  if (topics_.count(t.name)) return ErrorCode::topic_already_exists;
  // Stale directories of a topic deleted before a crash must not leak into the new one.
  for (int32_t i = 0; i < t.partitions; ++i) {
    std::error_code ec;
    fs::remove_all(data_dir_ / TopicPartition{t.name, i}.dir_name(), ec);
  }
  switch (metadata_.create_topic(t)) {
    case cluster::MetadataErrc::ok:
      break;
    case cluster::MetadataErrc::exists:
      return ErrorCode::topic_already_exists;
    default:
      return ErrorCode::kafka_storage_error;
  }
  TopicInfo info;
  try {
    open_partitions(t, 0, info);
  } catch (const std::exception& e) {
    spdlog::error("cannot create topic {}: {}", t.name, e.what());
    metadata_.delete_topic(t.name);
    return ErrorCode::kafka_storage_error;
  }
  topics_[t.name] = std::move(info);
  return ErrorCode::none;
}

ErrorCode PartitionManager::delete_topic(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return ErrorCode::unknown_topic_or_partition;
  if (metadata_.delete_topic(topic) == cluster::MetadataErrc::io_error)
    return ErrorCode::kafka_storage_error;
  // Waits for every owner, so that a topic of the same name created next finds the files gone.
  on_every_shard([&](Table& t) {
    auto parts = t.topics.find(topic);
    if (parts == t.topics.end()) return;
    for (auto& p : parts->second)
      if (p) p->log().remove();
    t.topics.erase(parts);
  });
  topics_.erase(it);
  return ErrorCode::none;
}

ErrorCode PartitionManager::add_partitions(const std::string& topic, int32_t total) {
  auto it = topics_.find(topic);
  auto meta = metadata_.topic(topic);
  if (it == topics_.end() || !meta) return ErrorCode::unknown_topic_or_partition;
  int32_t current = static_cast<int32_t>(it->second.leader_epochs.size());
  if (total <= current) return ErrorCode::invalid_partitions;
  auto grown = *meta;
  grown.partitions = total;
  for (int32_t i = current; i < total; ++i) {
    std::error_code ec;
    fs::remove_all(data_dir_ / TopicPartition{topic, i}.dir_name(), ec);
  }
  if (metadata_.update_topic(grown) != cluster::MetadataErrc::ok)
    return ErrorCode::kafka_storage_error;
  try {
    open_partitions(grown, current, it->second);
  } catch (const std::exception& e) {
    spdlog::error("cannot add partitions to {}: {}", topic, e.what());
    // Nothing was installed (partitions are handed to their owners only once all opened).
    metadata_.update_topic(*meta);
    return ErrorCode::kafka_storage_error;
  }
  return ErrorCode::none;
}

ErrorCode PartitionManager::set_topic_configs(const std::string& topic,
                                              std::map<std::string, std::string> configs) {
  auto it = topics_.find(topic);
  auto meta = metadata_.topic(topic);
  if (it == topics_.end() || !meta) return ErrorCode::unknown_topic_or_partition;
  if (meta->configs != configs) {
    meta->configs = configs;
    if (metadata_.update_topic(*meta) != cluster::MetadataErrc::ok)
      return ErrorCode::kafka_storage_error;
  }
  auto cfg = log_config(configs);
  auto settings = topic_settings(configs);
  on_every_shard([&](Table& t) {
    auto parts = t.topics.find(topic);
    if (parts == t.topics.end()) return;
    for (auto& p : parts->second) {
      if (!p) continue;
      p->log().update_config(cfg);
      p->set_settings(settings);
    }
  });
  return ErrorCode::none;
}

void PartitionManager::schedule_flush(const std::shared_ptr<Partition>& p) {
  if (!p->flush_in_flight) start_flush(p);
}

void PartitionManager::start_flush(const std::shared_ptr<Partition>& p) {
  if (stopped_) return;
  auto ticket = p->log().prepare_flush();
  if (ticket.files.empty()) {
    p->on_flushed(ticket.end_offset, true);
    return;
  }
  p->flush_in_flight = true;
  int64_t end = ticket.end_offset;
  std::weak_ptr<Partition> weak = p;
  unsigned shard = ShardSet::current();
  flusher_->submit(std::move(ticket), [this, weak, end, shard](bool ok) {
    shards_.post(shard, [this, weak, end, ok] {
      auto p = weak.lock();
      if (!p || stopped_) return;
      p->flush_in_flight = false;
      p->on_flushed(end, ok);
      // Appends that arrived during this round go in the next one.
      if (ok && p->log().log_end_offset() > p->log().recovery_point()) start_flush(p);
    });
  });
}

void PartitionManager::arm_retention_timer(Table& t) {
  t.retention_timer->expires_after(
      std::chrono::milliseconds(config_.get_int("log.retention.check.interval.ms")));
  t.retention_timer->async_wait([this, &t](std::error_code ec) {
    if (ec || stopped_) return;
    int64_t now = now_ms();
    const int64_t producer_expiry = config_.get_int("producer.id.expiration.ms");
    for (auto& [_, parts] : t.topics)
      for (auto& p : parts)
        if (p) {
          p->log().enforce_retention(now);
          p->log().expire_producers(now, producer_expiry);
        }
    arm_retention_timer(t);
  });
}

void PartitionManager::arm_interval_flush_timer(Table& t) {
  t.flush_timer->expires_after(std::chrono::milliseconds(config_.get_int("log.flush.interval.ms")));
  t.flush_timer->async_wait([this, &t](std::error_code ec) {
    if (ec || stopped_) return;
    for (auto& [_, parts] : t.topics)
      for (auto& p : parts)
        if (p) schedule_flush(p);
    arm_interval_flush_timer(t);
  });
}

}  // namespace sluice::broker

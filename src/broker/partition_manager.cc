#include "sluice/broker/partition_manager.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <chrono>

namespace sluice::broker {

namespace fs = std::filesystem;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

PartitionManager::PartitionManager(asio::io_context& io, fs::path data_dir, const ConfigSet& config,
                                   cluster::MetadataStore& metadata)
    : io_(io),
      data_dir_(std::move(data_dir)),
      config_(config),
      metadata_(metadata),
      flush_on_append_(config.get("log.flush.policy") == "always"),
      flusher_(std::make_unique<storage::Flusher>()),
      retention_timer_(io),
      flush_timer_(io) {}

PartitionManager::~PartitionManager() { stop(); }

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
  c.index_interval_bytes = static_cast<int32_t>(value("index.interval.bytes"));
  c.segment_index_bytes = static_cast<int32_t>(value("segment.index.bytes"));
  return c;
}

std::shared_ptr<Partition> PartitionManager::open_partition(const std::string& topic, int32_t index,
                                                            const storage::LogConfig& cfg) {
  TopicPartition tp{topic, index};
  storage::RecoveryReport report;
  auto log = storage::PartitionLog::open(data_dir_ / tp.dir_name(), cfg, &report);
  if (!report.clean_shutdown && (report.truncated_bytes > 0 || report.indexes_rebuilt > 0))
    spdlog::warn("recovered {}: truncated {} bytes, rebuilt {} indexes", tp.dir_name(),
                 report.truncated_bytes, report.indexes_rebuilt);
  // What recovery validated after the last recovery point survived the crash in the page cache:
  // sync it now so the high watermark (the recovery point) covers it before anyone reads.
  if (log->recovery_point() < log->log_end_offset()) {
    auto ticket = log->prepare_flush();
    log->mark_flushed(ticket.end_offset, ticket.sync());
  }
  return std::make_shared<Partition>(tp, std::move(log), flush_on_append_);
}

void PartitionManager::start() {
  for (const auto& t : metadata_.topics()) {
    TopicState st;
    auto cfg = log_config(t.configs);
    for (int32_t i = 0; i < t.partitions; ++i)
      st.partitions.push_back(open_partition(t.name, i, cfg));
    topics_[t.name] = std::move(st);
    set_topic_configs(t.name, t.configs);
  }
  arm_retention_timer();
  if (!flush_on_append_) arm_interval_flush_timer();
}

void PartitionManager::stop() {
  if (stopped_) return;
  stopped_ = true;
  retention_timer_.cancel();
  flush_timer_.cancel();
  flusher_.reset();  // drains pending rounds; their callbacks post to a loop that may be gone
  auto topics = std::move(topics_);
  topics_.clear();
  for (auto& [_, st] : topics)
    for (auto& p : st.partitions) p->log().close();
}

std::shared_ptr<Partition> PartitionManager::get(const std::string& topic,
                                                 int32_t partition) const {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 ||
      partition >= static_cast<int32_t>(it->second.partitions.size()))
    return nullptr;
  return it->second.partitions[static_cast<size_t>(partition)];
}

int32_t PartitionManager::partition_count(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? -1 : static_cast<int32_t>(it->second.partitions.size());
}

bool PartitionManager::log_append_time(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it != topics_.end() && it->second.log_append_time;
}

int32_t PartitionManager::max_message_bytes(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.max_message_bytes;
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
  TopicState st;
  auto cfg = log_config(t.configs);
  try {
    for (int32_t i = 0; i < t.partitions; ++i)
      st.partitions.push_back(open_partition(t.name, i, cfg));
  } catch (const std::exception& e) {
    spdlog::error("cannot create topic {}: {}", t.name, e.what());
    metadata_.delete_topic(t.name);
    return ErrorCode::kafka_storage_error;
  }
  topics_[t.name] = std::move(st);
  set_topic_configs(t.name, t.configs);
  return ErrorCode::none;
}

ErrorCode PartitionManager::delete_topic(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return ErrorCode::unknown_topic_or_partition;
  if (metadata_.delete_topic(topic) == cluster::MetadataErrc::io_error)
    return ErrorCode::kafka_storage_error;
  for (auto& p : it->second.partitions) p->log().remove();
  topics_.erase(it);
  return ErrorCode::none;
}

ErrorCode PartitionManager::add_partitions(const std::string& topic, int32_t total) {
  auto it = topics_.find(topic);
  auto meta = metadata_.topic(topic);
  if (it == topics_.end() || !meta) return ErrorCode::unknown_topic_or_partition;
  int32_t current = static_cast<int32_t>(it->second.partitions.size());
  if (total <= current) return ErrorCode::invalid_partitions;
  auto cfg = log_config(meta->configs);
  std::vector<std::shared_ptr<Partition>> added;
  try {
    for (int32_t i = current; i < total; ++i) {
      std::error_code ec;
      fs::remove_all(data_dir_ / TopicPartition{topic, i}.dir_name(), ec);
      added.push_back(open_partition(topic, i, cfg));
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot add partitions to {}: {}", topic, e.what());
    return ErrorCode::kafka_storage_error;
  }
  meta->partitions = total;
  if (metadata_.update_topic(*meta) != cluster::MetadataErrc::ok) {
    for (auto& p : added) p->log().remove();
    return ErrorCode::kafka_storage_error;
  }
  for (auto& p : added) it->second.partitions.push_back(std::move(p));
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
  for (auto& p : it->second.partitions) p->log().update_config(cfg);
  auto value = [&](std::string_view key) {
    return topic_config_value(config_, configs, *find_key(topic_config_keys(), key));
  };
  it->second.log_append_time = value("message.timestamp.type") == "LogAppendTime";
  it->second.max_message_bytes = static_cast<int32_t>(std::stol(value("max.message.bytes")));
  return ErrorCode::none;
}

void PartitionManager::schedule_flush(const std::shared_ptr<Partition>& p) {
  if (!p->flush_in_flight) start_flush(p);
}

void PartitionManager::start_flush(const std::shared_ptr<Partition>& p) {
  auto ticket = p->log().prepare_flush();
  if (ticket.files.empty()) {
    p->on_flushed(ticket.end_offset, true);
    return;
  }
  p->flush_in_flight = true;
  int64_t end = ticket.end_offset;
  std::weak_ptr<Partition> weak = p;
  flusher_->submit(std::move(ticket), [this, weak, end](bool ok) {
    asio::post(io_, [this, weak, end, ok] {
      auto p = weak.lock();
      if (!p || stopped_) return;
      p->flush_in_flight = false;
      p->on_flushed(end, ok);
      // Appends that arrived during this round go in the next one.
      if (ok && p->log().log_end_offset() > p->log().recovery_point()) start_flush(p);
    });
  });
}

void PartitionManager::arm_retention_timer() {
  retention_timer_.expires_after(
      std::chrono::milliseconds(config_.get_int("log.retention.check.interval.ms")));
  retention_timer_.async_wait([this](std::error_code ec) {
    if (ec || stopped_) return;
    int64_t now = now_ms();
    for (auto& [_, st] : topics_)
      for (auto& p : st.partitions) p->log().enforce_retention(now);
    arm_retention_timer();
  });
}

void PartitionManager::arm_interval_flush_timer() {
  flush_timer_.expires_after(std::chrono::milliseconds(config_.get_int("log.flush.interval.ms")));
  flush_timer_.async_wait([this](std::error_code ec) {
    if (ec || stopped_) return;
    for (auto& [_, st] : topics_)
      for (auto& p : st.partitions) schedule_flush(p);
    arm_interval_flush_timer();
  });
}

}  // namespace sluice::broker

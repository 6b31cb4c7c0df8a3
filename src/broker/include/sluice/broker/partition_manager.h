#pragma once
// Owns every partition of this node and the topic lifecycle: opens logs at start, creates and
// deletes topics through the MetadataStore, drives group commit (at most one flush in flight per
// partition; the flusher batches all partitions' tickets into one round) and retention.
// Request handlers ask this, never a file.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sluice/broker/config.h"
#include "sluice/broker/partition.h"
#include "sluice/cluster/metadata_store.h"
#include "sluice/storage/flusher.h"

namespace sluice::broker {

class PartitionManager {
 public:
  PartitionManager(asio::io_context& io, std::filesystem::path data_dir, const ConfigSet& config,
                   cluster::MetadataStore& metadata);
  ~PartitionManager();

  // Opens every partition of every known topic (recovering logs) and starts the timers.
  // Throws std::runtime_error when a log cannot be opened.
  void start();
  // Flushes and closes every log cleanly.
  void stop();

  std::shared_ptr<Partition> get(const std::string& topic, int32_t partition) const;
  int32_t partition_count(const std::string& topic) const;

  ErrorCode create_topic(const cluster::TopicMetadata& t);
  ErrorCode delete_topic(const std::string& topic);
  ErrorCode add_partitions(const std::string& topic, int32_t total);
  ErrorCode set_topic_configs(const std::string& topic, std::map<std::string, std::string> configs);

  // Makes the partition's new appends durable soon (group commit).
  void schedule_flush(const std::shared_ptr<Partition>& p);

  bool flush_on_append() const { return flush_on_append_; }
  bool log_append_time(const std::string& topic) const;
  int32_t max_message_bytes(const std::string& topic) const;

 private:
  storage::LogConfig log_config(const std::map<std::string, std::string>& overrides) const;
  std::shared_ptr<Partition> open_partition(const std::string& topic, int32_t index,
                                            const storage::LogConfig& cfg);
  void start_flush(const std::shared_ptr<Partition>& p);
  void arm_retention_timer();
  void arm_interval_flush_timer();

  struct TopicState {
    std::vector<std::shared_ptr<Partition>> partitions;
    bool log_append_time = false;
    int32_t max_message_bytes = 0;
  };

  asio::io_context& io_;
  std::filesystem::path data_dir_;
  const ConfigSet& config_;
  cluster::MetadataStore& metadata_;
  bool flush_on_append_;
  std::map<std::string, TopicState> topics_;
  std::unique_ptr<storage::Flusher> flusher_;
  asio::steady_timer retention_timer_;
  asio::steady_timer flush_timer_;
  bool stopped_ = false;
};

int64_t now_ms();

}  // namespace sluice::broker

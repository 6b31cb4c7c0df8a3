#pragma once
// One partition as the request handlers see it: its log, its high watermark and who waits on
// either. Lives on its owner shard's thread; flush completions are posted back to it.
//
// Invariant: high_watermark() <= log end offset; with log.flush.policy=always it is the log's
// recovery point, so a consumer never reads what a crash could take back.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/protocol/error_code.h"
#include "sluice/storage/partition_log.h"

namespace sluice::broker {

using protocol::ErrorCode;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  std::string dir_name() const { return topic + "-" + std::to_string(partition); }
};

// The topic configs the produce path applies, kept in each partition so that its owner shard
// needs nothing from elsewhere. Set from the topic's configs when the partition is opened.
struct TopicSettings {
  bool log_append_time = false;
  int32_t max_message_bytes = 0;
};

class Partition {
 public:
  using DurableCallback = std::function<void(ErrorCode)>;
  using Listener = std::function<void()>;
  using ListenerId = uint64_t;  // unique in the process; 0 is never one

  Partition(TopicPartition tp, std::unique_ptr<storage::PartitionLog> log, bool flush_on_append);
  ~Partition();

  const TopicPartition& id() const { return tp_; }
  storage::PartitionLog& log() { return *log_; }
  const storage::PartitionLog& log() const { return *log_; }

  int64_t high_watermark() const {
    return flush_on_append_ ? log_->recovery_point() : log_->log_end_offset();
  }
  int64_t log_start_offset() const { return log_->log_start_offset(); }
  int32_t leader_epoch() const { return leader_epoch_; }
  const TopicSettings& settings() const { return settings_; }
  void set_settings(const TopicSettings& s) { settings_ = s; }

  // Appends validated batches; the caller then waits for durability with wait_durable().
  storage::StorageResult<storage::AppendInfo> append(std::span<uint8_t> batches, int64_t now_ms,
                                                     bool log_append_time);
  // Calls cb once every offset below `end` is durable (at once when it already is), or with
  // KAFKA_STORAGE_ERROR if the flush failed.
  void wait_durable(int64_t end, DurableCallback cb);
  // The flusher finished a ticket covering offsets below `end`.
  void on_flushed(int64_t end, bool ok);

  // One-shot: called the next time the high watermark advances, unless removed first. A fetch
  // that completes takes back the listeners it still has here, or a partition that never moves
  // would keep one per fetch round for ever.
  ListenerId add_listener(Listener l);
  void remove_listener(ListenerId id) { listeners_.erase(id); }  // no-op once called
  bool has_listener(ListenerId id) const { return listeners_.contains(id); }
  size_t listener_count() const { return listeners_.size(); }

  bool flush_in_flight = false;  // owned by PartitionManager's group commit

 private:
  void notify_listeners();

  TopicPartition tp_;
  std::unique_ptr<storage::PartitionLog> log_;
  bool flush_on_append_;
  int32_t leader_epoch_ = 0;
  TopicSettings settings_;
  std::multimap<int64_t, DurableCallback> durable_waiters_;
  std::map<ListenerId, Listener> listeners_;
};

}  // namespace sluice::broker

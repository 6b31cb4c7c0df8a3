#pragma once
// One partition as the request handlers see it, and their only door to it: replicate() writes,
// read() and the lookups read up to the bound the reader's FetchIsolation allows, decided in
// one place. The log itself is reached only by the PartitionManager (flush, retention, close).
// Lives on its owner shard's thread; flush completions are posted back to it.
//
// Invariant: last_stable_offset() <= high_watermark() <= log end offset; with
// log.flush.policy=always the high watermark is the log's recovery point, so a consumer never
// reads what a crash could take back.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
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
  int64_t timestamp_before_max_ms = INT64_MAX;  // message.timestamp.before.max.ms
  int64_t timestamp_after_max_ms = INT64_MAX;   // message.timestamp.after.max.ms
};

// Who reads decides how far (Kafka's FetchIsolation): a follower replica up to the log end, a
// consumer up to the high watermark, a read_committed consumer up to the last stable offset.
enum class FetchIsolation { log_end, high_watermark, committed };
// For a Fetch or ListOffsets: from one of the partition's follower replicas, or from a consumer
// with isolation_level 0 (read_uncommitted) or 1 (read_committed).
FetchIsolation fetch_isolation(bool from_follower, int8_t isolation_level);
// Until replication exists no request comes from a follower, whatever replica_id it carries: a
// client claiming one must not read what is not yet durable.
inline constexpr bool kNoFollowers = false;

class PartitionManager;

class Partition {
 public:
  using DurableCallback = std::function<void(ErrorCode)>;
  using Listener = std::function<void()>;
  using ListenerId = uint64_t;  // unique in the process; 0 is never one

  Partition(TopicPartition tp, std::unique_ptr<storage::PartitionLog> log, bool flush_on_append);
  ~Partition();

  const TopicPartition& id() const { return tp_; }

  int64_t high_watermark() const {
    return flush_on_append_ ? log_->recovery_point() : log_->log_end_offset();
  }
  // The first offset a read_committed consumer may not see: the high watermark, or the first
  // offset of the oldest open transaction if that is lower.
  int64_t last_stable_offset() const;
  int64_t log_start_offset() const { return log_->log_start_offset(); }
  int64_t log_end_offset() const { return log_->log_end_offset(); }
  // Bytes of every segment file of the log (DescribeLogDirs).
  int64_t size_bytes() const { return log_->size_bytes(); }
  // The first offset a reader with this isolation may not see.
  int64_t read_bound(FetchIsolation isolation) const;
  int32_t leader_epoch() const { return leader_epoch_; }
  const TopicSettings& settings() const { return settings_; }
  void set_settings(const TopicSettings& s) { settings_ = s; }

  // Writing. Appends validated batches and calls done once they are committed: as soon as they
  // are written with acks=0 or log.flush.policy=interval, else once durable (with replication:
  // once the high watermark passes them). A retry of an idempotent batch already written is
  // answered with its original offsets, when those are committed. The one place that sequence
  // exists; produce and the internal topics' writers both use it.
  struct Appended {
    ErrorCode error = ErrorCode::none;
    int64_t base_offset = -1;
    int64_t last_offset = -1;
    int64_t log_append_time = -1;
  };
  void replicate(std::span<uint8_t> batches, int16_t acks, int64_t now_ms,
                 std::function<void(Appended)> done);

  // Reading, never past read_bound(isolation). Stored bytes that fail their checksum take the
  // partition offline (logged once) rather than be served.
  storage::StorageResult<storage::ReadResult> read(int64_t offset, int32_t max_bytes,
                                                   FetchIsolation isolation);
  std::optional<storage::TimestampOffset> offset_for_timestamp(int64_t ts,
                                                               FetchIsolation isolation) const;
  std::optional<storage::TimestampOffset> max_timestamp(FetchIsolation isolation) const;
  const storage::ProducerStateTable& producers() const { return log_->producers(); }
  // DeleteRecords: offset -1 means the high watermark; nothing at or above it may go.
  storage::StorageErrc delete_records_before(int64_t offset);

  // Transactions (the storage half; the coordinator drives them). All on the owner shard.
  //
  // KIP-890 part 1 verification: records that producer (pid, epoch)'s ongoing transaction
  // includes this partition (after AddPartitionsToTxn). Until then replicate() refuses its
  // transactional batches with invalid_txn_state, and with invalid_producer_epoch if the
  // allowed epoch is newer than the batch's. In memory only: the coordinator grants it again
  // after a restart. A later grant replaces an earlier one.
  void allow_transactional(int64_t producer_id, int16_t producer_epoch);
  // Writes the COMMIT (commit) or ABORT marker of the producer's transaction and calls done
  // once it is committed, as replicate() with acks=-1 would: none, invalid_producer_epoch (the
  // producer has a newer epoch: nothing written) or kafka_storage_error. The producer's
  // verification is cleared and fetches waiting on the partition are woken (the last stable
  // offset moves). A newer epoch fences the producer's older one.
  void write_marker(int64_t producer_id, int16_t producer_epoch, bool commit,
                    int32_t coordinator_epoch, int64_t now_ms, std::function<void(ErrorCode)> done);
  // The aborted transactions overlapping [from, upto), by first offset (read_committed Fetch).
  std::vector<storage::AbortedTxn> aborted_transactions(int64_t from, int64_t upto) const {
    return log_->aborted_transactions(from, upto);
  }

  // The steps of replicate(), public for the group-commit and shard tests. Appends validated
  // batches; the caller then waits for durability with wait_durable().
  storage::StorageResult<storage::AppendInfo> append(std::span<uint8_t> batches, int64_t now_ms,
                                                     bool log_append_time);
  // Calls cb once every offset below `end` is durable (at once when it already is), or with
  // KAFKA_STORAGE_ERROR if the flush failed.
  void wait_durable(int64_t end, DurableCallback cb);
  // The flusher finished a ticket covering offsets below `end`.
  void on_flushed(int64_t end, bool ok);

  // One-shot: called the next time the high watermark or the last stable offset advances,
  // unless removed first. A fetch
  // that completes takes back the listeners it still has here, or a partition that never moves
  // would keep one per fetch round for ever.
  ListenerId add_listener(Listener l);
  void remove_listener(ListenerId id) { listeners_.erase(id); }  // no-op once called
  bool has_listener(ListenerId id) const { return listeners_.contains(id); }
  size_t listener_count() const { return listeners_.size(); }

  bool flush_in_flight = false;  // owned by PartitionManager's group commit
  // How replicate() asks for a group-commit flush; set by the PartitionManager.
  void set_flush_requester(std::function<void()> f) { request_flush_ = std::move(f); }

 private:
  friend class PartitionManager;  // flush tickets, retention, configs, close
  storage::PartitionLog& log() { return *log_; }
  const storage::PartitionLog& log() const { return *log_; }
  void notify_listeners();
  // Logs, once, at error level, why the log went offline.
  void report_if_offline();
  // none, or why the transactional batches in `batches` may not be written yet.
  ErrorCode verify_transactional(std::span<const uint8_t> batches) const;

  TopicPartition tp_;
  std::unique_ptr<storage::PartitionLog> log_;
  bool flush_on_append_;
  int32_t leader_epoch_ = 0;
  TopicSettings settings_;
  std::multimap<int64_t, DurableCallback> durable_waiters_;
  std::map<ListenerId, Listener> listeners_;
  std::function<void()> request_flush_;
  bool offline_reported_ = false;
  std::map<int64_t, int16_t> txn_allowed_;  // producer id -> epoch (allow_transactional)
};

}  // namespace sluice::broker

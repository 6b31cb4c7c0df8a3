#include "sluice/broker/partition.h"

#include <atomic>

namespace sluice::broker {

Partition::Partition(TopicPartition tp, std::unique_ptr<storage::PartitionLog> log,
                     bool flush_on_append)
    : tp_(std::move(tp)), log_(std::move(log)), flush_on_append_(flush_on_append) {
  // One node leads every partition; the epoch still goes into every batch and the checkpoint so
  // that replication can fence stale leaders later.
  leader_epoch_ = std::max(0, log_->latest_epoch());
  if (log_->latest_epoch() < 0) log_->assign_epoch(leader_epoch_, log_->log_end_offset());
}

// Waiting fetches are not woken: they would look the partition up again while it is being
// destroyed; their timers answer them instead.
Partition::~Partition() {
  auto waiters = std::move(durable_waiters_);
  for (auto& [_, cb] : waiters) cb(ErrorCode::not_leader_or_follower);
}

storage::StorageResult<storage::AppendInfo> Partition::append(std::span<uint8_t> batches,
                                                              int64_t now_ms,
                                                              bool log_append_time) {
  auto r = log_->append(batches, leader_epoch_, now_ms, log_append_time);
  if (r.ok() && !flush_on_append_) notify_listeners();
  return r;
}

void Partition::wait_durable(int64_t end, DurableCallback cb) {
  if (log_->offline()) return cb(ErrorCode::kafka_storage_error);
  if (log_->recovery_point() >= end) return cb(ErrorCode::none);
  durable_waiters_.emplace(end, std::move(cb));
}

void Partition::on_flushed(int64_t end, bool ok) {
  int64_t before = high_watermark();
  log_->mark_flushed(end, ok);
  if (!ok) {
    auto waiters = std::move(durable_waiters_);
    durable_waiters_.clear();
    for (auto& [_, cb] : waiters) cb(ErrorCode::kafka_storage_error);
    return;
  }
  int64_t durable = log_->recovery_point();
  while (!durable_waiters_.empty() && durable_waiters_.begin()->first <= durable) {
    auto cb = std::move(durable_waiters_.begin()->second);
    durable_waiters_.erase(durable_waiters_.begin());
    cb(ErrorCode::none);
  }
  if (high_watermark() > before) notify_listeners();
}

Partition::ListenerId Partition::add_listener(Listener l) {
  // Unique across partitions: an id kept for a partition that was deleted and created again
  // can never match, and so never remove, another fetch's listener on the new one.
  static std::atomic<ListenerId> next_id{1};
  ListenerId id = next_id.fetch_add(1, std::memory_order_relaxed);
  listeners_.emplace(id, std::move(l));
  return id;
}

void Partition::notify_listeners() {
  auto ls = std::move(listeners_);
  listeners_.clear();
  for (auto& [_, l] : ls) l();
}

}  // namespace sluice::broker

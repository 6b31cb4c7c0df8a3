#include "sluice/broker/partition.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cassert>

#include "sluice/protocol/record_batch.h"

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

void Partition::report_if_offline() {
  if (offline_reported_ || !log_->offline()) return;
  offline_reported_ = true;
  spdlog::error("partition {}-{} is offline: {}", tp_.topic, tp_.partition, log_->offline_reason());
}

storage::StorageResult<storage::AppendInfo> Partition::append(std::span<uint8_t> batches,
                                                              int64_t now_ms,
                                                              bool log_append_time) {
  auto r = log_->append(batches, leader_epoch_, now_ms, log_append_time);
  report_if_offline();
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
  report_if_offline();
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

FetchIsolation fetch_isolation(bool from_follower, int8_t isolation_level) {
  if (from_follower) return FetchIsolation::log_end;
  return isolation_level == 1 ? FetchIsolation::committed : FetchIsolation::high_watermark;
}

namespace {
// The Kafka error a produce gets for a refused append.
ErrorCode produce_error(storage::StorageErrc e) {
  switch (e) {
    case storage::StorageErrc::out_of_order_sequence:
      return ErrorCode::out_of_order_sequence_number;
    case storage::StorageErrc::invalid_producer_epoch:
      return ErrorCode::invalid_producer_epoch;
    case storage::StorageErrc::invalid_argument:
      return ErrorCode::invalid_record;
    default:
      return ErrorCode::kafka_storage_error;
  }
}
}  // namespace

int64_t Partition::last_stable_offset() const {
  const int64_t hw = high_watermark();
  const auto first_unstable = log_->first_unstable_offset();
  const int64_t lso = first_unstable ? std::min(hw, *first_unstable) : hw;
  assert(lso <= hw && hw <= log_->log_end_offset());
  return lso;
}

int64_t Partition::read_bound(FetchIsolation isolation) const {
  switch (isolation) {
    case FetchIsolation::log_end:
      return log_->log_end_offset();
    case FetchIsolation::high_watermark:
      return high_watermark();
    case FetchIsolation::committed:
      return last_stable_offset();
  }
  return high_watermark();
}

ErrorCode Partition::verify_transactional(std::span<const uint8_t> batches) const {
  for (size_t p = 0; p < batches.size();) {
    auto h = protocol::read_batch_header(batches.subspan(p));
    if (!h || h->total_size() > batches.size() - p) return ErrorCode::none;  // the log refuses it
    if (h->is_transactional()) {
      // A zombie (an epoch a marker has since fenced) is told it is fenced, not that it is
      // outside a transaction: that is what makes its client stop for good.
      const storage::ProducerEntry* known = log_->producers().find(h->producer_id);
      if (known && known->epoch > h->producer_epoch) return ErrorCode::invalid_producer_epoch;
      auto it = txn_allowed_.find(h->producer_id);
      // Kafka's answer to a transactional write outside an ongoing transaction (KIP-890).
      if (it == txn_allowed_.end()) return ErrorCode::invalid_txn_state;
      if (it->second > h->producer_epoch) return ErrorCode::invalid_producer_epoch;
    }
    p += h->total_size();
  }
  return ErrorCode::none;
}

void Partition::allow_transactional(int64_t producer_id, int16_t producer_epoch) {
  txn_allowed_[producer_id] = producer_epoch;
}

void Partition::write_marker(int64_t producer_id, int16_t producer_epoch, bool commit,
                             int32_t coordinator_epoch, int64_t now_ms,
                             std::function<void(ErrorCode)> done) {
  auto r = log_->append_marker(producer_id, producer_epoch, commit, coordinator_epoch,
                               leader_epoch_, now_ms);
  report_if_offline();
  if (!r.ok())
    return done(r.error == storage::StorageErrc::invalid_producer_epoch
                    ? ErrorCode::invalid_producer_epoch
                    : ErrorCode::kafka_storage_error);
  txn_allowed_.erase(producer_id);
  // The transaction's end may move the last stable offset at once, up to the high watermark.
  notify_listeners();
  if (!flush_on_append_) return done(ErrorCode::none);
  if (request_flush_) request_flush_();
  wait_durable(r.value.last_offset + 1, std::move(done));
}

void Partition::replicate(std::span<uint8_t> batches, int16_t acks, int64_t now_ms,
                          std::function<void(Appended)> done) {
  if (ErrorCode e = verify_transactional(batches); e != ErrorCode::none) return done({e});
  auto r = append(batches, now_ms, settings_.log_append_time);
  // A retry of a batch already written is answered as the first attempt was (Kafka: no error,
  // the original base offset), once that batch is committed.
  const bool duplicate = r.error == storage::StorageErrc::duplicate_batch;
  if (!r.ok() && !duplicate) return done({produce_error(r.error)});
  Appended out{ErrorCode::none, r.value.base_offset, r.value.last_offset, r.value.log_append_time};
  if (!flush_on_append_) return done(out);
  // Even unacknowledged appends must become durable: the high watermark only moves by flush.
  if (!duplicate && request_flush_) request_flush_();
  if (acks == 0) return done(out);
  wait_durable(out.last_offset + 1, [out, done = std::move(done)](ErrorCode e) mutable {
    if (e != ErrorCode::none) out = {e, -1, -1, -1};
    done(out);
  });
}

storage::StorageResult<storage::ReadResult> Partition::read(int64_t offset, int32_t max_bytes,
                                                            FetchIsolation isolation) {
  auto r = log_->read(offset, max_bytes, read_bound(isolation));
  // Stored bytes that fail their CRC-32C are refused for good rather than served.
  if (r.error == storage::StorageErrc::corrupt)
    log_->take_offline("stored data near offset " + std::to_string(offset) + " fails its checksum");
  report_if_offline();
  return r;
}

std::optional<storage::TimestampOffset> Partition::offset_for_timestamp(
    int64_t ts, FetchIsolation isolation) const {
  auto found = log_->offset_for_timestamp(ts);
  if (found && found->offset >= read_bound(isolation)) return std::nullopt;
  return found;
}

std::optional<storage::TimestampOffset> Partition::max_timestamp(FetchIsolation isolation) const {
  auto m = log_->max_timestamp();
  if (m.offset < 0 || m.offset >= read_bound(isolation)) return std::nullopt;
  return m;
}

storage::StorageErrc Partition::delete_records_before(int64_t offset) {
  const int64_t hw = high_watermark();
  const int64_t target = offset == -1 ? hw : offset;
  if (target < 0 || target > hw) return storage::StorageErrc::offset_out_of_range;
  return log_->advance_log_start_offset(std::max(target, log_start_offset()));
}

}  // namespace sluice::broker

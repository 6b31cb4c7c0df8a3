#include "sluice/storage/producer_state.h"

#include <limits>

namespace sluice::storage {
namespace {

constexpr int32_t kMaxSeq = std::numeric_limits<int32_t>::max();

bool in_sequence(int32_t last_seq, int32_t next_seq) {
  return next_seq == (last_seq == kMaxSeq ? 0 : last_seq + 1);
}

}  // namespace

int32_t last_sequence(const protocol::BatchHeader& h) {
  if (h.base_sequence < 0) return -1;
  const int64_t last = static_cast<int64_t>(h.base_sequence) + h.last_offset_delta;
  return static_cast<int32_t>(last > kMaxSeq ? last - kMaxSeq - 1 : last);
}

SequenceVerdict ProducerStateTable::check(const protocol::BatchHeader& h) const {
  const ProducerEntry* e = find(h.producer_id);
  if (!e) return {};  // no history to check against (Kafka accepts any sequence here too)
  if (h.producer_epoch < e->epoch) return {SequenceCheck::invalid_producer_epoch, {}};
  const int32_t first = h.base_sequence;
  if (h.producer_epoch != e->epoch) {
    if (first != 0) return {SequenceCheck::out_of_order_sequence, {}};
    return {};
  }
  const int32_t last = last_sequence(h);
  for (const ProducerBatch& b : e->batches)
    if (b.first_seq == first && b.last_seq == last) return {SequenceCheck::duplicate, b};
  if (!e->batches.empty() && !in_sequence(e->batches.back().last_seq, first))
    return {SequenceCheck::out_of_order_sequence, {}};
  return {};
}

void ProducerStateTable::record(const protocol::BatchHeader& h, int64_t first_offset,
                                int64_t append_time_ms) {
  if (h.producer_id < 0 || h.base_sequence < 0 || h.is_control()) return;
  ProducerEntry& e = producers_[h.producer_id];
  if (h.producer_epoch != e.epoch) {
    e.epoch = h.producer_epoch;
    e.batches.clear();
  }
  e.batches.push_back({h.base_sequence, last_sequence(h), first_offset,
                       first_offset + h.last_offset_delta, append_time_ms});
  if (e.batches.size() > kBatchesKept) e.batches.pop_front();
}

const ProducerEntry* ProducerStateTable::find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

size_t ProducerStateTable::expire(int64_t now_ms, int64_t expiration_ms) {
  size_t n = 0;
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (now_ms - it->second.last_append_ms() >= expiration_ms) {
      it = producers_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

void ProducerStateTable::remove_below(int64_t log_start) {
  std::erase_if(producers_,
                [log_start](const auto& p) { return p.second.last_offset() < log_start; });
}

std::vector<std::vector<int64_t>> ProducerStateTable::to_snapshot() const {
  std::vector<std::vector<int64_t>> lines;
  for (const auto& [pid, e] : producers_)
    for (const ProducerBatch& b : e.batches)
      lines.push_back(
          {pid, e.epoch, b.first_seq, b.last_seq, b.first_offset, b.last_offset, b.append_time_ms});
  return lines;
}

bool ProducerStateTable::from_snapshot(const std::vector<std::vector<int64_t>>& lines) {
  producers_.clear();
  for (const auto& l : lines) {
    const bool valid = l.size() == kSnapshotFields && l[0] >= 0 && l[1] >= 0 &&
                       l[1] <= std::numeric_limits<int16_t>::max() && l[2] >= 0 &&
                       l[2] <= kMaxSeq && l[3] >= 0 && l[3] <= kMaxSeq && l[4] >= 0 && l[5] >= l[4];
    if (!valid) {
      producers_.clear();
      return false;
    }
    ProducerEntry& e = producers_[l[0]];
    const auto epoch = static_cast<int16_t>(l[1]);
    if (e.epoch != epoch) {
      e.epoch = epoch;
      e.batches.clear();
    }
    e.batches.push_back({static_cast<int32_t>(l[2]), static_cast<int32_t>(l[3]), l[4], l[5], l[6]});
    if (e.batches.size() > kBatchesKept) e.batches.pop_front();
  }
  return true;
}

}  // namespace sluice::storage

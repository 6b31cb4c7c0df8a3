#include "sluice/storage/producer_state.h"

#include <algorithm>
#include <cassert>
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
  // The broker's own writes (NO_SEQUENCE): nothing to check beyond the epoch.
  if (h.base_sequence < 0) return {};
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

ProducerEntry& ProducerStateTable::entry_for_epoch(int64_t producer_id, int16_t epoch) {
  ProducerEntry& e = producers_[producer_id];
  if (epoch != e.epoch) {
    e.epoch = epoch;
    e.batches.clear();
  }
  return e;
}

void ProducerStateTable::open_txn(int64_t producer_id, ProducerEntry& e, int64_t first_offset) {
  if (e.current_txn_first_offset >= 0) return;
  e.current_txn_first_offset = first_offset;
  open_txns_.emplace(first_offset, producer_id);
}

void ProducerStateTable::close_txn(ProducerEntry& e) {
  if (e.current_txn_first_offset < 0) return;
  open_txns_.erase(e.current_txn_first_offset);
  e.current_txn_first_offset = -1;
}

void ProducerStateTable::record(const protocol::BatchHeader& h, int64_t first_offset,
                                int64_t append_time_ms) {
  if (h.producer_id < 0 || h.is_control()) return;
  ProducerEntry& e = entry_for_epoch(h.producer_id, h.producer_epoch);
  e.last_write_ms = append_time_ms;
  if (h.is_transactional()) open_txn(h.producer_id, e, first_offset);
  if (h.base_sequence < 0) return;  // NO_SEQUENCE: nothing to recognise a retry by
  e.batches.push_back({h.base_sequence, last_sequence(h), first_offset,
                       first_offset + h.last_offset_delta, append_time_ms});
  if (e.batches.size() > kBatchesKept) e.batches.pop_front();
}

SequenceCheck ProducerStateTable::check_marker(int64_t producer_id, int16_t epoch) const {
  const ProducerEntry* e = find(producer_id);
  if (e && epoch < e->epoch) return SequenceCheck::invalid_producer_epoch;
  return SequenceCheck::accept;
}

int64_t ProducerStateTable::end_transaction(int64_t producer_id, int16_t epoch,
                                            int64_t marker_offset, int64_t now_ms) {
  ProducerEntry& e = entry_for_epoch(producer_id, epoch);
  e.last_write_ms = now_ms;
  const int64_t first = e.current_txn_first_offset;
  assert(first < 0 || first < marker_offset);
  (void)marker_offset;
  close_txn(e);
  return first;
}

std::optional<int64_t> ProducerStateTable::first_unstable_offset() const {
  if (open_txns_.empty()) return std::nullopt;
  return open_txns_.begin()->first;
}

const ProducerEntry* ProducerStateTable::find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

size_t ProducerStateTable::expire(int64_t now_ms, int64_t expiration_ms) {
  size_t n = 0;
  for (auto it = producers_.begin(); it != producers_.end();) {
    const ProducerEntry& e = it->second;
    if (e.current_txn_first_offset < 0 && now_ms - e.last_append_ms() >= expiration_ms) {
      it = producers_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

void ProducerStateTable::remove_below(int64_t log_start) {
  std::erase_if(producers_, [log_start](const auto& p) {
    return p.second.current_txn_first_offset < 0 && p.second.last_offset() < log_start;
  });
}

std::vector<std::vector<int64_t>> ProducerStateTable::to_snapshot() const {
  std::vector<std::vector<int64_t>> lines;
  for (const auto& [pid, e] : producers_) {
    if (e.batches.empty()) {
      lines.push_back({pid, e.epoch, -1, -1, -1, -1, e.last_write_ms, e.current_txn_first_offset});
      continue;
    }
    for (const ProducerBatch& b : e.batches)
      lines.push_back({pid, e.epoch, b.first_seq, b.last_seq, b.first_offset, b.last_offset,
                       b.append_time_ms, e.current_txn_first_offset});
  }
  return lines;
}

bool ProducerStateTable::from_snapshot(const std::vector<std::vector<int64_t>>& lines) {
  clear();
  for (const auto& l : lines) {
    if (l.size() != kSnapshotFields) {
      clear();
      return false;
    }
    // The line of a producer without remembered batches (see kSnapshotFields).
    const bool no_batch = l[2] == -1 && l[3] == -1 && l[4] == -1 && l[5] == -1;
    const bool valid = l[0] >= 0 && l[1] >= 0 && l[1] <= std::numeric_limits<int16_t>::max() &&
                       l[7] >= -1 &&
                       (no_batch || (l[2] >= 0 && l[2] <= kMaxSeq && l[3] >= 0 && l[3] <= kMaxSeq &&
                                     l[4] >= 0 && l[5] >= l[4]));
    if (!valid) {
      clear();
      return false;
    }
    ProducerEntry& e = entry_for_epoch(l[0], static_cast<int16_t>(l[1]));
    e.last_write_ms = std::max(e.last_write_ms, l[6]);
    if (l[7] >= 0 && e.current_txn_first_offset != l[7]) {
      close_txn(e);
      if (open_txns_.contains(l[7])) {  // two producers' transactions cannot start together
        clear();
        return false;
      }
      open_txn(l[0], e, l[7]);
    }
    if (no_batch) continue;
    e.batches.push_back({static_cast<int32_t>(l[2]), static_cast<int32_t>(l[3]), l[4], l[5], l[6]});
    if (e.batches.size() > kBatchesKept) e.batches.pop_front();
  }
  return true;
}

}  // namespace sluice::storage

#include "leader_epoch_cache.h"

#include <climits>

#include "sluice/storage/checkpoint_file.h"

namespace sluice::storage {

bool LeaderEpochCache::load() {
  entries_.clear();
  if (!std::filesystem::exists(file_)) return true;
  auto e = read_checkpoint(file_, 2);
  if (!e) return false;
  for (const auto& line : *e) {
    if (line[0] < 0 || line[0] > INT32_MAX || line[1] < 0) return entries_.clear(), false;
    EpochEntry entry{static_cast<int32_t>(line[0]), line[1]};
    if (!entries_.empty() && (entry.epoch <= entries_.back().epoch ||
                              entry.start_offset <= entries_.back().start_offset))
      return entries_.clear(), false;
    entries_.push_back(entry);
  }
  return true;
}

bool LeaderEpochCache::assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0 || epoch <= latest_epoch()) return true;
  while (!entries_.empty() && entries_.back().start_offset >= start_offset) entries_.pop_back();
  entries_.push_back({epoch, start_offset});
  return flush();
}

bool LeaderEpochCache::truncate_from_end(int64_t end_offset) {
  size_t n = entries_.size();
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) entries_.pop_back();
  return n == entries_.size() || flush();
}

bool LeaderEpochCache::truncate_from_start(int64_t start_offset) {
  // The last entry starting at or below start_offset survives, moved up to start there.
  size_t keep = 0;
  while (keep + 1 < entries_.size() && entries_[keep + 1].start_offset <= start_offset) ++keep;
  if (entries_.empty() || entries_[0].start_offset >= start_offset) return true;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(keep));
  entries_[0].start_offset = start_offset;
  return flush();
}

bool LeaderEpochCache::flush() const {
  CheckpointEntries lines;
  for (const auto& e : entries_) lines.push_back({e.epoch, e.start_offset});
  return write_checkpoint(file_, lines);
}

}  // namespace sluice::storage

#include "time_index.h"

#include <algorithm>
#include <string>

#include "sluice/protocol/endian.h"

namespace sluice::storage {

using protocol::load_be;
using protocol::store_be;

bool TimeIndex::open(const std::filesystem::path& path, bool truncate) {
  std::string data;
  if (!file_.open(path, truncate, &data)) return false;
  entries_.clear();
  damaged_ = data.size() % kEntrySize != 0;
  auto p = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i + kEntrySize <= data.size(); i += kEntrySize)
    entries_.push_back({load_be<int64_t>(p + i), load_be<int32_t>(p + i + 8)});
  return true;
}

bool TimeIndex::plausible(int64_t relative_end) const {
  if (damaged_) return false;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].relative_offset < 0 || entries_[i].relative_offset >= relative_end)
      return false;
    if (i > 0 && (entries_[i].timestamp <= entries_[i - 1].timestamp ||
                  entries_[i].relative_offset <= entries_[i - 1].relative_offset))
      return false;
  }
  return true;
}

void TimeIndex::maybe_append(int64_t timestamp, int32_t relative_offset) {
  if (!entries_.empty() && (timestamp <= entries_.back().timestamp ||
                            relative_offset <= entries_.back().relative_offset))
    return;
  entries_.push_back({timestamp, relative_offset});
  uint8_t buf[kEntrySize];
  store_be(buf, timestamp);
  store_be(buf + 8, relative_offset);
  file_.append(buf, sizeof buf);
}

std::optional<TimeEntry> TimeIndex::last_before(int64_t ts) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts,
                             [](const TimeEntry& e, int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

void TimeIndex::truncate_to(int32_t relative_offset) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const TimeEntry& e) { return e.relative_offset >= relative_offset; });
  if (it == entries_.end()) return;
  entries_.erase(it, entries_.end());
  rewrite_file();
}

void TimeIndex::clear() {
  entries_.clear();
  damaged_ = false;
  rewrite_file();
}

void TimeIndex::repair_file() {
  if (file_.stale()) rewrite_file();
}

void TimeIndex::rewrite_file() {
  std::string data(entries_.size() * kEntrySize, '\0');
  auto p = reinterpret_cast<uint8_t*>(data.data());
  for (size_t i = 0; i < entries_.size(); ++i) {
    store_be(p + i * kEntrySize, entries_[i].timestamp);
    store_be(p + i * kEntrySize + 8, entries_[i].relative_offset);
  }
  file_.rewrite(data);
}

}  // namespace sluice::storage

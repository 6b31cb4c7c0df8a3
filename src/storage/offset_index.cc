#include "offset_index.h"

#include <algorithm>
#include <string>

#include "sluice/protocol/endian.h"

namespace sluice::storage {

using protocol::load_be;
using protocol::store_be;

bool OffsetIndex::open(const std::filesystem::path& path, bool truncate) {
  std::string data;
  if (!file_.open(path, truncate, &data)) return false;
  entries_.clear();
  damaged_ = data.size() % kEntrySize != 0;
  auto p = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i + kEntrySize <= data.size(); i += kEntrySize)
    entries_.push_back({load_be<int32_t>(p + i), load_be<uint32_t>(p + i + 4)});
  return true;
}

bool OffsetIndex::plausible(uint64_t log_size) const {
  if (damaged_) return false;
  if (entries_.empty()) return log_size == 0;
  if (entries_[0].relative_offset != 0 || entries_[0].position != 0) return false;
  for (size_t i = 1; i < entries_.size(); ++i) {
    if (entries_[i].relative_offset <= entries_[i - 1].relative_offset) return false;
    if (entries_[i].position <= entries_[i - 1].position) return false;
  }
  return entries_.back().position < log_size;
}

void OffsetIndex::append(int32_t relative_offset, uint32_t position) {
  entries_.push_back({relative_offset, position});
  uint8_t buf[kEntrySize];
  store_be(buf, relative_offset);
  store_be(buf + 4, position);
  file_.append(buf, sizeof buf);
}

OffsetEntry OffsetIndex::lookup(int32_t relative_offset) const {
  auto it =
      std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                       [](int32_t rel, const OffsetEntry& e) { return rel < e.relative_offset; });
  if (it == entries_.begin()) return {};
  return *std::prev(it);
}

void OffsetIndex::truncate_to(int32_t relative_offset) {
  auto it =
      std::lower_bound(entries_.begin(), entries_.end(), relative_offset,
                       [](const OffsetEntry& e, int32_t rel) { return e.relative_offset < rel; });
  if (it == entries_.end()) return;
  entries_.erase(it, entries_.end());
  rewrite_file();
}

void OffsetIndex::clear() {
  entries_.clear();
  damaged_ = false;
  rewrite_file();
}

void OffsetIndex::repair_file() {
  if (file_.stale()) rewrite_file();
}

void OffsetIndex::rewrite_file() {
  std::string data(entries_.size() * kEntrySize, '\0');
  auto p = reinterpret_cast<uint8_t*>(data.data());
  for (size_t i = 0; i < entries_.size(); ++i) {
    store_be(p + i * kEntrySize, entries_[i].relative_offset);
    store_be(p + i * kEntrySize + 4, entries_[i].position);
  }
  file_.rewrite(data);
}

}  // namespace sluice::storage

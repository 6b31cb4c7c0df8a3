#pragma once
// The part every sparse segment index shares: entries kept in memory (authoritative while the log
// is open) and mirrored append-only into an IndexFile. Entry types describe their own fixed-size
// big-endian layout:
//
//   struct E { int32_t relative_offset; ...;
//              static constexpr size_t kSize;
//              static E decode(const uint8_t*); void encode(uint8_t*) const; };
//
// Invariant the owners keep (and check in plausible()): relative offsets strictly increase.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "index_file.h"

namespace sluice::storage {

template <typename Entry>
class SparseIndex {
 public:
  static constexpr size_t kEntrySize = Entry::kSize;

  // Opens or creates the file and loads its entries; false if the file cannot be used at all.
  // A length that is not a whole number of entries loads as damaged (plausible() says no).
  bool open(const std::filesystem::path& path, bool truncate) {
    std::string data;
    if (!file_.open(path, truncate, &data)) return false;
    entries_.clear();
    damaged_ = data.size() % kEntrySize != 0;
    auto p = reinterpret_cast<const uint8_t*>(data.data());
    for (size_t i = 0; i + kEntrySize <= data.size(); i += kEntrySize)
      entries_.push_back(Entry::decode(p + i));
    return true;
  }

  // Drops entries at or above relative_offset.
  void truncate_to(int32_t relative_offset) {
    // A linear search, as truncation is rare and must hold on unsorted (damaged) entries too.
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.relative_offset >= relative_offset; });
    if (it == entries_.end()) return;
    entries_.erase(it, entries_.end());
    rewrite_file();
  }
  // Forgets every entry (memory and file), before a rebuild.
  void clear() {
    entries_.clear();
    damaged_ = false;
    rewrite_file();
  }
  // Rewrites the file from memory if an earlier write failed.
  void repair_file() {
    if (file_.stale()) rewrite_file();
  }
  void remove() { file_.remove(); }

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size_bytes() const { return entries_.size() * kEntrySize; }

 protected:
  void append_entry(const Entry& e) {
    entries_.push_back(e);
    uint8_t buf[kEntrySize];
    e.encode(buf);
    file_.append(buf, sizeof buf);
  }
  bool damaged() const { return damaged_; }

 private:
  void rewrite_file() {
    std::string data(entries_.size() * kEntrySize, '\0');
    auto p = reinterpret_cast<uint8_t*>(data.data());
    for (size_t i = 0; i < entries_.size(); ++i) entries_[i].encode(p + i * kEntrySize);
    file_.rewrite(data);
  }

  IndexFile file_;
  std::vector<Entry> entries_;
  bool damaged_ = false;
};

}  // namespace sluice::storage

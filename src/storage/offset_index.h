#pragma once
// Sparse map from offsets to file positions within one segment. Each entry names the first byte
// of a batch and that batch's base offset, relative to the segment's base offset.
//
// File format: 8-byte entries, big-endian: int32 relative offset, uint32 position.
// Invariant (checked by plausible()): relative offsets and positions strictly increase, and the
// first entry, if any, is (0, 0) since a segment's first batch is always indexed.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "index_file.h"

namespace sluice::storage {

struct OffsetEntry {
  int32_t relative_offset = 0;
  uint32_t position = 0;
};

class OffsetIndex {
 public:
  static constexpr size_t kEntrySize = 8;

  // Opens or creates the file and loads its entries; false if the file cannot be used at all.
  // A length that is not a whole number of entries loads as damaged (see plausible()).
  bool open(const std::filesystem::path& path, bool truncate);

  // Structural checks only (no log access): whole entries, strictly increasing, first is (0,0),
  // every position below log_size.
  bool plausible(uint64_t log_size) const;

  void append(int32_t relative_offset, uint32_t position);
  // The last entry whose relative offset is <= relative_offset; (0, 0) when none.
  OffsetEntry lookup(int32_t relative_offset) const;
  // Drops entries at or above relative_offset.
  void truncate_to(int32_t relative_offset);
  // Forgets every entry (memory and file), before a rebuild.
  void clear();
  // Rewrites the file from memory if an earlier write failed.
  void repair_file();
  void remove() { file_.remove(); }

  const std::vector<OffsetEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size_bytes() const { return entries_.size() * kEntrySize; }

 private:
  void rewrite_file();
  IndexFile file_;
  std::vector<OffsetEntry> entries_;
  bool damaged_ = false;
};

}  // namespace sluice::storage

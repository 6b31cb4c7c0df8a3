#pragma once
// Sparse map from offsets to file positions within one segment. Each entry names the first byte
// of a batch and that batch's base offset, relative to the segment's base offset.
//
// File format: 8-byte entries, big-endian: int32 relative offset, uint32 position.
// Invariant (checked by plausible()): relative offsets and positions strictly increase, and the
// first entry, if any, is (0, 0) since a segment's first batch is always indexed.
#include <cstdint>

#include "sparse_index.h"

namespace sluice::storage {

struct OffsetEntry {
  int32_t relative_offset = 0;
  uint32_t position = 0;

  static constexpr size_t kSize = 8;
  static OffsetEntry decode(const uint8_t* p);
  void encode(uint8_t* p) const;
};

class OffsetIndex : public SparseIndex<OffsetEntry> {
 public:
  // Structural checks only (no log access): whole entries, strictly increasing, first is (0,0),
  // every position below log_size.
  bool plausible(uint64_t log_size) const;

  void append(int32_t relative_offset, uint32_t position) {
    append_entry({relative_offset, position});
  }
  // The last entry whose relative offset is <= relative_offset; (0, 0) when none.
  OffsetEntry lookup(int32_t relative_offset) const;
};

}  // namespace sluice::storage

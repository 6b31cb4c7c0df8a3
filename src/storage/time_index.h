#pragma once
// Sparse map from timestamps to offsets within one segment. An entry (T, R) says: T is the
// largest batch maxTimestamp among all batches up to and including the batch whose base offset
// is segment base + R, and that batch holds it. So every batch before R has maxTimestamp <= T,
// which lets a lookup for ts skip to the last entry with T < ts.
//
// File format: 12-byte entries, big-endian: int64 timestamp, int32 relative offset.
// Invariant (checked by plausible()): timestamps and relative offsets strictly increase.
#include <cstdint>
#include <optional>

#include "sparse_index.h"

namespace sluice::storage {

struct TimeEntry {
  int64_t timestamp = -1;
  int32_t relative_offset = 0;

  static constexpr size_t kSize = 12;
  static TimeEntry decode(const uint8_t* p);
  void encode(uint8_t* p) const;
};

class TimeIndex : public SparseIndex<TimeEntry> {
 public:
  // Whole entries, strictly increasing, every offset below relative_end.
  bool plausible(int64_t relative_end) const;

  // Appends unless timestamp is not above the last entry's (entries only record new maxima).
  void maybe_append(int64_t timestamp, int32_t relative_offset);
  // The last entry with timestamp < ts, if any.
  std::optional<TimeEntry> last_before(int64_t ts) const;
};

}  // namespace sluice::storage

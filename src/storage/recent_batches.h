#pragma once
// Where the newest batches of a segment lie, kept in memory so that a consumer reading near the
// end of the log (the usual case: a caught-up consumer asking for what was just appended) is
// located and sized without reading a single batch header back from the file.
//
// Invariant: the spans are contiguous, oldest first, and the newest ends where the segment ends;
// at most kCapacity are kept (the oldest are forgotten first).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace sluice::storage {

// The extent of one batch in a segment and the offsets it holds: what a read needs of it.
struct BatchSpan {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  uint64_t position = 0;
  uint32_t size = 0;
  uint64_t end() const { return position + size; }
};

class RecentBatches {
 public:
  static constexpr size_t kCapacity = 256;

  // Records the batch just written (or walked) at the end of the segment. A span that does not
  // follow the newest one starts the memory afresh, so the invariant holds whatever the caller.
  void push(const BatchSpan& b) {
    if (!spans_.empty() &&
        (b.position != spans_.back().end() || b.base_offset != spans_.back().last_offset + 1))
      spans_.clear();
    if (spans_.size() == kCapacity) spans_.pop_front();
    spans_.push_back(b);
  }
  void clear() { spans_.clear(); }

  // The remembered batch holding offset (the first whose last offset >= offset), or nullptr
  // when offset lies before the remembered ones or after the newest.
  const BatchSpan* holding(int64_t offset) const {
    if (spans_.empty() || offset < spans_.front().base_offset) return nullptr;
    auto it = std::partition_point(spans_.begin(), spans_.end(),
                                   [&](const BatchSpan& s) { return s.last_offset < offset; });
    return it == spans_.end() ? nullptr : &*it;
  }
  // The remembered batch that starts at position pos, or nullptr.
  const BatchSpan* starting_at(uint64_t pos) const {
    if (spans_.empty() || pos < spans_.front().position) return nullptr;
    auto it = std::partition_point(spans_.begin(), spans_.end(),
                                   [&](const BatchSpan& s) { return s.position < pos; });
    return it != spans_.end() && it->position == pos ? &*it : nullptr;
  }

 private:
  std::deque<BatchSpan> spans_;
};

}  // namespace sluice::storage

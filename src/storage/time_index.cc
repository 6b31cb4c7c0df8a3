#include "time_index.h"

#include <algorithm>

#include "sluice/protocol/endian.h"

namespace sluice::storage {

using protocol::load_be;
using protocol::store_be;

TimeEntry TimeEntry::decode(const uint8_t* p) {
  return {load_be<int64_t>(p), load_be<int32_t>(p + 8)};
}

void TimeEntry::encode(uint8_t* p) const {
  store_be(p, timestamp);
  store_be(p + 8, relative_offset);
}

bool TimeIndex::plausible(int64_t relative_end) const {
  const auto& es = entries();
  if (damaged()) return false;
  for (size_t i = 0; i < es.size(); ++i) {
    if (es[i].relative_offset < 0 || es[i].relative_offset >= relative_end) return false;
    if (i > 0 && (es[i].timestamp <= es[i - 1].timestamp ||
                  es[i].relative_offset <= es[i - 1].relative_offset))
      return false;
  }
  return true;
}

void TimeIndex::maybe_append(int64_t timestamp, int32_t relative_offset) {
  const auto& es = entries();
  if (!es.empty() &&
      (timestamp <= es.back().timestamp || relative_offset <= es.back().relative_offset))
    return;
  append_entry({timestamp, relative_offset});
}

std::optional<TimeEntry> TimeIndex::last_before(int64_t ts) const {
  const auto& es = entries();
  auto it = std::lower_bound(es.begin(), es.end(), ts,
                             [](const TimeEntry& e, int64_t t) { return e.timestamp < t; });
  if (it == es.begin()) return std::nullopt;
  return *std::prev(it);
}

}  // namespace sluice::storage

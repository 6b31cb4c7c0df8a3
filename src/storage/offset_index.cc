#include "offset_index.h"

#include <algorithm>

#include "sluice/protocol/endian.h"

namespace sluice::storage {

using protocol::load_be;
using protocol::store_be;

OffsetEntry OffsetEntry::decode(const uint8_t* p) {
  return {load_be<int32_t>(p), load_be<uint32_t>(p + 4)};
}

void OffsetEntry::encode(uint8_t* p) const {
  store_be(p, relative_offset);
  store_be(p + 4, position);
}

bool OffsetIndex::plausible(uint64_t log_size) const {
  const auto& es = entries();
  if (damaged()) return false;
  if (es.empty()) return log_size == 0;
  if (es[0].relative_offset != 0 || es[0].position != 0) return false;
  for (size_t i = 1; i < es.size(); ++i) {
    if (es[i].relative_offset <= es[i - 1].relative_offset) return false;
    if (es[i].position <= es[i - 1].position) return false;
  }
  return es.back().position < log_size;
}

OffsetEntry OffsetIndex::lookup(int32_t relative_offset) const {
  const auto& es = entries();
  auto it =
      std::upper_bound(es.begin(), es.end(), relative_offset,
                       [](int32_t rel, const OffsetEntry& e) { return rel < e.relative_offset; });
  if (it == es.begin()) return {};
  return *std::prev(it);
}

}  // namespace sluice::storage

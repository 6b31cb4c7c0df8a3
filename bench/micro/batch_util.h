#pragma once
// Builds uncompressed RecordBatch v2 bytes for the micro-benchmarks (no dependency on tests/).
#include <cstdint>
#include <string>

#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/protocol/varint.h"

namespace sluice::bench {

// `count` records of `value_size` bytes each, null keys, no headers.
inline std::string make_batch(int count, size_t value_size, int64_t base_offset = 0) {
  using namespace sluice::protocol;
  const std::string value(value_size, 'v');
  std::string records;
  for (int i = 0; i < count; ++i) {
    std::string body;
    body.push_back(0);        // attributes
    append_varint(body, 0);   // timestamp delta
    append_varint(body, i);   // offset delta
    append_varint(body, -1);  // null key
    append_varint(body, static_cast<int64_t>(value.size()));
    body += value;
    append_varint(body, 0);  // no headers
    append_varint(records, static_cast<int64_t>(body.size()));
    records += body;
  }
  std::string b(kBatchHeaderSize, '\0');
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  const int64_t ts = 1'700'000'000'000;
  store_be<int64_t>(p + 0, base_offset);
  store_be<int32_t>(p + 8,
                    static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead + records.size()));
  store_be<int32_t>(p + 12, 0);
  p[16] = 2;  // magic
  store_be<int16_t>(p + 21, 0);
  store_be<int32_t>(p + 23, count - 1);
  store_be<int64_t>(p + 27, ts);
  store_be<int64_t>(p + 35, ts);
  store_be<int64_t>(p + 43, -1);
  store_be<int16_t>(p + 51, -1);
  store_be<int32_t>(p + 53, -1);
  store_be<int32_t>(p + 57, count);
  b += records;
  p = reinterpret_cast<uint8_t*>(b.data());
  const uint32_t crc = crc32c({p + 21, b.size() - 21});
  store_be<uint32_t>(p + 17, crc);
  return b;
}

}  // namespace sluice::bench

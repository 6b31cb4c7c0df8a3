#pragma once
// Helpers for the protocol tests: RecordBatch v2 bytes with keys, null keys, headers, timestamp
// deltas and optional compression of the records section.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/protocol/compression.h"
#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol::testing {

struct TestHeader {
  std::string key{};
  std::optional<std::string> value{};
};

struct TestRecord {
  std::optional<std::string> key{};
  std::optional<std::string> value{};
  int64_t timestamp_delta = 0;
  std::vector<TestHeader> headers{};
  std::optional<int32_t> offset_delta{};  // default: the record's index
};

struct BatchOptions {
  int64_t base_offset = 0;
  int64_t base_timestamp = 1'700'000'000'000;
  Compression compression = Compression::none;
  bool log_append_time = false;
  std::optional<int64_t> max_timestamp{};      // default: base + the largest delta
  std::optional<int32_t> record_count{};       // default: the number of records
  std::optional<int32_t> last_offset_delta{};  // default: the largest offset delta
  int16_t extra_attributes = 0;                // OR-ed into attributes
};

inline void append_nullable(std::string& out, const std::optional<std::string>& s) {
  if (!s) {
    append_varint(out, -1);
    return;
  }
  append_varint(out, static_cast<int64_t>(s->size()));
  out += *s;
}

// The body of one record (everything after its length varint).
inline std::string record_body(const TestRecord& r, int32_t offset_delta) {
  std::string body;
  body.push_back(0);  // attributes
  append_varint(body, r.timestamp_delta);
  append_varint(body, offset_delta);
  append_nullable(body, r.key);
  append_nullable(body, r.value);
  append_varint(body, static_cast<int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    append_nullable(body, h.key);
    append_nullable(body, h.value);
  }
  return body;
}

inline std::string records_section(const std::vector<TestRecord>& recs) {
  std::string out;
  for (size_t i = 0; i < recs.size(); ++i) {
    auto body = record_body(recs[i], recs[i].offset_delta.value_or(static_cast<int32_t>(i)));
    append_varint(out, static_cast<int64_t>(body.size()));
    out += body;
  }
  return out;
}

// A batch around an already-encoded (uncompressed) records section; compresses it if asked and
// computes the CRC over bytes 21..end.
inline std::string batch_from_section(const std::string& plain, int32_t record_count,
                                      int32_t last_offset_delta, int64_t max_timestamp,
                                      const BatchOptions& o) {
  std::string section;
  if (o.compression == Compression::none) {
    section = plain;
  } else if (!compress(o.compression,
                       {reinterpret_cast<const uint8_t*>(plain.data()), plain.size()}, section)) {
    return {};
  }
  std::string b(kBatchHeaderSize, '\0');
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  int16_t attributes = static_cast<int16_t>(static_cast<int16_t>(o.compression) |
                                            (o.log_append_time ? 0x8 : 0) | o.extra_attributes);
  store_be<int64_t>(p + 0, o.base_offset);
  store_be<int32_t>(p + 8, static_cast<int32_t>(kBatchHeaderSize - 12 + section.size()));
  store_be<int32_t>(p + 12, 0);
  p[16] = 2;
  store_be<int16_t>(p + 21, attributes);
  store_be<int32_t>(p + 23, last_offset_delta);
  store_be<int64_t>(p + 27, o.base_timestamp);
  store_be<int64_t>(p + 35, max_timestamp);
  store_be<int64_t>(p + 43, -1);
  store_be<int16_t>(p + 51, -1);
  store_be<int32_t>(p + 53, -1);
  store_be<int32_t>(p + 57, record_count);
  b += section;
  p = reinterpret_cast<uint8_t*>(b.data());
  store_be<uint32_t>(p + 17, crc32c({p + 21, b.size() - 21}));
  return b;
}

inline std::string build_batch(const std::vector<TestRecord>& recs, const BatchOptions& o = {}) {
  int64_t max_delta = 0;
  int32_t max_off = 0;
  for (size_t i = 0; i < recs.size(); ++i) {
    max_delta = std::max(max_delta, recs[i].timestamp_delta);
    max_off = std::max(max_off, recs[i].offset_delta.value_or(static_cast<int32_t>(i)));
  }
  return batch_from_section(records_section(recs),
                            o.record_count.value_or(static_cast<int32_t>(recs.size())),
                            o.last_offset_delta.value_or(max_off),
                            o.max_timestamp.value_or(o.base_timestamp + max_delta), o);
}

inline std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace sluice::protocol::testing

#include "sluice/protocol/record_iterator.h"

#include <string>

#include "sluice/protocol/compression.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol {
namespace {

// Reads a varint length followed by that many bytes; -1 means null. Fails on other negative
// lengths and on lengths past the end.
bool read_nullable_bytes(VarintReader& r, std::span<const uint8_t>& bytes, bool& is_null) {
  auto len = r.read_varint();
  if (!len || *len < -1) return false;
  if (*len == -1) {
    bytes = {};
    is_null = true;
    return true;
  }
  if (static_cast<size_t>(*len) > r.remaining()) return false;
  bytes = r.take(static_cast<size_t>(*len));
  is_null = false;
  return true;
}

BatchError walk_records(std::span<const uint8_t> records, const BatchHeader& h,
                        const std::function<bool(const Record&)>& fn) {
  VarintReader r(records);
  int32_t count = 0;
  while (!r.at_end()) {
    if (count == h.record_count) return BatchError::bad_records;  // more records than declared
    auto len = r.read_varint();
    if (!len || *len < 0 || static_cast<size_t>(*len) > r.remaining())
      return BatchError::bad_records;
    VarintReader rec(r.take(static_cast<size_t>(*len)));
    if (rec.remaining() < 1) return BatchError::bad_records;
    rec.take(1);  // attributes: unused in v2
    auto ts_delta = rec.read_varlong();
    auto off_delta = rec.read_varint();
    if (!ts_delta || !off_delta || *off_delta < 0 || *off_delta > h.last_offset_delta)
      return BatchError::bad_records;
    Record out{};
    if (!read_nullable_bytes(rec, out.key, out.key_null)) return BatchError::bad_records;
    if (!read_nullable_bytes(rec, out.value, out.value_null)) return BatchError::bad_records;
    auto headers = rec.read_varint();
    if (!headers || *headers < 0) return BatchError::bad_records;
    for (int32_t i = 0; i < *headers; ++i) {
      std::span<const uint8_t> bytes;
      bool is_null = false;
      // Header keys are non-null strings; header values may be null.
      if (!read_nullable_bytes(rec, bytes, is_null) || is_null) return BatchError::bad_records;
      if (!read_nullable_bytes(rec, bytes, is_null)) return BatchError::bad_records;
    }
    if (!rec.at_end()) return BatchError::bad_records;
    ++count;
    // Wrapping arithmetic: hostile header fields must not cause undefined behaviour.
    out.offset = static_cast<int64_t>(static_cast<uint64_t>(h.base_offset) +
                                      static_cast<uint64_t>(*off_delta));
    out.timestamp = h.log_append_time()
                        ? h.max_timestamp
                        : static_cast<int64_t>(static_cast<uint64_t>(h.base_timestamp) +
                                               static_cast<uint64_t>(*ts_delta));
    out.header_count = *headers;
    if (!fn(out)) return BatchError::ok;
  }
  return count == h.record_count ? BatchError::ok : BatchError::bad_records;
}

}  // namespace

BatchError for_each_record(std::span<const uint8_t> batch, size_t max_decompressed,
                           const std::function<bool(const Record&)>& fn) {
  auto hdr = read_batch_header(batch);
  if (!hdr) return BatchError::truncated;
  const BatchHeader& h = *hdr;
  if (h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead))
    return BatchError::bad_length;
  if (h.magic != 2) return BatchError::bad_magic;
  if (batch.size() < h.total_size()) return BatchError::truncated;
  if ((h.attributes & 0x7) > 4 || (h.attributes & 0xff80) != 0) return BatchError::bad_attributes;
  if (h.record_count < 0 || h.last_offset_delta < 0) return BatchError::bad_records;

  auto records = batch.subspan(kBatchHeaderSize, h.total_size() - kBatchHeaderSize);
  if (h.compression() == Compression::none) return walk_records(records, h, fn);
  std::string plain;
  if (decompress(h.compression(), records, plain, max_decompressed) != DecompressError::ok)
    return BatchError::bad_records;
  return walk_records({reinterpret_cast<const uint8_t*>(plain.data()), plain.size()}, h, fn);
}

std::optional<std::pair<int64_t, int64_t>> first_record_at_or_after(std::span<const uint8_t> batch,
                                                                    int64_t ts) {
  std::optional<std::pair<int64_t, int64_t>> found;
  auto e = for_each_record(batch, kDefaultMaxDecompressed, [&](const Record& r) {
    if (r.timestamp < ts) return true;
    found.emplace(r.offset, r.timestamp);
    return false;
  });
  if (e != BatchError::ok) return std::nullopt;
  return found;
}

std::optional<std::pair<int64_t, int64_t>> max_timestamp_record(std::span<const uint8_t> batch) {
  std::optional<std::pair<int64_t, int64_t>> best;
  auto e = for_each_record(batch, kDefaultMaxDecompressed, [&](const Record& r) {
    if (!best || r.timestamp > best->second) best.emplace(r.offset, r.timestamp);
    return true;
  });
  if (e != BatchError::ok) return std::nullopt;
  return best;
}

}  // namespace sluice::protocol

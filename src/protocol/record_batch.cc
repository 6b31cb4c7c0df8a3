#include "sluice/protocol/record_batch.h"

#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol {
namespace {

constexpr size_t kCrcOffset = 17;
constexpr size_t kAttributesOffset = 21;
constexpr size_t kMaxTimestampOffset = 35;

// Walks the records of an uncompressed batch: each is a zig-zag varint length followed by that
// many bytes, whose offsetDelta must count up from 0.
bool records_match_header(std::span<const uint8_t> records, const BatchHeader& h) {
  VarintReader r(records);
  int32_t count = 0;
  while (!r.at_end()) {
    auto len = r.read_varint();
    if (!len || *len < 0 || static_cast<size_t>(*len) > r.remaining()) return false;
    VarintReader rec(r.take(static_cast<size_t>(*len)));
    // attributes int8, timestampDelta varlong, offsetDelta varint
    if (rec.remaining() < 1) return false;
    rec.take(1);
    if (!rec.read_varlong()) return false;
    auto delta = rec.read_varint();
    if (!delta || *delta != count) return false;
    ++count;
    if (count > h.record_count) return false;
  }
  return count == h.record_count && (count == 0 || h.last_offset_delta == count - 1);
}

}  // namespace

const char* to_string(BatchError e) {
  switch (e) {
    case BatchError::ok:
      return "ok";
    case BatchError::truncated:
      return "truncated batch";
    case BatchError::bad_length:
      return "invalid batch length";
    case BatchError::bad_magic:
      return "unsupported magic (only v2 record batches are accepted)";
    case BatchError::bad_crc:
      return "CRC-32C mismatch";
    case BatchError::bad_records:
      return "records do not match the batch header";
    case BatchError::bad_attributes:
      return "invalid batch attributes";
  }
  return "?";
}

std::optional<BatchHeader> read_batch_header(std::span<const uint8_t> b) {
  if (b.size() < kBatchHeaderSize) return std::nullopt;
  const uint8_t* p = b.data();
  BatchHeader h;
  h.base_offset = load_be<int64_t>(p + 0);
  h.batch_length = load_be<int32_t>(p + 8);
  h.partition_leader_epoch = load_be<int32_t>(p + 12);
  h.magic = static_cast<int8_t>(p[16]);
  h.crc = load_be<uint32_t>(p + 17);
  h.attributes = load_be<int16_t>(p + 21);
  h.last_offset_delta = load_be<int32_t>(p + 23);
  h.base_timestamp = load_be<int64_t>(p + 27);
  h.max_timestamp = load_be<int64_t>(p + 35);
  h.producer_id = load_be<int64_t>(p + 43);
  h.producer_epoch = load_be<int16_t>(p + 51);
  h.base_sequence = load_be<int32_t>(p + 53);
  h.record_count = load_be<int32_t>(p + 57);
  return h;
}

BatchError validate_batch(std::span<const uint8_t> bytes, size_t max_batch_bytes,
                          bool check_records, BatchHeader* out) {
  if (bytes.size() < kBatchLogOverhead + 5) return BatchError::truncated;
  int32_t len = load_be<int32_t>(bytes.data() + 8);
  if (len < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead))
    return BatchError::bad_length;
  // magic is read before the length check against the buffer so that legacy message sets get
  // the more useful error.
  if (bytes[16] != 2) return BatchError::bad_magic;
  size_t total = kBatchLogOverhead + static_cast<size_t>(len);
  if (total > max_batch_bytes) return BatchError::bad_length;
  if (bytes.size() < total) return BatchError::truncated;
  auto h = *read_batch_header(bytes);
  if (h.record_count < 0 || h.last_offset_delta < 0) return BatchError::bad_records;
  if ((h.attributes & 0x7) > 4 || (h.attributes & 0xff80) != 0) return BatchError::bad_attributes;
  if (crc32c(bytes.subspan(kAttributesOffset, total - kAttributesOffset)) != h.crc)
    return BatchError::bad_crc;
  if (check_records && h.compression() == Compression::none &&
      !records_match_header(bytes.subspan(kBatchHeaderSize, total - kBatchHeaderSize), h))
    return BatchError::bad_records;
  if (out) *out = h;
  return BatchError::ok;
}

void set_base_offset(uint8_t* batch, int64_t base_offset) { store_be(batch, base_offset); }

void set_partition_leader_epoch(uint8_t* batch, int32_t epoch) { store_be(batch + 12, epoch); }

void set_log_append_time(std::span<uint8_t> batch, int64_t ts) {
  uint8_t* p = batch.data();
  store_be(p + kAttributesOffset,
           static_cast<int16_t>(load_be<int16_t>(p + kAttributesOffset) | 0x8));
  store_be(p + kMaxTimestampOffset, ts);
  store_be(p + kCrcOffset, crc32c(batch.subspan(kAttributesOffset)));
}

}  // namespace sluice::protocol

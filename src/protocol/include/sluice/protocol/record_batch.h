#pragma once
// RecordBatch v2 (magic 2), the unit Sluice validates, stores and serves unchanged.
// Layout (big-endian): baseOffset i64 @0, batchLength i32 @8, partitionLeaderEpoch i32 @12,
// magic i8 @16, crc u32 @17, attributes i16 @21, lastOffsetDelta i32 @23, baseTimestamp i64 @27,
// maxTimestamp i64 @35, producerId i64 @43, producerEpoch i16 @51, baseSequence i32 @53,
// recordCount i32 @57, records @61. The CRC covers attributes..end, so baseOffset and
// partitionLeaderEpoch can be rewritten without recomputing it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sluice::protocol {

inline constexpr size_t kBatchHeaderSize = 61;
// Bytes before batchLength's payload starts: baseOffset + batchLength.
inline constexpr size_t kBatchLogOverhead = 12;

enum class Compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  size_t total_size() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  Compression compression() const { return static_cast<Compression>(attributes & 0x7); }
  bool log_append_time() const { return attributes & 0x8; }
  bool is_transactional() const { return attributes & 0x10; }
  bool is_control() const { return attributes & 0x20; }
};

enum class BatchError {
  ok,
  truncated,      // fewer bytes than the header or the declared length
  bad_length,     // batchLength smaller than a header or larger than allowed
  bad_magic,      // not magic 2
  bad_crc,        // CRC-32C mismatch
  bad_records,    // record framing inconsistent with the header (uncompressed batches)
  bad_attributes  // unknown compression codec or reserved bits
};

const char* to_string(BatchError e);

// Reads the 61-byte header; nullopt if fewer bytes are available. No validation.
std::optional<BatchHeader> read_batch_header(std::span<const uint8_t> bytes);

// Validates one batch that starts at bytes[0]: length within [header, max_batch_bytes] and fully
// present, magic 2, known codec, CRC. With check_records, the records of an uncompressed batch are
// walked and must match recordCount and lastOffsetDelta exactly.
BatchError validate_batch(std::span<const uint8_t> bytes, size_t max_batch_bytes,
                          bool check_records, BatchHeader* out = nullptr);

// In-place rewrites of a batch's header. The first two are outside the CRC.
void set_base_offset(uint8_t* batch, int64_t base_offset);
void set_partition_leader_epoch(uint8_t* batch, int32_t epoch);
// Marks the batch LogAppendTime with maxTimestamp = ts, and recomputes the CRC.
void set_log_append_time(std::span<uint8_t> batch, int64_t ts);

}  // namespace sluice::protocol

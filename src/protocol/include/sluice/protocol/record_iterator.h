#pragma once
// Walks the individual records of a RecordBatch v2, decompressing the records section if needed.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <utility>

#include "sluice/protocol/record_batch.h"

namespace sluice::protocol {

// One record. key and value point into the batch or into a decompression buffer: they are valid
// only for the duration of the callback.
struct Record {
  int64_t offset;     // baseOffset + offsetDelta
  int64_t timestamp;  // maxTimestamp for LogAppendTime batches, else baseTimestamp + delta
  std::span<const uint8_t> key;
  bool key_null;
  std::span<const uint8_t> value;
  bool value_null;
  int32_t header_count;
};

// Default decompression bound for the conveniences below.
inline constexpr size_t kDefaultMaxDecompressed = 64 * 1024 * 1024;

// Calls fn for every record of the batch that starts at batch[0], in order, until fn returns
// false (then the rest is not examined and ok is returned). The CRC is not checked: the caller is
// expected to have validated the batch. Errors: truncated / bad_length / bad_magic for a bad
// header, bad_attributes for an unknown codec or reserved bits, bad_records for a decompression
// failure (including more than max_decompressed bytes) or any record framing error (a length past
// the end, a negative length other than a null -1, trailing bytes inside a record, an offsetDelta
// outside [0, lastOffsetDelta], or a record count different from recordCount). fn may already
// have been called for earlier records when an error is returned.
BatchError for_each_record(std::span<const uint8_t> batch, size_t max_decompressed,
                           const std::function<bool(const Record&)>& fn);

// (offset, timestamp) of the first record whose timestamp >= ts; nullopt when there is none or
// the batch is malformed. Decompresses at most kDefaultMaxDecompressed bytes.
std::optional<std::pair<int64_t, int64_t>> first_record_at_or_after(std::span<const uint8_t> batch,
                                                                    int64_t ts);

// (offset, timestamp) of the first record with the largest timestamp; nullopt for an empty or
// malformed batch. Decompresses at most kDefaultMaxDecompressed bytes.
std::optional<std::pair<int64_t, int64_t>> max_timestamp_record(std::span<const uint8_t> batch);

}  // namespace sluice::protocol

#pragma once
// Builds uncompressed RecordBatch v2 batches, for records the broker writes itself (committed
// offsets, group metadata, later transaction markers).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::protocol {

struct RecordData {
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt = tombstone
};

struct BatchOptions {
  int64_t timestamp = 0;  // every record gets this timestamp
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  bool control = false;
};

// One batch holding the records in order, offsets 0..n-1 relative to a base offset of 0 (the log
// assigns the real one), with a valid CRC.
std::string build_batch(std::span<const RecordData> records, const BatchOptions& options);

}  // namespace sluice::protocol

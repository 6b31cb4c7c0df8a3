#include "offsets_batch.h"

#include <chrono>

#include "group_records.h"

namespace sluice::group {

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string offsets_batch(const std::string& group, const OffsetItems& items,
                          protocol::BatchOptions options) {
  // Reserved up front: records point into keys and values.
  std::vector<std::string> keys, values;
  keys.reserve(items.size());
  values.reserve(items.size());
  std::vector<protocol::RecordData> records;
  for (const auto& [tp, off] : items) {
    keys.push_back(encode_record(OffsetCommitKey{group, tp.first, tp.second}));
    std::optional<std::string_view> value;
    if (off) {
      values.push_back(encode_record(
          OffsetCommitValue{off->offset, off->leader_epoch, off->metadata, off->commit_timestamp}));
      value = values.back();
    }
    records.push_back({keys.back(), value});
  }
  options.timestamp = wall_clock_ms();
  return protocol::build_batch(records, options);
}

}  // namespace sluice::group

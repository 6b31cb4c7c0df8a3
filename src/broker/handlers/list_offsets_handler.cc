#include "handlers/handlers.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
}  // namespace

SLUICE_HANDLER(ListOffsets) {
  protocol::ListOffsetsResponse resp;
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    for (const auto& lp : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = lp.partition_index;
      auto part = broker.partitions().get(t.name, lp.partition_index);
      if (!part) {
        pr.error_code = to_wire(ErrorCode::unknown_topic_or_partition);
        continue;
      }
      int64_t hw = part->high_watermark();
      pr.leader_epoch = part->leader_epoch();
      if (lp.timestamp == kLatest) {
        pr.offset = hw;
      } else if (lp.timestamp == kEarliest) {
        pr.offset = part->log_start_offset();
      } else if (lp.timestamp == kMaxTimestamp) {
        auto m = part->log().max_timestamp();
        if (m.offset >= 0 && m.offset < hw) {
          pr.offset = m.offset;
          pr.timestamp = m.timestamp;
        }
      } else if (lp.timestamp < 0) {
        pr.error_code = to_wire(ErrorCode::invalid_request);
      } else if (auto found = part->log().offset_for_timestamp(lp.timestamp);
                 found && found->offset < hw) {
        // Offsets past the high watermark are not yet durable: as if not there.
        pr.offset = found->offset;
        pr.timestamp = found->timestamp;
      }
    }
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

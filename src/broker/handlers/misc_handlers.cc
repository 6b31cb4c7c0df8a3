// DeleteRecords and DescribeCluster.
#include "handlers/handlers.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(DeleteRecords) {
  protocol::DeleteRecordsResponse resp;
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      pr.low_watermark = -1;
      auto part = broker.partitions().get(t.name, p.partition_index);
      if (!part) {
        pr.error_code = to_wire(ErrorCode::unknown_topic_or_partition);
        continue;
      }
      int64_t hw = part->high_watermark();
      // -1 means "up to the high watermark"; nothing beyond it may be deleted.
      int64_t target = p.offset == -1 ? hw : p.offset;
      if (target < 0 || target > hw) {
        pr.error_code = to_wire(ErrorCode::offset_out_of_range);
        continue;
      }
      auto e = part->log().advance_log_start_offset(std::max(target, part->log_start_offset()));
      if (e != storage::StorageErrc::ok) {
        pr.error_code = to_wire(e == storage::StorageErrc::offset_out_of_range
                                    ? ErrorCode::offset_out_of_range
                                    : ErrorCode::kafka_storage_error);
        continue;
      }
      pr.low_watermark = part->log_start_offset();
    }
  }
  respond(std::move(resp));
}

SLUICE_HANDLER(DescribeCluster) {
  protocol::DescribeClusterResponse resp;
  const auto& self = broker.self();
  resp.cluster_id = broker.metadata().cluster_id();
  resp.controller_id = self.node_id;
  resp.brokers.push_back({self.node_id, self.host, self.port, std::nullopt});
  respond(std::move(resp));
}

}  // namespace sluice::broker

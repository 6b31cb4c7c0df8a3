// DeleteRecords: moves each partition's log start offset up, on the partition's owner.
#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/delete_records.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

struct Deleted {
  ErrorCode error = ErrorCode::none;
  int64_t low_watermark = -1;
};

// Runs on the partition's owner.
Deleted delete_before(Partition* part, int64_t offset) {
  if (!part) return {ErrorCode::unknown_topic_or_partition};
  auto e = part->delete_records_before(offset);
  if (e != storage::StorageErrc::ok)
    return {e == storage::StorageErrc::offset_out_of_range ? ErrorCode::offset_out_of_range
                                                           : ErrorCode::kafka_storage_error};
  return {ErrorCode::none, part->log_start_offset()};
}

}  // namespace

SLUICE_HANDLER(DeleteRecords) {
  auto [keys, offsets] = partition_keys(req.topics, [](const auto& p) { return p.offset; });
  auto topics = std::make_shared<decltype(req.topics)>(std::move(req.topics));
  broker.partitions().for_each_owner<Deleted>(
      std::move(keys),
      [offsets](size_t i, const std::shared_ptr<Partition>& p,
                PartitionManager::Reply<Deleted> reply) {
        reply(delete_before(p.get(), (*offsets)[i]));
      },
      [topics, respond = std::move(respond)](std::vector<Deleted> deleted) {
        protocol::DeleteRecordsResponse resp;
        size_t i = 0;
        for (const auto& t : *topics) {
          auto& tr = resp.topics.emplace_back();
          tr.name = t.name;
          for (const auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            pr.error_code = to_wire(deleted[i].error);
            pr.low_watermark = deleted[i].low_watermark;
            ++i;
          }
        }
        respond(std::move(resp));
      });
}

}  // namespace sluice::broker

// WriteTxnMarkers: writes COMMIT/ABORT control batches into partitions this broker leads. The
// transaction coordinator sends it once a transaction's outcome is durable; operators send it
// (kafka-transactions.sh abort, KIP-664) to end a hanging transaction the coordinator no longer
// knows. Each marker is written on the partition's owner and answered per partition.
#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/write_txn_markers.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;
using protocol::WriteTxnMarkersRequest;
using protocol::WriteTxnMarkersResponse;

namespace {

// One (marker, partition) pair of the request, as the owner needs it.
struct MarkerWrite {
  int64_t producer_id;
  int16_t producer_epoch;
  bool commit;
  int32_t coordinator_epoch;
};

}  // namespace

SLUICE_HANDLER(WriteTxnMarkers) {
  std::vector<TopicPartition> keys;
  auto writes = std::make_shared<std::vector<MarkerWrite>>();
  for (const auto& m : req.markers)
    for (const auto& t : m.topics)
      for (int32_t p : t.partition_indexes) {
        keys.push_back({t.name, p});
        writes->push_back(
            {m.producer_id, m.producer_epoch, m.transaction_result, m.coordinator_epoch});
      }
  const int64_t now = now_ms();
  // Internal topics are not refused: __consumer_offsets holds transactional offset commits,
  // whose markers the coordinator writes like any other partition's.
  broker.partitions().for_each_owner<ErrorCode>(
      std::move(keys),
      [writes, now](size_t i, const std::shared_ptr<Partition>& p,
                    PartitionManager::Reply<ErrorCode> reply) {
        if (!p) return reply(ErrorCode::unknown_topic_or_partition);
        const MarkerWrite& w = (*writes)[i];
        // A marker names a real producer; storage would refuse these as a bad argument, which
        // write_marker cannot tell from a failing disk.
        if (w.producer_id < 0 || w.producer_epoch < 0) return reply(ErrorCode::invalid_request);
        p->write_marker(w.producer_id, w.producer_epoch, w.commit, w.coordinator_epoch, now,
                        std::move(reply));
      },
      [markers = std::move(req.markers),
       respond = std::move(respond)](std::vector<ErrorCode> results) {
        WriteTxnMarkersResponse resp;
        size_t i = 0;
        for (const auto& m : markers) {
          auto& mr = resp.markers.emplace_back();
          mr.producer_id = m.producer_id;
          for (const auto& t : m.topics) {
            auto& tr = mr.topics.emplace_back();
            tr.name = t.name;
            for (int32_t index : t.partition_indexes) {
              auto& pr = tr.partitions.emplace_back();
              pr.partition_index = index;
              pr.error_code = to_wire(results[i++]);
            }
          }
        }
        respond(std::move(resp));
      });
}

}  // namespace sluice::broker

// DescribeProducers (KIP-664): each partition's producer state, read on the partition's owner,
// so operators can see which idempotent producers a partition remembers (and, with
// transactions, which one holds an open transaction).
#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_producers.h"

namespace sluice::broker {

using protocol::DescribeProducersResponse;
using protocol::ErrorCode;
using protocol::to_wire;

namespace {

struct Described {
  ErrorCode error = ErrorCode::none;
  std::vector<DescribeProducersResponse::ProducerState> producers;
};

// Runs on the partition's owner.
Described describe(const Partition* p) {
  if (!p) return {ErrorCode::unknown_topic_or_partition, {}};
  Described out;
  for (const auto& [id, e] : p->producers().producers()) {
    auto& s = out.producers.emplace_back();
    s.producer_id = id;
    s.producer_epoch = e.epoch;
    s.last_sequence = e.batches.empty() ? -1 : e.batches.back().last_seq;
    s.last_timestamp = e.last_append_ms();
    s.current_txn_start_offset = e.current_txn_first_offset;
  }
  return out;
}

}  // namespace

SLUICE_HANDLER(DescribeProducers) {
  std::vector<TopicPartition> keys;
  for (const auto& t : req.topics)
    for (int32_t p : t.partition_indexes) keys.push_back({t.name, p});
  auto topics = std::make_shared<decltype(req.topics)>(std::move(req.topics));
  broker.partitions().for_each_owner<Described>(
      std::move(keys),
      [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<Described> reply) {
        reply(describe(p.get()));
      },
      [topics, respond = std::move(respond)](std::vector<Described> described) {
        DescribeProducersResponse resp;
        size_t i = 0;
        for (const auto& t : *topics) {
          auto& tr = resp.topics.emplace_back();
          tr.name = t.name;
          for (int32_t index : t.partition_indexes) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = index;
            pr.error_code = to_wire(described[i].error);
            pr.active_producers = std::move(described[i].producers);
            ++i;
          }
        }
        respond(std::move(resp));
      });
}

}  // namespace sluice::broker

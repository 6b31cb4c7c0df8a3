// CreatePartitions: a topic's partition count only grows.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/create_partitions.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(CreatePartitions) {
  protocol::CreatePartitionsResponse resp;
  for (const auto& t : req.topics) {
    auto& r = resp.results.emplace_back();
    r.name = t.name;
    int32_t current = broker.partitions().partition_count(t.name);
    ErrorCode e = ErrorCode::none;
    std::string msg;
    if (current < 0) {
      e = ErrorCode::unknown_topic_or_partition;
      msg = "unknown topic '" + t.name + "'";
    } else if (t.count <= current || t.count > 100000) {
      e = ErrorCode::invalid_partitions;
      msg = "topic has " + std::to_string(current) + " partitions; the new count must be larger";
    } else if (t.assignments) {
      for (const auto& a : *t.assignments)
        if (a.broker_ids != std::vector<int32_t>{broker.self().node_id}) {
          e = ErrorCode::invalid_replica_assignment;
          msg =
              "new partitions must be assigned to broker " + std::to_string(broker.self().node_id);
        }
    }
    if (e == ErrorCode::none && !req.validate_only)
      e = broker.partitions().add_partitions(t.name, t.count);
    r.error_code = to_wire(e);
    if (e != ErrorCode::none) r.error_message = msg;
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

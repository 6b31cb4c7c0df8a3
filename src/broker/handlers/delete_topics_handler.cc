// DeleteTopics: never internal topics, and only with delete.topic.enable. The groups' committed
// offsets of a deleted topic go with it, as in Kafka.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/delete_topics.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(DeleteTopics) {
  protocol::DeleteTopicsResponse resp;
  bool enabled = broker.config().get_bool("delete.topic.enable");
  bool deleted = false;
  for (const auto& name : req.topic_names) {
    auto& r = resp.responses.emplace_back();
    r.name = name;
    ErrorCode e = !enabled                  ? ErrorCode::topic_deletion_disabled
                  : is_internal_topic(name) ? ErrorCode::invalid_topic_exception
                                            : broker.partitions().delete_topic(name);
    r.error_code = to_wire(e);
    deleted |= e == ErrorCode::none;
    if (e == ErrorCode::invalid_topic_exception)
      r.error_message = "internal topics cannot be deleted";
    if (e == ErrorCode::unknown_topic_or_partition)
      r.error_message = "unknown topic '" + name + "'";
  }
  if (deleted) broker.groups().forget_deleted_partitions();
  respond(std::move(resp));
}

}  // namespace sluice::broker

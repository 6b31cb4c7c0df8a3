// DeleteTopics: never internal topics, and only with delete.topic.enable. The groups' committed
// offsets of a deleted topic go with it, as in Kafka. From v6 a topic is named by name or by id,
// with Kafka's controller's checks: not both (INVALID_REQUEST), a name or id given twice is not
// deleted and answered once with INVALID_REQUEST, an unknown id gets UNKNOWN_TOPIC_ID.
#include <map>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/delete_topics.h"

namespace sluice::broker {

using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;
using protocol::to_wire;

namespace {

struct Target {
  std::optional<std::string> name;
  protocol::Uuid id{};
};

std::vector<Target> targets(const protocol::DeleteTopicsRequest& req, int16_t version) {
  std::vector<Target> out;
  if (version >= 6)
    for (const auto& t : req.topics) out.push_back({t.name, t.topic_id});
  else
    for (const auto& n : req.topic_names) out.push_back({n, {}});
  return out;
}

}  // namespace

SLUICE_HANDLER(DeleteTopics) {
  DeleteTopicsResponse resp;
  const bool enabled = broker.config().get_bool("delete.topic.enable");
  const std::vector<Target> all = targets(req, ctx.api_version);
  std::map<std::string, int> name_count;
  std::map<protocol::Uuid, int> id_count;
  for (const auto& t : all) t.name ? ++name_count[*t.name] : ++id_count[t.id];
  bool deleted = false;
  for (const auto& t : all) {
    const bool by_id = t.id != protocol::Uuid{};
    const int count = t.name ? name_count[*t.name] : id_count[t.id];
    if (count == 0) continue;  // a duplicate already answered
    auto& r = resp.responses.emplace_back();
    r.name = t.name;
    r.topic_id = t.id;
    auto refuse = [&](ErrorCode e, std::string message) {
      r.error_code = to_wire(e);
      r.error_message = std::move(message);
    };
    if (count > 1) {
      (t.name ? name_count[*t.name] : id_count[t.id]) = 0;
      refuse(ErrorCode::invalid_request, t.name ? "Duplicate topic name." : "Duplicate topic id.");
      continue;
    }
    if (by_id && t.name) {
      refuse(ErrorCode::invalid_request, "You may not specify both topic name and topic id.");
      continue;
    }
    if (by_id) {
      auto known = topic_by_id(broker, t.id);
      if (!known) {
        refuse(ErrorCode::unknown_topic_id, "unknown topic id");
        continue;
      }
      r.name = known->name;
    }
    const std::string name = r.name.value_or("");
    if (auto known = broker.metadata().topic(name); known && !by_id) r.topic_id = known->id;
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

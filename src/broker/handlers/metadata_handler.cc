#include "handlers/handlers.h"
#include "sluice/protocol/messages/metadata.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::MetadataResponse;
using protocol::to_wire;

namespace {

MetadataResponse::MetadataResponseTopic describe_topic(Broker& broker, const std::string& name) {
  MetadataResponse::MetadataResponseTopic t;
  t.name = name;
  int32_t n = broker.partitions().partition_count(name);
  if (n < 0) {
    t.error_code = to_wire(ErrorCode::unknown_topic_or_partition);
    return t;
  }
  t.is_internal = is_internal_topic(name);
  if (auto meta = broker.metadata().topic(name)) t.topic_id = meta->id;
  for (int32_t i = 0; i < n; ++i)
    describe_single_node_partition(broker, name, i, t.partitions.emplace_back());
  return t;
}

}  // namespace

SLUICE_HANDLER(Metadata) {
  MetadataResponse resp;
  const auto& self = broker.self();
  resp.brokers.push_back({self.node_id, self.host, self.port, std::nullopt});
  resp.cluster_id = broker.metadata().cluster_id();
  resp.controller_id = self.node_id;
  // v0: an empty list means every topic; v1+: null means every topic.
  bool all = !req.topics || (ctx.api_version == 0 && req.topics->empty());
  if (all) {
    for (const auto& t : broker.metadata().topics())
      resp.topics.push_back(describe_topic(broker, t.name));
    return respond(std::move(resp));
  }
  bool may_create = broker.config().get_bool("auto.create.topics.enable") &&
                    (ctx.api_version < 4 || req.allow_auto_topic_creation);
  for (const auto& rt : *req.topics) {
    // By id (v12+, as Kafka: an id never auto-creates); an unknown id answers with the id and
    // no name.
    if (rt.topic_id != protocol::Uuid{}) {
      if (auto known = topic_by_id(broker, rt.topic_id)) {
        resp.topics.push_back(describe_topic(broker, known->name));
        continue;
      }
      MetadataResponse::MetadataResponseTopic t;
      t.topic_id = rt.topic_id;
      t.error_code = to_wire(ErrorCode::unknown_topic_id);
      resp.topics.push_back(std::move(t));
      continue;
    }
    const std::string name = rt.name.value_or("");
    if (!valid_topic_name(name)) {
      MetadataResponse::MetadataResponseTopic t;
      t.name = rt.name;
      t.error_code = to_wire(ErrorCode::invalid_topic_exception);
      resp.topics.push_back(std::move(t));
      continue;
    }
    if (broker.partitions().partition_count(name) < 0 && may_create) {
      ErrorCode e = auto_create_topic(broker, name);
      if (e != ErrorCode::none && e != ErrorCode::topic_already_exists) {
        MetadataResponse::MetadataResponseTopic t;
        t.name = name;
        t.error_code = to_wire(e);
        resp.topics.push_back(std::move(t));
        continue;
      }
    }
    resp.topics.push_back(describe_topic(broker, name));
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

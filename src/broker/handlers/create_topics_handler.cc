// CreateTopics: checks every entry (name, partitions, replication, configs) before creating.
#include <map>
#include <set>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/create_topics.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

struct Failure {
  ErrorCode code = ErrorCode::none;
  std::string message;
  explicit operator bool() const { return code != ErrorCode::none; }
};

// Checks a CreateTopics entry; on success fills `out` with what to create.
Failure check_new_topic(Broker& broker, const protocol::CreateTopicsRequest::CreatableTopic& t,
                        cluster::TopicMetadata& out) {
  if (!valid_topic_name(t.name))
    return {ErrorCode::invalid_topic_exception,
            "topic names are 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'"};
  int32_t self = broker.self().node_id;
  int32_t partitions = t.num_partitions;
  int32_t rf = t.replication_factor;
  if (!t.assignments.empty()) {
    if (partitions != -1 || rf != -1)
      return {ErrorCode::invalid_request,
              "give either replica assignments or partition count and replication factor"};
    partitions = static_cast<int32_t>(t.assignments.size());
    std::set<int32_t> seen;
    for (const auto& a : t.assignments) {
      if (a.broker_ids != std::vector<int32_t>{self} || a.partition_index < 0 ||
          a.partition_index >= partitions || !seen.insert(a.partition_index).second)
        return {ErrorCode::invalid_replica_assignment,
                "every partition must be assigned exactly once to broker " + std::to_string(self)};
    }
    rf = 1;
  }
  if (partitions == -1)
    partitions = static_cast<int32_t>(broker.config().get_int("num.partitions"));
  if (rf == -1) rf = static_cast<int32_t>(broker.config().get_int("default.replication.factor"));
  if (partitions <= 0 || partitions > 100000)
    return {ErrorCode::invalid_partitions, "number of partitions must be between 1 and 100000"};
  if (rf != 1)
    return {ErrorCode::invalid_replication_factor,
            "replication factor must be 1: this cluster has 1 broker"};
  out.name = t.name;
  out.id = cluster::random_topic_id();
  out.partitions = partitions;
  out.replication_factor = static_cast<int16_t>(rf);
  for (const auto& c : t.configs) {
    const ConfigKey* key = find_key(topic_config_keys(), c.name);
    if (!key) return {ErrorCode::invalid_config, "unknown topic config '" + c.name + "'"};
    if (!c.value) continue;
    if (auto err = check_value(*key, *c.value)) return {ErrorCode::invalid_config, *err};
    out.configs[c.name] = *c.value;
  }
  return {};
}

}  // namespace

SLUICE_HANDLER(CreateTopics) {
  protocol::CreateTopicsResponse resp;
  std::map<std::string, int> counts;
  for (const auto& t : req.topics) ++counts[t.name];
  for (const auto& t : req.topics) {
    auto& r = resp.topics.emplace_back();
    r.name = t.name;
    cluster::TopicMetadata meta;
    Failure f;
    if (counts[t.name] > 1)
      f = {ErrorCode::invalid_request, "topic listed more than once"};
    else if (broker.partitions().partition_count(t.name) >= 0)
      f = {ErrorCode::topic_already_exists, "topic '" + t.name + "' already exists"};
    else
      f = check_new_topic(broker, t, meta);
    if (!f && !req.validate_only) {
      ErrorCode e = broker.partitions().create_topic(meta);
      if (e != ErrorCode::none) f = {e, "could not create the topic"};
    }
    if (f) {
      r.error_code = to_wire(f.code);
      r.error_message = f.message;
      continue;
    }
    r.num_partitions = meta.partitions;
    r.replication_factor = meta.replication_factor;
    auto& configs = r.configs.emplace();
    for (const auto& key : topic_config_keys()) {
      auto& c = configs.emplace_back();
      c.name = std::string(key.name);
      c.value = topic_config_value(broker.config(), meta.configs, key);
      c.config_source = meta.configs.count(c.name) ? 1 : 5;  // DYNAMIC_TOPIC_CONFIG : DEFAULT
    }
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics (and describe for the
// broker). Broker configs are static: set at start-up, not through the admin API.
#include "handlers/handlers.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

// DescribeConfigs config_source values.
constexpr int8_t kDynamicTopic = 1;
constexpr int8_t kStaticBroker = 4;
constexpr int8_t kDefault = 5;

int8_t wire_config_type(ConfigType t) {
  switch (t) {
    case ConfigType::boolean:
      return 1;
    case ConfigType::string:
      return 2;
    case ConfigType::int32:
      return 3;
    case ConfigType::int64:
      return 5;
  }
  return 0;
}

using Resource = protocol::DescribeConfigsResponse::DescribeConfigsResult;
using Entry = protocol::DescribeConfigsResponse::DescribeConfigsResourceResult;

bool wanted(const std::optional<std::vector<std::string>>& keys, std::string_view name) {
  if (!keys) return true;
  for (const auto& k : *keys)
    if (k == name) return true;
  return false;
}

void describe_topic(Broker& broker, const protocol::DescribeConfigsRequest& req,
                    const protocol::DescribeConfigsRequest::DescribeConfigsResource& res,
                    Resource& out) {
  auto meta = broker.metadata().topic(res.resource_name);
  if (!meta) {
    out.error_code = to_wire(ErrorCode::unknown_topic_or_partition);
    out.error_message = "unknown topic '" + res.resource_name + "'";
    return;
  }
  for (const auto& key : topic_config_keys()) {
    if (!wanted(res.configuration_keys, key.name)) continue;
    Entry e;
    e.name = std::string(key.name);
    e.value = topic_config_value(broker.config(), meta->configs, key);
    bool overridden = meta->configs.count(e.name) > 0;
    bool broker_set = !key.broker_key.empty() && broker.config().is_set(key.broker_key);
    e.config_source = overridden ? kDynamicTopic : broker_set ? kStaticBroker : kDefault;
    e.is_default = !overridden && !broker_set;
    e.config_type = wire_config_type(key.type);
    if (req.include_synonyms) {
      if (overridden) e.synonyms.push_back({e.name, meta->configs.at(e.name), kDynamicTopic});
      if (broker_set)
        e.synonyms.push_back(
            {std::string(key.broker_key), broker.config().get(key.broker_key), kStaticBroker});
      e.synonyms.push_back({std::string(key.broker_key.empty() ? key.name : key.broker_key),
                            std::string(key.default_value), kDefault});
    }
    out.configs.push_back(std::move(e));
  }
}

void describe_broker(Broker& broker,
                     const protocol::DescribeConfigsRequest::DescribeConfigsResource& res,
                     Resource& out) {
  if (res.resource_name != std::to_string(broker.self().node_id) && !res.resource_name.empty()) {
    out.error_code = to_wire(ErrorCode::invalid_request);
    out.error_message = "this is broker " + std::to_string(broker.self().node_id);
    return;
  }
  for (const auto& key : broker_config_keys()) {
    if (!wanted(res.configuration_keys, key.name)) continue;
    Entry e;
    e.name = std::string(key.name);
    e.value = broker.config().get(key.name);
    bool set = broker.config().is_set(key.name);
    e.read_only = true;
    e.is_default = !set;
    e.config_source = set ? kStaticBroker : kDefault;
    e.config_type = wire_config_type(key.type);
    out.configs.push_back(std::move(e));
  }
}

struct Outcome {
  ErrorCode code = ErrorCode::none;
  std::string message;
};

// Applies a new set of topic overrides after checking every entry; all or nothing.
Outcome apply_topic_configs(Broker& broker, const std::string& topic,
                            const std::map<std::string, std::string>& configs, bool validate_only) {
  if (!broker.metadata().topic(topic))
    return {ErrorCode::unknown_topic_or_partition, "unknown topic '" + topic + "'"};
  for (const auto& [name, value] : configs) {
    const ConfigKey* key = find_key(topic_config_keys(), name);
    if (!key) return {ErrorCode::invalid_config, "unknown topic config '" + name + "'"};
    if (auto err = check_value(*key, value)) return {ErrorCode::invalid_config, *err};
  }
  if (validate_only) return {};
  ErrorCode e = broker.partitions().set_topic_configs(topic, configs);
  return {e, e == ErrorCode::none ? "" : "could not store the configs"};
}

template <typename Response, typename Res>
void fill_result(Response& r, const Res& res, const Outcome& o) {
  r.resource_type = res.resource_type;
  r.resource_name = res.resource_name;
  r.error_code = to_wire(o.code);
  if (o.code != ErrorCode::none) r.error_message = o.message;
}

const Outcome kBrokerConfigsStatic{
    ErrorCode::invalid_request,
    "broker configs are static: set them in the config file or with --set"};

}  // namespace

SLUICE_HANDLER(DescribeConfigs) {
  protocol::DescribeConfigsResponse resp;
  for (const auto& res : req.resources) {
    auto& out = resp.results.emplace_back();
    out.resource_type = res.resource_type;
    out.resource_name = res.resource_name;
    if (res.resource_type == kTopicResource)
      describe_topic(broker, req, res, out);
    else if (res.resource_type == kBrokerResource)
      describe_broker(broker, res, out);
    else {
      out.error_code = to_wire(ErrorCode::invalid_request);
      out.error_message = "unsupported resource type " + std::to_string(res.resource_type);
    }
  }
  respond(std::move(resp));
}

SLUICE_HANDLER(AlterConfigs) {
  protocol::AlterConfigsResponse resp;
  for (const auto& res : req.resources) {
    Outcome o = kBrokerConfigsStatic;
    if (res.resource_type == kTopicResource) {
      // Non-incremental: the request's set replaces every override of the topic.
      std::map<std::string, std::string> configs;
      for (const auto& c : res.configs)
        if (c.value) configs[c.name] = *c.value;
      o = apply_topic_configs(broker, res.resource_name, configs, req.validate_only);
    }
    fill_result(resp.responses.emplace_back(), res, o);
  }
  respond(std::move(resp));
}

SLUICE_HANDLER(IncrementalAlterConfigs) {
  protocol::IncrementalAlterConfigsResponse resp;
  for (const auto& res : req.resources) {
    Outcome o = kBrokerConfigsStatic;
    if (res.resource_type == kTopicResource) {
      auto meta = broker.metadata().topic(res.resource_name);
      std::map<std::string, std::string> configs =
          meta ? meta->configs : std::map<std::string, std::string>{};
      o = {};
      for (const auto& c : res.configs) {
        if (c.config_operation == 0 && c.value) {
          configs[c.name] = *c.value;
        } else if (c.config_operation == 1) {
          if (!find_key(topic_config_keys(), c.name))
            o = {ErrorCode::invalid_config, "unknown topic config '" + c.name + "'"};
          configs.erase(c.name);
        } else {
          o = {ErrorCode::invalid_config, c.name + ": operation " +
                                              std::to_string(c.config_operation) +
                                              " is not supported (only SET and DELETE)"};
        }
      }
      if (o.code == ErrorCode::none)
        o = apply_topic_configs(broker, res.resource_name, configs, req.validate_only);
    }
    fill_result(resp.responses.emplace_back(), res, o);
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

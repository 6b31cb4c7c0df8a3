// DescribeConfigs: every topic config with its value, source and synonyms, and the broker's
// (static) configs.
#include "handlers/config_resources.h"
#include "sluice/protocol/messages/describe_configs.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

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
    case ConfigType::double_:
      return 6;
    case ConfigType::list:
      return 7;
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

}  // namespace sluice::broker

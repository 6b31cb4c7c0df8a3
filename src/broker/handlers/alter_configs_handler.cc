// AlterConfigs: the request's set replaces every override of a topic.
#include "handlers/config_resources.h"
#include "sluice/protocol/messages/alter_configs.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(AlterConfigs) {
  protocol::AlterConfigsResponse resp;
  for (const auto& res : req.resources) {
    ConfigOutcome o = kBrokerConfigsStatic;
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

}  // namespace sluice::broker

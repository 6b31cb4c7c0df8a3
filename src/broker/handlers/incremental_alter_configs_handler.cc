// IncrementalAlterConfigs: SET and DELETE of single topic overrides.
#include "handlers/config_resources.h"
#include "sluice/protocol/messages/incremental_alter_configs.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(IncrementalAlterConfigs) {
  protocol::IncrementalAlterConfigsResponse resp;
  for (const auto& res : req.resources) {
    ConfigOutcome o = kBrokerConfigsStatic;
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

#include "handlers/config_resources.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

// Applies a new set of topic overrides after checking every entry; all or nothing.
ConfigOutcome apply_topic_configs(Broker& broker, const std::string& topic,
                                  const std::map<std::string, std::string>& configs,
                                  bool validate_only) {
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

const ConfigOutcome kBrokerConfigsStatic{
    ErrorCode::invalid_request,
    "broker configs are static: set them in the config file or with --set"};

}  // namespace sluice::broker

#pragma once
// What the three config handlers share: resource types, and the all-or-nothing update of a
// topic's overrides that AlterConfigs and IncrementalAlterConfigs both end in.
#include <map>
#include <string>

#include "handlers/handlers.h"

namespace sluice::broker {

inline constexpr int8_t kTopicResource = 2;
inline constexpr int8_t kBrokerResource = 4;

struct ConfigOutcome {
  protocol::ErrorCode code = protocol::ErrorCode::none;
  std::string message;
};

// Checks every entry, then replaces the topic's overrides with `configs` (unless validate_only).
ConfigOutcome apply_topic_configs(Broker& broker, const std::string& topic,
                                  const std::map<std::string, std::string>& configs,
                                  bool validate_only);

// Broker configs are static: set at start-up, not through the admin API.
extern const ConfigOutcome kBrokerConfigsStatic;

template <typename Response, typename Res>
void fill_result(Response& r, const Res& res, const ConfigOutcome& o) {
  r.resource_type = res.resource_type;
  r.resource_name = res.resource_name;
  r.error_code = protocol::to_wire(o.code);
  if (o.code != protocol::ErrorCode::none) r.error_message = o.message;
}

}  // namespace sluice::broker

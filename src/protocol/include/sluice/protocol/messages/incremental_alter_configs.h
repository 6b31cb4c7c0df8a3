#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct IncrementalAlterConfigsRequest {
  static constexpr int16_t api_key = 44;
  static constexpr Versions valid{0, 1};
  static constexpr int16_t flexible_from = 1;
  struct AlterableConfig {
    std::string name;
    int8_t config_operation = 0;  // 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT
    std::optional<std::string> value;
    static constexpr auto fields() {
      using S = AlterableConfig;
      return std::tuple{field("name", &S::name), field("config_operation", &S::config_operation),
                        field("value", &S::value)};
    }
  };
  struct AlterConfigsResource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<AlterableConfig> configs;
    static constexpr auto fields() {
      using S = AlterConfigsResource;
      return std::tuple{field("resource_type", &S::resource_type),
                        field("resource_name", &S::resource_name), field("configs", &S::configs)};
    }
  };
  std::vector<AlterConfigsResource> resources;
  bool validate_only = false;
  static constexpr auto fields() {
    using S = IncrementalAlterConfigsRequest;
    return std::tuple{field("resources", &S::resources), field("validate_only", &S::validate_only)};
  }
};

struct IncrementalAlterConfigsResponse {
  static constexpr int16_t api_key = 44;
  static constexpr Versions valid{0, 1};
  static constexpr int16_t flexible_from = 1;
  struct AlterConfigsResourceResponse {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    static constexpr auto fields() {
      using S = AlterConfigsResourceResponse;
      return std::tuple{
          field("error_code", &S::error_code), field("error_message", &S::error_message),
          field("resource_type", &S::resource_type), field("resource_name", &S::resource_name)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<AlterConfigsResourceResponse> responses;
  static constexpr auto fields() {
    using S = IncrementalAlterConfigsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("responses", &S::responses)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct AlterConfigsRequest {
  static constexpr int16_t api_key = 33;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
  struct AlterableConfig {
    std::string name;
    std::optional<std::string> value;
    static constexpr auto fields() {
      using S = AlterableConfig;
      return std::tuple{field("name", &S::name), field("value", &S::value)};
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
    using S = AlterConfigsRequest;
    return std::tuple{field("resources", &S::resources), field("validate_only", &S::validate_only)};
  }
};

struct AlterConfigsResponse {
  static constexpr int16_t api_key = 33;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
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
    using S = AlterConfigsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("responses", &S::responses)};
  }
};

}  // namespace sluice::protocol

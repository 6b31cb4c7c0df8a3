#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v4 is v3 on the wire: it only lets a supported feature's min version be 0 (KAFKA-17011).
struct ApiVersionsRequest {
  static constexpr int16_t api_key = 18;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  std::string client_software_name;
  std::string client_software_version;
  static constexpr auto fields() {
    using S = ApiVersionsRequest;
    return std::tuple{field("client_software_name", &S::client_software_name, since(3)),
                      field("client_software_version", &S::client_software_version, since(3))};
  }
};

struct ApiVersionsResponse {
  static constexpr int16_t api_key = 18;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    static constexpr auto fields() {
      using S = ApiVersion;
      return std::tuple{field("api_key", &S::api_key), field("min_version", &S::min_version),
                        field("max_version", &S::max_version)};
    }
  };
  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;
  static constexpr auto fields() {
    using S = ApiVersionsResponse;
    return std::tuple{field("error_code", &S::error_code), field("api_keys", &S::api_keys),
                      field("throttle_time_ms", &S::throttle_time_ms, since(1))};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct FindCoordinatorRequest {
  static constexpr int16_t api_key = 10;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 3;
  std::string key;
  int8_t key_type = 0;  // 0 group, 1 transaction
  static constexpr auto fields() {
    using S = FindCoordinatorRequest;
    return std::tuple{field("key", &S::key, until(3)), field("key_type", &S::key_type, since(1))};
  }
};

struct FindCoordinatorResponse {
  static constexpr int16_t api_key = 10;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 3;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  static constexpr auto fields() {
    using S = FindCoordinatorResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code, until(3)),
                      field("error_message", &S::error_message, between(1, 3)),
                      field("node_id", &S::node_id, until(3)),
                      field("host", &S::host, until(3)),
                      field("port", &S::port, until(3))};
  }
};

}  // namespace sluice::protocol

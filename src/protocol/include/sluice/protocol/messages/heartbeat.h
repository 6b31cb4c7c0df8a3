#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct HeartbeatRequest {
  static constexpr int16_t api_key = 12;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 4;
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  static constexpr auto fields() {
    using S = HeartbeatRequest;
    return std::tuple{field("group_id", &S::group_id), field("generation_id", &S::generation_id),
                      field("member_id", &S::member_id),
                      field("group_instance_id", &S::group_instance_id, since(3))};
  }
};

struct HeartbeatResponse {
  static constexpr int16_t api_key = 12;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 4;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  static constexpr auto fields() {
    using S = HeartbeatResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code)};
  }
};

}  // namespace sluice::protocol

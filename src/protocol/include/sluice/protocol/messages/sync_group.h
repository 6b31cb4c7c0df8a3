#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct SyncGroupRequest {
  static constexpr int16_t api_key = 14;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  struct SyncGroupRequestAssignment {
    std::string member_id;
    Bytes assignment;
    static constexpr auto fields() {
      using S = SyncGroupRequestAssignment;
      return std::tuple{field("member_id", &S::member_id), field("assignment", &S::assignment)};
    }
  };
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<SyncGroupRequestAssignment> assignments;
  static constexpr auto fields() {
    using S = SyncGroupRequest;
    return std::tuple{field("group_id", &S::group_id),
                      field("generation_id", &S::generation_id),
                      field("member_id", &S::member_id),
                      field("group_instance_id", &S::group_instance_id, since(3)),
                      field("protocol_type", &S::protocol_type, since(5)),
                      field("protocol_name", &S::protocol_name, since(5)),
                      field("assignments", &S::assignments)};
  }
};

struct SyncGroupResponse {
  static constexpr int16_t api_key = 14;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  Bytes assignment;
  static constexpr auto fields() {
    using S = SyncGroupResponse;
    return std::tuple{
        field("throttle_time_ms", &S::throttle_time_ms, since(1)),
        field("error_code", &S::error_code), field("protocol_type", &S::protocol_type, since(5)),
        field("protocol_name", &S::protocol_name, since(5)), field("assignment", &S::assignment)};
  }
};

}  // namespace sluice::protocol

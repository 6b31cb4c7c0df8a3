#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct LeaveGroupRequest {
  static constexpr int16_t api_key = 13;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  struct MemberIdentity {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> reason;  // v5 (KIP-800): for logs only
    static constexpr auto fields() {
      using S = MemberIdentity;
      return std::tuple{field("member_id", &S::member_id),
                        field("group_instance_id", &S::group_instance_id),
                        field("reason", &S::reason, since(5), 5)};
    }
  };
  std::string group_id;
  std::string member_id;                // v0-2: a single member
  std::vector<MemberIdentity> members;  // v3+: a batch
  static constexpr auto fields() {
    using S = LeaveGroupRequest;
    return std::tuple{field("group_id", &S::group_id), field("member_id", &S::member_id, until(2)),
                      field("members", &S::members, since(3))};
  }
};

struct LeaveGroupResponse {
  static constexpr int16_t api_key = 13;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  struct MemberResponse {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = MemberResponse;
      return std::tuple{field("member_id", &S::member_id),
                        field("group_instance_id", &S::group_instance_id),
                        field("error_code", &S::error_code)};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<MemberResponse> members;
  static constexpr auto fields() {
    using S = LeaveGroupResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code), field("members", &S::members, since(3))};
  }
};

}  // namespace sluice::protocol

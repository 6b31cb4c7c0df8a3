#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct JoinGroupRequest {
  static constexpr int16_t api_key = 11;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 6;
  struct JoinGroupRequestProtocol {
    std::string name;
    Bytes metadata;
    static constexpr auto fields() {
      using S = JoinGroupRequestProtocol;
      return std::tuple{field("name", &S::name), field("metadata", &S::metadata)};
    }
  };
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<JoinGroupRequestProtocol> protocols;
  // v8 (KIP-800): why the member (re)joins; for logs only.
  std::optional<std::string> reason;
  static constexpr auto fields() {
    using S = JoinGroupRequest;
    return std::tuple{field("group_id", &S::group_id),
                      field("session_timeout_ms", &S::session_timeout_ms),
                      field("rebalance_timeout_ms", &S::rebalance_timeout_ms, since(1)),
                      field("member_id", &S::member_id),
                      field("group_instance_id", &S::group_instance_id, since(5)),
                      field("protocol_type", &S::protocol_type),
                      field("protocols", &S::protocols),
                      field("reason", &S::reason, since(8), 8)};
  }
};

struct JoinGroupResponse {
  static constexpr int16_t api_key = 11;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 6;
  struct JoinGroupResponseMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    Bytes metadata;
    static constexpr auto fields() {
      using S = JoinGroupResponseMember;
      return std::tuple{field("member_id", &S::member_id),
                        field("group_instance_id", &S::group_instance_id, since(5)),
                        field("metadata", &S::metadata)};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  // Present in every version, nullable only from v7 (before it, null encodes as "").
  std::optional<std::string> protocol_name;
  std::string leader;
  // v9: tells the leader to skip assigning (a server-side assignor did it, KIP-848 upgrades);
  // a classic group always lets the leader assign.
  bool skip_assignment = false;
  std::string member_id;
  std::vector<JoinGroupResponseMember> members;
  static constexpr auto fields() {
    using S = JoinGroupResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(2)),
                      field("error_code", &S::error_code),
                      field("generation_id", &S::generation_id),
                      field("protocol_type", &S::protocol_type, since(7)),
                      field("protocol_name", &S::protocol_name, kAll, 7),
                      field("leader", &S::leader),
                      field("skip_assignment", &S::skip_assignment, since(9)),
                      field("member_id", &S::member_id),
                      field("members", &S::members)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DescribeGroupsRequest {
  static constexpr int16_t api_key = 15;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 5;
  std::vector<std::string> groups;
  bool include_authorized_operations = false;
  static constexpr auto fields() {
    using S = DescribeGroupsRequest;
    return std::tuple{
        field("groups", &S::groups),
        field("include_authorized_operations", &S::include_authorized_operations, since(3))};
  }
};

struct DescribeGroupsResponse {
  static constexpr int16_t api_key = 15;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 5;
  struct DescribedGroupMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    Bytes member_metadata;
    Bytes member_assignment;
    static constexpr auto fields() {
      using S = DescribedGroupMember;
      return std::tuple{field("member_id", &S::member_id),
                        field("group_instance_id", &S::group_instance_id, since(4)),
                        field("client_id", &S::client_id),
                        field("client_host", &S::client_host),
                        field("member_metadata", &S::member_metadata),
                        field("member_assignment", &S::member_assignment)};
    }
  };
  struct DescribedGroup {
    int16_t error_code = 0;
    // v6 (KIP-1043): an unknown group gets GROUP_ID_NOT_FOUND and this message.
    std::optional<std::string> error_message;
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;
    std::vector<DescribedGroupMember> members;
    int32_t authorized_operations = INT32_MIN;
    static constexpr auto fields() {
      using S = DescribedGroup;
      return std::tuple{field("error_code", &S::error_code),
                        field("error_message", &S::error_message, since(6), 6),
                        field("group_id", &S::group_id),
                        field("group_state", &S::group_state),
                        field("protocol_type", &S::protocol_type),
                        field("protocol_data", &S::protocol_data),
                        field("members", &S::members),
                        field("authorized_operations", &S::authorized_operations, since(3))};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<DescribedGroup> groups;
  static constexpr auto fields() {
    using S = DescribeGroupsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("groups", &S::groups)};
  }
};

}  // namespace sluice::protocol

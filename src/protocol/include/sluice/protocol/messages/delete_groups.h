#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DeleteGroupsRequest {
  static constexpr int16_t api_key = 42;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
  std::vector<std::string> groups_names;
  static constexpr auto fields() {
    using S = DeleteGroupsRequest;
    return std::tuple{field("groups_names", &S::groups_names)};
  }
};

struct DeleteGroupsResponse {
  static constexpr int16_t api_key = 42;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
  struct DeletableGroupResult {
    std::string group_id;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = DeletableGroupResult;
      return std::tuple{field("group_id", &S::group_id), field("error_code", &S::error_code)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<DeletableGroupResult> results;
  static constexpr auto fields() {
    using S = DeleteGroupsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("results", &S::results)};
  }
};

}  // namespace sluice::protocol

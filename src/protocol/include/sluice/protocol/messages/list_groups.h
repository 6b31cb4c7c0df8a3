#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct ListGroupsRequest {
  static constexpr int16_t api_key = 16;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 3;
  std::vector<std::string> states_filter;
  // v5 (KIP-848): "classic", "consumer", "share"..., case-insensitive; empty means every type.
  std::vector<std::string> types_filter;
  static constexpr auto fields() {
    using S = ListGroupsRequest;
    return std::tuple{field("states_filter", &S::states_filter, since(4)),
                      field("types_filter", &S::types_filter, since(5))};
  }
};

struct ListGroupsResponse {
  static constexpr int16_t api_key = 16;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 3;
  struct ListedGroup {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;
    std::string group_type;  // v5
    static constexpr auto fields() {
      using S = ListedGroup;
      return std::tuple{field("group_id", &S::group_id), field("protocol_type", &S::protocol_type),
                        field("group_state", &S::group_state, since(4)),
                        field("group_type", &S::group_type, since(5))};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;
  static constexpr auto fields() {
    using S = ListGroupsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code), field("groups", &S::groups)};
  }
};

}  // namespace sluice::protocol

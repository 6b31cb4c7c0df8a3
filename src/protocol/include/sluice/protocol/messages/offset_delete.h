#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct OffsetDeleteRequest {
  static constexpr int16_t api_key = 47;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = kNever;
  struct OffsetDeleteRequestPartition {
    int32_t partition_index = 0;
    static constexpr auto fields() {
      using S = OffsetDeleteRequestPartition;
      return std::tuple{field("partition_index", &S::partition_index)};
    }
  };
  struct OffsetDeleteRequestTopic {
    std::string name;
    std::vector<OffsetDeleteRequestPartition> partitions;
    static constexpr auto fields() {
      using S = OffsetDeleteRequestTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  std::string group_id;
  std::vector<OffsetDeleteRequestTopic> topics;
  static constexpr auto fields() {
    using S = OffsetDeleteRequest;
    return std::tuple{field("group_id", &S::group_id), field("topics", &S::topics)};
  }
};

struct OffsetDeleteResponse {
  static constexpr int16_t api_key = 47;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = kNever;
  struct OffsetDeleteResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = OffsetDeleteResponsePartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code)};
    }
  };
  struct OffsetDeleteResponseTopic {
    std::string name;
    std::vector<OffsetDeleteResponsePartition> partitions;
    static constexpr auto fields() {
      using S = OffsetDeleteResponseTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int16_t error_code = 0;  // before throttle_time_ms, unlike most responses
  int32_t throttle_time_ms = 0;
  std::vector<OffsetDeleteResponseTopic> topics;
  static constexpr auto fields() {
    using S = OffsetDeleteResponse;
    return std::tuple{field("error_code", &S::error_code),
                      field("throttle_time_ms", &S::throttle_time_ms), field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

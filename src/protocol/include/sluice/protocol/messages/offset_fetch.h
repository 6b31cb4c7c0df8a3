#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct OffsetFetchRequest {
  static constexpr int16_t api_key = 9;
  static constexpr Versions valid{1, 7};
  static constexpr int16_t flexible_from = 6;
  struct OffsetFetchRequestTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    static constexpr auto fields() {
      using S = OffsetFetchRequestTopic;
      return std::tuple{field("name", &S::name, until(7)),
                        field("partition_indexes", &S::partition_indexes, until(7))};
    }
  };
  std::string group_id;
  // v2+: null means all topics the group has offsets for; v1 has no null.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;
  bool require_stable = false;
  static constexpr auto fields() {
    using S = OffsetFetchRequest;
    return std::tuple{field("group_id", &S::group_id, until(7)),
                      field("topics", &S::topics, until(7), 2),
                      field("require_stable", &S::require_stable, since(7))};
  }
};

struct OffsetFetchResponse {
  static constexpr int16_t api_key = 9;
  static constexpr Versions valid{1, 7};
  static constexpr int16_t flexible_from = 6;
  struct OffsetFetchResponsePartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> metadata;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = OffsetFetchResponsePartition;
      return std::tuple{field("partition_index", &S::partition_index, until(7)),
                        field("committed_offset", &S::committed_offset, until(7)),
                        field("committed_leader_epoch", &S::committed_leader_epoch, between(5, 7)),
                        field("metadata", &S::metadata, until(7)),
                        field("error_code", &S::error_code, until(7))};
    }
  };
  struct OffsetFetchResponseTopic {
    std::string name;
    std::vector<OffsetFetchResponsePartition> partitions;
    static constexpr auto fields() {
      using S = OffsetFetchResponseTopic;
      return std::tuple{field("name", &S::name, until(7)),
                        field("partitions", &S::partitions, until(7))};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<OffsetFetchResponseTopic> topics;
  int16_t error_code = 0;
  static constexpr auto fields() {
    using S = OffsetFetchResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(3)),
                      field("topics", &S::topics, until(7)),
                      field("error_code", &S::error_code, between(2, 7))};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v0 read offsets from ZooKeeper in old Kafka; here it reads the coordinator's, as v1 does.
// v8 batches groups: the v0-7 top-level fields move into one entry per group, with the same topic
// and partition layouts, so those are shared (the outer field says in which versions they exist).
struct OffsetFetchRequest {
  static constexpr int16_t api_key = 9;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 6;
  struct OffsetFetchRequestTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    static constexpr auto fields() {
      using S = OffsetFetchRequestTopic;
      return std::tuple{field("name", &S::name), field("partition_indexes", &S::partition_indexes)};
    }
  };
  struct OffsetFetchRequestGroup {
    std::string group_id;
    // v9 (KIP-848): checked only for consumer-protocol groups; a classic group ignores them.
    std::optional<std::string> member_id;
    int32_t member_epoch = -1;
    // Null means all topics the group has offsets for.
    std::optional<std::vector<OffsetFetchRequestTopic>> topics;
    static constexpr auto fields() {
      using S = OffsetFetchRequestGroup;
      return std::tuple{
          field("group_id", &S::group_id), field("member_id", &S::member_id, since(9), 9),
          field("member_epoch", &S::member_epoch, since(9)), field("topics", &S::topics, kAll, 8)};
    }
  };
  std::string group_id;
  // v2+: null means all topics the group has offsets for; v0 and v1 have no null.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;
  std::vector<OffsetFetchRequestGroup> groups;
  bool require_stable = false;
  static constexpr auto fields() {
    using S = OffsetFetchRequest;
    return std::tuple{field("group_id", &S::group_id, until(7)),
                      field("topics", &S::topics, until(7), 2),
                      field("groups", &S::groups, since(8)),
                      field("require_stable", &S::require_stable, since(7))};
  }
};

struct OffsetFetchResponse {
  static constexpr int16_t api_key = 9;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 6;
  struct OffsetFetchResponsePartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> metadata;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = OffsetFetchResponsePartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("committed_offset", &S::committed_offset),
                        field("committed_leader_epoch", &S::committed_leader_epoch, since(5)),
                        field("metadata", &S::metadata), field("error_code", &S::error_code)};
    }
  };
  struct OffsetFetchResponseTopic {
    std::string name;
    std::vector<OffsetFetchResponsePartition> partitions;
    static constexpr auto fields() {
      using S = OffsetFetchResponseTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  struct OffsetFetchResponseGroup {
    std::string group_id;
    std::vector<OffsetFetchResponseTopic> topics;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = OffsetFetchResponseGroup;
      return std::tuple{field("group_id", &S::group_id), field("topics", &S::topics),
                        field("error_code", &S::error_code)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<OffsetFetchResponseTopic> topics;
  int16_t error_code = 0;
  std::vector<OffsetFetchResponseGroup> groups;
  static constexpr auto fields() {
    using S = OffsetFetchResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(3)),
                      field("topics", &S::topics, until(7)),
                      field("error_code", &S::error_code, between(2, 7)),
                      field("groups", &S::groups, since(8))};
  }
};

}  // namespace sluice::protocol

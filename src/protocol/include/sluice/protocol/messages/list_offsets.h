#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct ListOffsetsRequest {
  static constexpr int16_t api_key = 2;
  static constexpr Versions valid{1, 10};
  static constexpr int16_t flexible_from = 6;
  struct ListOffsetsPartition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;
    int64_t timestamp = 0;
    static constexpr auto fields() {
      using S = ListOffsetsPartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("current_leader_epoch", &S::current_leader_epoch, since(4)),
                        field("timestamp", &S::timestamp)};
    }
  };
  struct ListOffsetsTopic {
    std::string name;
    std::vector<ListOffsetsPartition> partitions;
    static constexpr auto fields() {
      using S = ListOffsetsTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t replica_id = 0;
  int8_t isolation_level = 0;
  std::vector<ListOffsetsTopic> topics;
  // v10 (KIP-1075): how long a lookup in remote storage may take; there is none here.
  int32_t timeout_ms = 0;
  static constexpr auto fields() {
    using S = ListOffsetsRequest;
    return std::tuple{field("replica_id", &S::replica_id),
                      field("isolation_level", &S::isolation_level, since(2)),
                      field("topics", &S::topics), field("timeout_ms", &S::timeout_ms, since(10))};
  }
};

struct ListOffsetsResponse {
  static constexpr int16_t api_key = 2;
  static constexpr Versions valid{1, 10};
  static constexpr int16_t flexible_from = 6;
  struct ListOffsetsPartitionResponse {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    static constexpr auto fields() {
      using S = ListOffsetsPartitionResponse;
      return std::tuple{
          field("partition_index", &S::partition_index), field("error_code", &S::error_code),
          field("timestamp", &S::timestamp, since(1)), field("offset", &S::offset, since(1)),
          field("leader_epoch", &S::leader_epoch, since(4))};
    }
  };
  struct ListOffsetsTopicResponse {
    std::string name;
    std::vector<ListOffsetsPartitionResponse> partitions;
    static constexpr auto fields() {
      using S = ListOffsetsTopicResponse;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<ListOffsetsTopicResponse> topics;
  static constexpr auto fields() {
    using S = ListOffsetsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(2)),
                      field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

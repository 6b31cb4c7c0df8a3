#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// KIP-664: the idempotent and transactional producers a partition holds state for.
struct DescribeProducersRequest {
  static constexpr int16_t api_key = 61;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  struct TopicRequest {
    std::string name;
    std::vector<int32_t> partition_indexes;
    static constexpr auto fields() {
      using S = TopicRequest;
      return std::tuple{field("name", &S::name), field("partition_indexes", &S::partition_indexes)};
    }
  };
  std::vector<TopicRequest> topics;
  static constexpr auto fields() {
    using S = DescribeProducersRequest;
    return std::tuple{field("topics", &S::topics)};
  }
};

struct DescribeProducersResponse {
  static constexpr int16_t api_key = 61;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  struct ProducerState {
    int64_t producer_id = 0;
    int32_t producer_epoch = 0;
    int32_t last_sequence = -1;
    int64_t last_timestamp = -1;
    int32_t coordinator_epoch = 0;
    int64_t current_txn_start_offset = -1;
    static constexpr auto fields() {
      using S = ProducerState;
      return std::tuple{field("producer_id", &S::producer_id),
                        field("producer_epoch", &S::producer_epoch),
                        field("last_sequence", &S::last_sequence),
                        field("last_timestamp", &S::last_timestamp),
                        field("coordinator_epoch", &S::coordinator_epoch),
                        field("current_txn_start_offset", &S::current_txn_start_offset)};
    }
  };
  struct PartitionResponse {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    std::vector<ProducerState> active_producers;
    static constexpr auto fields() {
      using S = PartitionResponse;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code),
                        field("error_message", &S::error_message),
                        field("active_producers", &S::active_producers)};
    }
  };
  struct TopicResponse {
    std::string name;
    std::vector<PartitionResponse> partitions;
    static constexpr auto fields() {
      using S = TopicResponse;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<TopicResponse> topics;
  static constexpr auto fields() {
    using S = DescribeProducersResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms), field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// Versions 0-3 only. Kafka's schema (since KIP-890) names the v0-3 fields "V3AndBelow*" to set
// them apart from the batched v4+ layout; the member names follow it.
struct AddPartitionsToTxnRequest {
  static constexpr int16_t api_key = 24;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 3;
  struct AddPartitionsToTxnTopic {
    std::string name;
    std::vector<int32_t> partitions;
    static constexpr auto fields() {
      using S = AddPartitionsToTxnTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  std::string v3_and_below_transactional_id;
  int64_t v3_and_below_producer_id = 0;
  int16_t v3_and_below_producer_epoch = 0;
  std::vector<AddPartitionsToTxnTopic> v3_and_below_topics;
  static constexpr auto fields() {
    using S = AddPartitionsToTxnRequest;
    return std::tuple{
        field("v3_and_below_transactional_id", &S::v3_and_below_transactional_id, until(3)),
        field("v3_and_below_producer_id", &S::v3_and_below_producer_id, until(3)),
        field("v3_and_below_producer_epoch", &S::v3_and_below_producer_epoch, until(3)),
        field("v3_and_below_topics", &S::v3_and_below_topics, until(3))};
  }
};

struct AddPartitionsToTxnResponse {
  static constexpr int16_t api_key = 24;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 3;
  struct AddPartitionsToTxnPartitionResult {
    int32_t partition_index = 0;
    int16_t partition_error_code = 0;
    static constexpr auto fields() {
      using S = AddPartitionsToTxnPartitionResult;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("partition_error_code", &S::partition_error_code)};
    }
  };
  struct AddPartitionsToTxnTopicResult {
    std::string name;
    std::vector<AddPartitionsToTxnPartitionResult> results_by_partition;
    static constexpr auto fields() {
      using S = AddPartitionsToTxnTopicResult;
      return std::tuple{field("name", &S::name),
                        field("results_by_partition", &S::results_by_partition)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<AddPartitionsToTxnTopicResult> results_by_topic_v3_and_below;
  static constexpr auto fields() {
    using S = AddPartitionsToTxnResponse;
    return std::tuple{
        field("throttle_time_ms", &S::throttle_time_ms),
        field("results_by_topic_v3_and_below", &S::results_by_topic_v3_and_below, until(3))};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v4 only lets the client take TRANSACTION_ABORTABLE (KIP-890 part 1), never returned here; v5
// adds the partition implicitly (transaction.version 2) and is not described.
struct TxnOffsetCommitRequest {
  static constexpr int16_t api_key = 28;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  struct TxnOffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> committed_metadata;
    static constexpr auto fields() {
      using S = TxnOffsetCommitRequestPartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("committed_offset", &S::committed_offset),
                        field("committed_leader_epoch", &S::committed_leader_epoch, since(2)),
                        field("committed_metadata", &S::committed_metadata)};
    }
  };
  struct TxnOffsetCommitRequestTopic {
    std::string name;
    std::vector<TxnOffsetCommitRequestPartition> partitions;
    static constexpr auto fields() {
      using S = TxnOffsetCommitRequestTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<TxnOffsetCommitRequestTopic> topics;
  static constexpr auto fields() {
    using S = TxnOffsetCommitRequest;
    return std::tuple{field("transactional_id", &S::transactional_id),
                      field("group_id", &S::group_id),
                      field("producer_id", &S::producer_id),
                      field("producer_epoch", &S::producer_epoch),
                      field("generation_id_or_member_epoch", &S::generation_id, since(3)),
                      field("member_id", &S::member_id, since(3)),
                      field("group_instance_id", &S::group_instance_id, since(3)),
                      field("topics", &S::topics)};
  }
};

struct TxnOffsetCommitResponse {
  static constexpr int16_t api_key = 28;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  struct TxnOffsetCommitResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = TxnOffsetCommitResponsePartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code)};
    }
  };
  struct TxnOffsetCommitResponseTopic {
    std::string name;
    std::vector<TxnOffsetCommitResponsePartition> partitions;
    static constexpr auto fields() {
      using S = TxnOffsetCommitResponseTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<TxnOffsetCommitResponseTopic> topics;
  static constexpr auto fields() {
    using S = TxnOffsetCommitResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms), field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

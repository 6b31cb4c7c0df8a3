#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct FetchRequest {
  static constexpr int16_t api_key = 1;
  static constexpr Versions valid{4, 12};
  static constexpr int16_t flexible_from = 12;
  struct FetchPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;
    int64_t log_start_offset = -1;
    int32_t partition_max_bytes = 0;
    static constexpr auto fields() {
      using S = FetchPartition;
      return std::tuple{field("partition", &S::partition),
                        field("current_leader_epoch", &S::current_leader_epoch, since(9)),
                        field("fetch_offset", &S::fetch_offset),
                        field("last_fetched_epoch", &S::last_fetched_epoch, since(12)),
                        field("log_start_offset", &S::log_start_offset, since(5)),
                        field("partition_max_bytes", &S::partition_max_bytes)};
    }
  };
  struct FetchTopic {
    std::string topic;
    std::vector<FetchPartition> partitions;
    static constexpr auto fields() {
      using S = FetchTopic;
      return std::tuple{field("topic", &S::topic, until(12)), field("partitions", &S::partitions)};
    }
  };
  struct ForgottenTopic {
    std::string topic;
    std::vector<int32_t> partitions;
    static constexpr auto fields() {
      using S = ForgottenTopic;
      return std::tuple{field("topic", &S::topic, between(7, 12)),
                        field("partitions", &S::partitions, since(7))};
    }
  };
  std::optional<std::string> cluster_id;  // tagged, v12+
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;
  std::string rack_id;
  static constexpr auto fields() {
    using S = FetchRequest;
    return std::tuple{tagged("cluster_id", &S::cluster_id, 0, since(12)),
                      field("replica_id", &S::replica_id, until(14)),
                      field("max_wait_ms", &S::max_wait_ms),
                      field("min_bytes", &S::min_bytes),
                      field("max_bytes", &S::max_bytes, since(3)),
                      field("isolation_level", &S::isolation_level, since(4)),
                      field("session_id", &S::session_id, since(7)),
                      field("session_epoch", &S::session_epoch, since(7)),
                      field("topics", &S::topics),
                      field("forgotten_topics_data", &S::forgotten_topics_data, since(7)),
                      field("rack_id", &S::rack_id, since(11))};
  }
};

struct FetchResponse {
  static constexpr int16_t api_key = 1;
  static constexpr Versions valid{4, 12};
  static constexpr int16_t flexible_from = 12;
  struct EpochEndOffset {
    int32_t epoch = -1;
    int64_t end_offset = -1;
    static constexpr auto fields() {
      using S = EpochEndOffset;
      return std::tuple{field("epoch", &S::epoch), field("end_offset", &S::end_offset)};
    }
  };
  struct LeaderIdAndEpoch {
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;
    static constexpr auto fields() {
      using S = LeaderIdAndEpoch;
      return std::tuple{field("leader_id", &S::leader_id), field("leader_epoch", &S::leader_epoch)};
    }
  };
  struct SnapshotId {
    int64_t end_offset = -1;
    int32_t epoch = -1;
    static constexpr auto fields() {
      using S = SnapshotId;
      return std::tuple{field("end_offset", &S::end_offset), field("epoch", &S::epoch)};
    }
  };
  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    static constexpr auto fields() {
      using S = AbortedTransaction;
      return std::tuple{field("producer_id", &S::producer_id),
                        field("first_offset", &S::first_offset)};
    }
  };
  struct PartitionData {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    EpochEndOffset diverging_epoch;   // tagged 0, v12+
    LeaderIdAndEpoch current_leader;  // tagged 1, v12+
    SnapshotId snapshot_id;           // tagged 2, v12+
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;
    Records records;
    static constexpr auto fields() {
      using S = PartitionData;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code),
                        field("high_watermark", &S::high_watermark),
                        field("last_stable_offset", &S::last_stable_offset, since(4)),
                        field("log_start_offset", &S::log_start_offset, since(5)),
                        tagged("diverging_epoch", &S::diverging_epoch, 0, since(12)),
                        tagged("current_leader", &S::current_leader, 1, since(12)),
                        tagged("snapshot_id", &S::snapshot_id, 2, since(12)),
                        field("aborted_transactions", &S::aborted_transactions, since(4)),
                        field("preferred_read_replica", &S::preferred_read_replica, since(11)),
                        field("records", &S::records)};
    }
  };
  struct FetchableTopicResponse {
    std::string topic;
    std::vector<PartitionData> partitions;
    static constexpr auto fields() {
      using S = FetchableTopicResponse;
      return std::tuple{field("topic", &S::topic, until(12)), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<FetchableTopicResponse> responses;
  static constexpr auto fields() {
    using S = FetchResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code, since(7)),
                      field("session_id", &S::session_id, since(7)),
                      field("responses", &S::responses)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct OffsetCommitRequest {
  static constexpr int16_t api_key = 8;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 8;
  struct OffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> committed_metadata;
    // v1 only: the client's commit time, used instead of the broker's when not -1 (as Kafka's
    // coordinator does); v2 replaced it with the request-wide retention time.
    int64_t commit_timestamp = -1;
    static constexpr auto fields() {
      using S = OffsetCommitRequestPartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("committed_offset", &S::committed_offset),
                        field("committed_leader_epoch", &S::committed_leader_epoch, since(6)),
                        field("commit_timestamp", &S::commit_timestamp, between(1, 1)),
                        field("committed_metadata", &S::committed_metadata)};
    }
  };
  struct OffsetCommitRequestTopic {
    std::string name;
    std::vector<OffsetCommitRequestPartition> partitions;
    static constexpr auto fields() {
      using S = OffsetCommitRequestTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  std::string group_id;
  // Kafka's "GenerationIdOrMemberEpoch" (the classic protocol's generation id). v0 has neither
  // it nor the member id: such a commit is a standalone one.
  int32_t generation_id_or_member_epoch = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<OffsetCommitRequestTopic> topics;
  static constexpr auto fields() {
    using S = OffsetCommitRequest;
    return std::tuple{
        field("group_id", &S::group_id),
        field("generation_id_or_member_epoch", &S::generation_id_or_member_epoch, since(1)),
        field("member_id", &S::member_id, since(1)),
        field("group_instance_id", &S::group_instance_id, since(7)),
        field("retention_time_ms", &S::retention_time_ms, between(2, 4)),
        field("topics", &S::topics)};
  }
};

struct OffsetCommitResponse {
  static constexpr int16_t api_key = 8;
  static constexpr Versions valid{0, 9};
  static constexpr int16_t flexible_from = 8;
  struct OffsetCommitResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = OffsetCommitResponsePartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("error_code", &S::error_code)};
    }
  };
  struct OffsetCommitResponseTopic {
    std::string name;
    std::vector<OffsetCommitResponsePartition> partitions;
    static constexpr auto fields() {
      using S = OffsetCommitResponseTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<OffsetCommitResponseTopic> topics;
  static constexpr auto fields() {
    using S = OffsetCommitResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(3)),
                      field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

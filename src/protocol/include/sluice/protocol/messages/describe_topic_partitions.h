#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// Where a page starts (request) or the next one would (response). At namespace scope: as a
// nested type with member initializers, clang does not see it default-constructible inside
// std::optional before the enclosing struct is complete.
struct DescribeTopicPartitionsCursor {
  std::string topic_name;
  int32_t partition_index = 0;
  static constexpr auto fields() {
    using S = DescribeTopicPartitionsCursor;
    return std::tuple{field("topic_name", &S::topic_name),
                      field("partition_index", &S::partition_index)};
  }
};

// KIP-966's paginated topic description, which Kafka 4's Admin.describeTopics (and so
// kafka-topics --describe) uses when a broker offers it: topics in name order, at most
// `response_partition_limit` partitions per response, a cursor to go on from.
struct DescribeTopicPartitionsRequest {
  static constexpr int16_t api_key = 75;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  struct TopicRequest {
    std::string name;
    static constexpr auto fields() { return std::tuple{field("name", &TopicRequest::name)}; }
  };
  using Cursor = DescribeTopicPartitionsCursor;
  std::vector<TopicRequest> topics;  // empty: every topic
  int32_t response_partition_limit = 2000;
  std::optional<Cursor> cursor;
  static constexpr auto fields() {
    using S = DescribeTopicPartitionsRequest;
    return std::tuple{field("topics", &S::topics),
                      field("response_partition_limit", &S::response_partition_limit),
                      field("cursor", &S::cursor)};
  }
};

struct DescribeTopicPartitionsResponse {
  static constexpr int16_t api_key = 75;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  struct Partition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::optional<std::vector<int32_t>> eligible_leader_replicas;
    std::optional<std::vector<int32_t>> last_known_elr;
    std::vector<int32_t> offline_replicas;
    static constexpr auto fields() {
      using S = Partition;
      return std::tuple{field("error_code", &S::error_code),
                        field("partition_index", &S::partition_index),
                        field("leader_id", &S::leader_id),
                        field("leader_epoch", &S::leader_epoch),
                        field("replica_nodes", &S::replica_nodes),
                        field("isr_nodes", &S::isr_nodes),
                        field("eligible_leader_replicas", &S::eligible_leader_replicas),
                        field("last_known_elr", &S::last_known_elr),
                        field("offline_replicas", &S::offline_replicas)};
    }
  };
  struct Topic {
    int16_t error_code = 0;
    std::optional<std::string> name;
    Uuid topic_id{};
    bool is_internal = false;
    std::vector<Partition> partitions;
    int32_t topic_authorized_operations = INT32_MIN;
    static constexpr auto fields() {
      using S = Topic;
      return std::tuple{field("error_code", &S::error_code),
                        field("name", &S::name),
                        field("topic_id", &S::topic_id),
                        field("is_internal", &S::is_internal),
                        field("partitions", &S::partitions),
                        field("topic_authorized_operations", &S::topic_authorized_operations)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  std::optional<DescribeTopicPartitionsRequest::Cursor> next_cursor;
  static constexpr auto fields() {
    using S = DescribeTopicPartitionsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms), field("topics", &S::topics),
                      field("next_cursor", &S::next_cursor)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v10 adds topic ids (a topic may be named by id from v12, its name then null), v11 drops the
// cluster's authorized operations, v13 adds a top-level error code.
struct MetadataRequest {
  static constexpr int16_t api_key = 3;
  static constexpr Versions valid{0, 13};
  static constexpr int16_t flexible_from = 9;
  struct MetadataRequestTopic {
    std::optional<std::string> name;
    Uuid topic_id{};  // zero: named by `name`
    static constexpr auto fields() {
      using S = MetadataRequestTopic;
      return std::tuple{field("topic_id", &S::topic_id, since(10)),
                        field("name", &S::name, kAll, 10)};
    }
  };
  // v0: an empty array means all topics (null is not allowed and encodes as empty). v1+: null
  // means all topics, an empty array none.
  std::optional<std::vector<MetadataRequestTopic>> topics;
  bool allow_auto_topic_creation = true;
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;
  static constexpr auto fields() {
    using S = MetadataRequest;
    return std::tuple{field("topics", &S::topics, kAll, 1),
                      field("allow_auto_topic_creation", &S::allow_auto_topic_creation, since(4)),
                      field("include_cluster_authorized_operations",
                            &S::include_cluster_authorized_operations, between(8, 10)),
                      field("include_topic_authorized_operations",
                            &S::include_topic_authorized_operations, since(8))};
  }
};

struct MetadataResponse {
  static constexpr int16_t api_key = 3;
  static constexpr Versions valid{0, 13};
  static constexpr int16_t flexible_from = 9;
  struct MetadataResponseBroker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    static constexpr auto fields() {
      using S = MetadataResponseBroker;
      return std::tuple{field("node_id", &S::node_id), field("host", &S::host),
                        field("port", &S::port), field("rack", &S::rack, since(1))};
    }
  };
  struct MetadataResponsePartition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;
    static constexpr auto fields() {
      using S = MetadataResponsePartition;
      return std::tuple{field("error_code", &S::error_code),
                        field("partition_index", &S::partition_index),
                        field("leader_id", &S::leader_id),
                        field("leader_epoch", &S::leader_epoch, since(7)),
                        field("replica_nodes", &S::replica_nodes),
                        field("isr_nodes", &S::isr_nodes),
                        field("offline_replicas", &S::offline_replicas, since(5))};
    }
  };
  struct MetadataResponseTopic {
    int16_t error_code = 0;
    std::optional<std::string> name;  // null (v12+) for an unknown topic id
    Uuid topic_id{};
    bool is_internal = false;
    std::vector<MetadataResponsePartition> partitions;
    int32_t topic_authorized_operations = INT32_MIN;
    static constexpr auto fields() {
      using S = MetadataResponseTopic;
      return std::tuple{
          field("error_code", &S::error_code),
          field("name", &S::name, kAll, 12),
          field("topic_id", &S::topic_id, since(10)),
          field("is_internal", &S::is_internal, since(1)),
          field("partitions", &S::partitions),
          field("topic_authorized_operations", &S::topic_authorized_operations, since(8))};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<MetadataResponseBroker> brokers;
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<MetadataResponseTopic> topics;
  int32_t cluster_authorized_operations = INT32_MIN;
  int16_t error_code = 0;
  static constexpr auto fields() {
    using S = MetadataResponse;
    return std::tuple{
        field("throttle_time_ms", &S::throttle_time_ms, since(3)),
        field("brokers", &S::brokers),
        field("cluster_id", &S::cluster_id, since(2)),
        field("controller_id", &S::controller_id, since(1)),
        field("topics", &S::topics),
        field("cluster_authorized_operations", &S::cluster_authorized_operations, between(8, 10)),
        field("error_code", &S::error_code, since(13))};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct CreateTopicsRequest {
  static constexpr int16_t api_key = 19;
  static constexpr Versions valid{0, 7};
  static constexpr int16_t flexible_from = 5;
  struct CreatableReplicaAssignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    static constexpr auto fields() {
      using S = CreatableReplicaAssignment;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("broker_ids", &S::broker_ids)};
    }
  };
  struct CreatableTopicConfig {
    std::string name;
    std::optional<std::string> value;
    static constexpr auto fields() {
      using S = CreatableTopicConfig;
      return std::tuple{field("name", &S::name), field("value", &S::value)};
    }
  };
  // Kafka spells it "CreatableTopicConfig"; the alias keeps the other spelling compiling.
  using CreateableTopicConfig = CreatableTopicConfig;
  struct CreatableTopic {
    std::string name;
    int32_t num_partitions = 0;
    int16_t replication_factor = 0;
    std::vector<CreatableReplicaAssignment> assignments;
    std::vector<CreatableTopicConfig> configs;
    static constexpr auto fields() {
      using S = CreatableTopic;
      return std::tuple{field("name", &S::name), field("num_partitions", &S::num_partitions),
                        field("replication_factor", &S::replication_factor),
                        field("assignments", &S::assignments), field("configs", &S::configs)};
    }
  };
  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;
  static constexpr auto fields() {
    using S = CreateTopicsRequest;
    return std::tuple{field("topics", &S::topics), field("timeout_ms", &S::timeout_ms),
                      field("validate_only", &S::validate_only, since(1))};
  }
};

struct CreateTopicsResponse {
  static constexpr int16_t api_key = 19;
  static constexpr Versions valid{0, 7};
  static constexpr int16_t flexible_from = 5;
  struct CreatableTopicConfigs {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    static constexpr auto fields() {
      using S = CreatableTopicConfigs;
      return std::tuple{
          field("name", &S::name), field("value", &S::value), field("read_only", &S::read_only),
          field("config_source", &S::config_source), field("is_sensitive", &S::is_sensitive)};
    }
  };
  struct CreatableTopicResult {
    std::string name;
    Uuid topic_id{};
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int16_t topic_config_error_code = 0;  // tagged 0, v5+
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::optional<std::vector<CreatableTopicConfigs>> configs;
    static constexpr auto fields() {
      using S = CreatableTopicResult;
      return std::tuple{field("name", &S::name),
                        field("topic_id", &S::topic_id, since(7)),
                        field("error_code", &S::error_code),
                        field("error_message", &S::error_message, since(1)),
                        tagged("topic_config_error_code", &S::topic_config_error_code, 0, since(5)),
                        field("num_partitions", &S::num_partitions, since(5)),
                        field("replication_factor", &S::replication_factor, since(5)),
                        field("configs", &S::configs, since(5))};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<CreatableTopicResult> topics;
  static constexpr auto fields() {
    using S = CreateTopicsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(2)),
                      field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// The log directories of a broker and the size of every partition in them (kafka-log-dirs,
// Cruise Control, the size columns of Kafka UIs). v0 and v1 are alike; v2 is flexible; v3 adds a
// top-level error code, v4 the volume's total and usable bytes (KIP-827), v5 `is_cordoned`.
struct DescribeLogDirsRequest {
  static constexpr int16_t api_key = 35;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 2;
  struct DescribableLogDirTopic {
    std::string topic;
    std::vector<int32_t> partitions;
    static constexpr auto fields() {
      using S = DescribableLogDirTopic;
      return std::tuple{field("topic", &S::topic), field("partitions", &S::partitions)};
    }
  };
  std::optional<std::vector<DescribableLogDirTopic>> topics;  // null: every partition
  static constexpr auto fields() {
    using S = DescribeLogDirsRequest;
    return std::tuple{field("topics", &S::topics)};
  }
};

struct DescribeLogDirsResponse {
  static constexpr int16_t api_key = 35;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 2;
  struct DescribeLogDirsPartition {
    int32_t partition_index = 0;
    int64_t partition_size = 0;
    int64_t offset_lag = 0;
    bool is_future_key = false;
    static constexpr auto fields() {
      using S = DescribeLogDirsPartition;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("partition_size", &S::partition_size),
                        field("offset_lag", &S::offset_lag),
                        field("is_future_key", &S::is_future_key)};
    }
  };
  struct DescribeLogDirsTopic {
    std::string name;
    std::vector<DescribeLogDirsPartition> partitions;
    static constexpr auto fields() {
      using S = DescribeLogDirsTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  struct DescribeLogDirsResult {
    int16_t error_code = 0;
    std::string log_dir;
    std::vector<DescribeLogDirsTopic> topics;
    int64_t total_bytes = -1;
    int64_t usable_bytes = -1;
    bool is_cordoned = false;
    static constexpr auto fields() {
      using S = DescribeLogDirsResult;
      return std::tuple{field("error_code", &S::error_code),
                        field("log_dir", &S::log_dir),
                        field("topics", &S::topics),
                        field("total_bytes", &S::total_bytes, since(4)),
                        field("usable_bytes", &S::usable_bytes, since(4)),
                        field("is_cordoned", &S::is_cordoned, since(5))};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<DescribeLogDirsResult> results;
  static constexpr auto fields() {
    using S = DescribeLogDirsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code, since(3)), field("results", &S::results)};
  }
};

}  // namespace sluice::protocol

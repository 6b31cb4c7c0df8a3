#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DeleteRecordsRequest {
  static constexpr int16_t api_key = 21;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
  struct DeleteRecordsPartition {
    int32_t partition_index = 0;
    int64_t offset = 0;
    static constexpr auto fields() {
      using S = DeleteRecordsPartition;
      return std::tuple{field("partition_index", &S::partition_index), field("offset", &S::offset)};
    }
  };
  struct DeleteRecordsTopic {
    std::string name;
    std::vector<DeleteRecordsPartition> partitions;
    static constexpr auto fields() {
      using S = DeleteRecordsTopic;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  std::vector<DeleteRecordsTopic> topics;
  int32_t timeout_ms = 0;
  static constexpr auto fields() {
    using S = DeleteRecordsRequest;
    return std::tuple{field("topics", &S::topics), field("timeout_ms", &S::timeout_ms)};
  }
};

struct DeleteRecordsResponse {
  static constexpr int16_t api_key = 21;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 2;
  struct DeleteRecordsPartitionResult {
    int32_t partition_index = 0;
    int64_t low_watermark = 0;
    int16_t error_code = 0;
    static constexpr auto fields() {
      using S = DeleteRecordsPartitionResult;
      return std::tuple{field("partition_index", &S::partition_index),
                        field("low_watermark", &S::low_watermark),
                        field("error_code", &S::error_code)};
    }
  };
  struct DeleteRecordsTopicResult {
    std::string name;
    std::vector<DeleteRecordsPartitionResult> partitions;
    static constexpr auto fields() {
      using S = DeleteRecordsTopicResult;
      return std::tuple{field("name", &S::name), field("partitions", &S::partitions)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<DeleteRecordsTopicResult> topics;
  static constexpr auto fields() {
    using S = DeleteRecordsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms), field("topics", &S::topics)};
  }
};

}  // namespace sluice::protocol

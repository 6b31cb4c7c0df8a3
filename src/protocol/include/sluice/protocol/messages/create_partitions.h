#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct CreatePartitionsRequest {
  static constexpr int16_t api_key = 37;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 2;
  struct CreatePartitionsAssignment {
    std::vector<int32_t> broker_ids;
    static constexpr auto fields() {
      using S = CreatePartitionsAssignment;
      return std::tuple{field("broker_ids", &S::broker_ids)};
    }
  };
  struct CreatePartitionsTopic {
    std::string name;
    int32_t count = 0;
    std::optional<std::vector<CreatePartitionsAssignment>> assignments;
    static constexpr auto fields() {
      using S = CreatePartitionsTopic;
      return std::tuple{field("name", &S::name), field("count", &S::count),
                        field("assignments", &S::assignments)};
    }
  };
  std::vector<CreatePartitionsTopic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  static constexpr auto fields() {
    using S = CreatePartitionsRequest;
    return std::tuple{field("topics", &S::topics), field("timeout_ms", &S::timeout_ms),
                      field("validate_only", &S::validate_only)};
  }
};

struct CreatePartitionsResponse {
  static constexpr int16_t api_key = 37;
  static constexpr Versions valid{0, 3};
  static constexpr int16_t flexible_from = 2;
  struct CreatePartitionsTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    static constexpr auto fields() {
      using S = CreatePartitionsTopicResult;
      return std::tuple{field("name", &S::name), field("error_code", &S::error_code),
                        field("error_message", &S::error_message)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<CreatePartitionsTopicResult> results;
  static constexpr auto fields() {
    using S = CreatePartitionsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("results", &S::results)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DeleteTopicsRequest {
  static constexpr int16_t api_key = 20;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;
  static constexpr auto fields() {
    using S = DeleteTopicsRequest;
    return std::tuple{field("topic_names", &S::topic_names, until(5)),
                      field("timeout_ms", &S::timeout_ms)};
  }
};

struct DeleteTopicsResponse {
  static constexpr int16_t api_key = 20;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 4;
  struct DeletableTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    static constexpr auto fields() {
      using S = DeletableTopicResult;
      return std::tuple{field("name", &S::name), field("error_code", &S::error_code),
                        field("error_message", &S::error_message, since(5))};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<DeletableTopicResult> responses;
  static constexpr auto fields() {
    using S = DeleteTopicsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("responses", &S::responses)};
  }
};

}  // namespace sluice::protocol

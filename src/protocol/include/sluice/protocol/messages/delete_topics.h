#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v6 names each topic by name or by id.
struct DeleteTopicsRequest {
  static constexpr int16_t api_key = 20;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 4;
  struct DeleteTopicState {
    std::optional<std::string> name;
    Uuid topic_id{};
    static constexpr auto fields() {
      using S = DeleteTopicState;
      return std::tuple{field("name", &S::name), field("topic_id", &S::topic_id)};
    }
  };
  std::vector<DeleteTopicState> topics;
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;
  static constexpr auto fields() {
    using S = DeleteTopicsRequest;
    return std::tuple{field("topics", &S::topics, since(6)),
                      field("topic_names", &S::topic_names, until(5)),
                      field("timeout_ms", &S::timeout_ms)};
  }
};

struct DeleteTopicsResponse {
  static constexpr int16_t api_key = 20;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 4;
  struct DeletableTopicResult {
    std::optional<std::string> name;  // null (v6) for a topic named by an unknown id
    Uuid topic_id{};
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    static constexpr auto fields() {
      using S = DeletableTopicResult;
      return std::tuple{field("name", &S::name, kAll, 6), field("topic_id", &S::topic_id, since(6)),
                        field("error_code", &S::error_code),
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

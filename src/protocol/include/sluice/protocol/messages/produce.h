#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v10 adds KIP-951's tagged leader hints to the response, sent only with NOT_LEADER_OR_FOLLOWER
// and optional, so none are sent; v11 lets the client take TRANSACTION_ABORTABLE (KIP-890 part
// 1), which this broker never returns. v12 is transaction.version 2's and not described.
struct ProduceRequest {
  static constexpr int16_t api_key = 0;
  static constexpr Versions valid{3, 11};
  static constexpr int16_t flexible_from = 9;
  struct PartitionData {
    int32_t index = 0;
    Records records;
    static constexpr auto fields() {
      using S = PartitionData;
      return std::tuple{field("index", &S::index), field("records", &S::records)};
    }
  };
  struct TopicData {
    std::string name;
    std::vector<PartitionData> partition_data;
    static constexpr auto fields() {
      using S = TopicData;
      return std::tuple{field("name", &S::name), field("partition_data", &S::partition_data)};
    }
  };
  std::optional<std::string> transactional_id;
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<TopicData> topic_data;
  static constexpr auto fields() {
    using S = ProduceRequest;
    return std::tuple{field("transactional_id", &S::transactional_id, since(3)),
                      field("acks", &S::acks), field("timeout_ms", &S::timeout_ms),
                      field("topic_data", &S::topic_data)};
  }
};

struct ProduceResponse {
  static constexpr int16_t api_key = 0;
  static constexpr Versions valid{3, 11};
  static constexpr int16_t flexible_from = 9;
  struct BatchIndexAndErrorMessage {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;
    static constexpr auto fields() {
      using S = BatchIndexAndErrorMessage;
      return std::tuple{field("batch_index", &S::batch_index),
                        field("batch_index_error_message", &S::batch_index_error_message)};
    }
  };
  struct PartitionProduceResponse {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    std::vector<BatchIndexAndErrorMessage> record_errors;
    std::optional<std::string> error_message;
    static constexpr auto fields() {
      using S = PartitionProduceResponse;
      return std::tuple{field("index", &S::index),
                        field("error_code", &S::error_code),
                        field("base_offset", &S::base_offset),
                        field("log_append_time_ms", &S::log_append_time_ms, since(2)),
                        field("log_start_offset", &S::log_start_offset, since(5)),
                        field("record_errors", &S::record_errors, since(8)),
                        field("error_message", &S::error_message, since(8))};
    }
  };
  struct TopicProduceResponse {
    std::string name;
    std::vector<PartitionProduceResponse> partition_responses;
    static constexpr auto fields() {
      using S = TopicProduceResponse;
      return std::tuple{field("name", &S::name),
                        field("partition_responses", &S::partition_responses)};
    }
  };
  std::vector<TopicProduceResponse> responses;
  int32_t throttle_time_ms = 0;
  static constexpr auto fields() {
    using S = ProduceResponse;
    return std::tuple{field("responses", &S::responses),
                      field("throttle_time_ms", &S::throttle_time_ms, since(1))};
  }
};

}  // namespace sluice::protocol

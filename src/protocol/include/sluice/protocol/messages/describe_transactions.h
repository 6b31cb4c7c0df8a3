#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// KIP-664: the state of transactional ids, with the partitions of their open transaction.
struct DescribeTransactionsRequest {
  static constexpr int16_t api_key = 65;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  std::vector<std::string> transactional_ids;
  static constexpr auto fields() {
    return std::tuple{field("transactional_ids", &DescribeTransactionsRequest::transactional_ids)};
  }
};

struct DescribeTransactionsResponse {
  static constexpr int16_t api_key = 65;
  static constexpr Versions valid{0, 0};
  static constexpr int16_t flexible_from = 0;
  struct TopicData {
    std::string name;
    std::vector<int32_t> partition_indexes;
    static constexpr auto fields() {
      using S = TopicData;
      return std::tuple{field("topic", &S::name), field("partitions", &S::partition_indexes)};
    }
  };
  struct TransactionState {
    int16_t error_code = 0;
    std::string transactional_id;
    std::string transaction_state;
    int32_t transaction_timeout_ms = 0;
    int64_t transaction_start_time_ms = -1;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::vector<TopicData> topics;
    static constexpr auto fields() {
      using S = TransactionState;
      return std::tuple{field("error_code", &S::error_code),
                        field("transactional_id", &S::transactional_id),
                        field("transaction_state", &S::transaction_state),
                        field("transaction_timeout_ms", &S::transaction_timeout_ms),
                        field("transaction_start_time_ms", &S::transaction_start_time_ms),
                        field("producer_id", &S::producer_id),
                        field("producer_epoch", &S::producer_epoch),
                        field("topics", &S::topics)};
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<TransactionState> transaction_states;
  static constexpr auto fields() {
    using S = DescribeTransactionsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("transaction_states", &S::transaction_states)};
  }
};

}  // namespace sluice::protocol

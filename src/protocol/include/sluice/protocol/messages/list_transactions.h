#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// KIP-664: the transactional ids a coordinator holds, filtered by state, producer id, (v1)
// how long their transaction has been open and (v2, KIP-1152) a regular expression on the id.
struct ListTransactionsRequest {
  static constexpr int16_t api_key = 66;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 0;
  std::vector<std::string> state_filters;
  std::vector<int64_t> producer_id_filters;
  int64_t duration_filter = -1;
  std::optional<std::string> transactional_id_pattern;  // null or empty: every id
  static constexpr auto fields() {
    using S = ListTransactionsRequest;
    return std::tuple{field("state_filters", &S::state_filters),
                      field("producer_id_filters", &S::producer_id_filters),
                      field("duration_filter", &S::duration_filter, since(1)),
                      field("transactional_id_pattern", &S::transactional_id_pattern, since(2))};
  }
};

struct ListTransactionsResponse {
  static constexpr int16_t api_key = 66;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 0;
  struct TransactionState {
    std::string transactional_id;
    int64_t producer_id = 0;
    std::string transaction_state;
    static constexpr auto fields() {
      using S = TransactionState;
      return std::tuple{field("transactional_id", &S::transactional_id),
                        field("producer_id", &S::producer_id),
                        field("transaction_state", &S::transaction_state)};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<std::string> unknown_state_filters;
  std::vector<TransactionState> transaction_states;
  static constexpr auto fields() {
    using S = ListTransactionsResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code),
                      field("unknown_state_filters", &S::unknown_state_filters),
                      field("transaction_states", &S::transaction_states)};
  }
};

}  // namespace sluice::protocol

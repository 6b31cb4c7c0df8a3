#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v4 only lets the client take TRANSACTION_ABORTABLE (KIP-890 part 1), never returned here; v5
// bumps the epoch on every transaction (transaction.version 2) and is not described.
struct EndTxnRequest {
  static constexpr int16_t api_key = 26;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  bool committed = false;  // true: commit, false: abort
  static constexpr auto fields() {
    using S = EndTxnRequest;
    return std::tuple{
        field("transactional_id", &S::transactional_id), field("producer_id", &S::producer_id),
        field("producer_epoch", &S::producer_epoch), field("committed", &S::committed)};
  }
};

struct EndTxnResponse {
  static constexpr int16_t api_key = 26;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  static constexpr auto fields() {
    using S = EndTxnResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v4 only lets the client take TRANSACTION_ABORTABLE (KIP-890 part 1), never returned here.
struct AddOffsetsToTxnRequest {
  static constexpr int16_t api_key = 25;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  std::string group_id;
  static constexpr auto fields() {
    using S = AddOffsetsToTxnRequest;
    return std::tuple{field("transactional_id", &S::transactional_id),
                      field("producer_id", &S::producer_id),
                      field("producer_epoch", &S::producer_epoch), field("group_id", &S::group_id)};
  }
};

struct AddOffsetsToTxnResponse {
  static constexpr int16_t api_key = 25;
  static constexpr Versions valid{0, 4};
  static constexpr int16_t flexible_from = 3;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  static constexpr auto fields() {
    using S = AddOffsetsToTxnResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code)};
  }
};

}  // namespace sluice::protocol

#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

// v5 only lets the client take TRANSACTION_ABORTABLE (KIP-890 part 1), never returned here; v6
// (two-phase commit, KIP-939) is not described.
struct InitProducerIdRequest {
  static constexpr int16_t api_key = 22;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 2;
  std::optional<std::string> transactional_id;  // null for an idempotent producer
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  static constexpr auto fields() {
    using S = InitProducerIdRequest;
    return std::tuple{field("transactional_id", &S::transactional_id),
                      field("transaction_timeout_ms", &S::transaction_timeout_ms),
                      field("producer_id", &S::producer_id, since(3)),
                      field("producer_epoch", &S::producer_epoch, since(3))};
  }
};

struct InitProducerIdResponse {
  static constexpr int16_t api_key = 22;
  static constexpr Versions valid{0, 5};
  static constexpr int16_t flexible_from = 2;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;
  static constexpr auto fields() {
    using S = InitProducerIdResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code), field("producer_id", &S::producer_id),
                      field("producer_epoch", &S::producer_epoch)};
  }
};

}  // namespace sluice::protocol

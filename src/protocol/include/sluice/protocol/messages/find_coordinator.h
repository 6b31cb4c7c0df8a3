#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct FindCoordinatorRequest {
  static constexpr int16_t api_key = 10;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 3;
  std::string key;
  int8_t key_type = 0;  // 0 group, 1 transaction, 2 share group (v6, KIP-932)
  // v4 (KIP-699) asks for several keys of one type at once, replacing `key`.
  std::vector<std::string> coordinator_keys;
  static constexpr auto fields() {
    using S = FindCoordinatorRequest;
    return std::tuple{field("key", &S::key, until(3)), field("key_type", &S::key_type, since(1)),
                      field("coordinator_keys", &S::coordinator_keys, since(4))};
  }
};

struct FindCoordinatorResponse {
  static constexpr int16_t api_key = 10;
  static constexpr Versions valid{0, 6};
  static constexpr int16_t flexible_from = 3;
  // v4+: one answer per requested key, replacing the top-level fields.
  struct Coordinator {
    std::string key;
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    static constexpr auto fields() {
      using S = Coordinator;
      return std::tuple{field("key", &S::key),
                        field("node_id", &S::node_id),
                        field("host", &S::host),
                        field("port", &S::port),
                        field("error_code", &S::error_code),
                        field("error_message", &S::error_message)};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::vector<Coordinator> coordinators;
  static constexpr auto fields() {
    using S = FindCoordinatorResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms, since(1)),
                      field("error_code", &S::error_code, until(3)),
                      field("error_message", &S::error_message, between(1, 3)),
                      field("node_id", &S::node_id, until(3)),
                      field("host", &S::host, until(3)),
                      field("port", &S::port, until(3)),
                      field("coordinators", &S::coordinators, since(4))};
  }
};

}  // namespace sluice::protocol

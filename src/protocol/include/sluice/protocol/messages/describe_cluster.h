#pragma once
#include "sluice/protocol/schema.h"

namespace sluice::protocol {

struct DescribeClusterRequest {
  static constexpr int16_t api_key = 60;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 0;
  bool include_cluster_authorized_operations = false;
  // v1 (KIP-919): 1 brokers, 2 controllers. v0 means brokers.
  int8_t endpoint_type = 1;
  // v2 (KIP-1073): also list fenced brokers (a single live node never is).
  bool include_fenced_brokers = false;
  static constexpr auto fields() {
    using S = DescribeClusterRequest;
    return std::tuple{
        field("include_cluster_authorized_operations", &S::include_cluster_authorized_operations),
        field("endpoint_type", &S::endpoint_type, since(1)),
        field("include_fenced_brokers", &S::include_fenced_brokers, since(2))};
  }
};

struct DescribeClusterResponse {
  static constexpr int16_t api_key = 60;
  static constexpr Versions valid{0, 2};
  static constexpr int16_t flexible_from = 0;
  struct DescribeClusterBroker {
    int32_t broker_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    bool is_fenced = false;  // v2
    static constexpr auto fields() {
      using S = DescribeClusterBroker;
      return std::tuple{field("broker_id", &S::broker_id), field("host", &S::host),
                        field("port", &S::port), field("rack", &S::rack),
                        field("is_fenced", &S::is_fenced, since(2))};
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
  int8_t endpoint_type = 1;  // v1: the endpoint type described
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<DescribeClusterBroker> brokers;
  int32_t cluster_authorized_operations = INT32_MIN;
  static constexpr auto fields() {
    using S = DescribeClusterResponse;
    return std::tuple{field("throttle_time_ms", &S::throttle_time_ms),
                      field("error_code", &S::error_code),
                      field("error_message", &S::error_message),
                      field("endpoint_type", &S::endpoint_type, since(1)),
                      field("cluster_id", &S::cluster_id),
                      field("controller_id", &S::controller_id),
                      field("brokers", &S::brokers),
                      field("cluster_authorized_operations", &S::cluster_authorized_operations)};
  }
};

}  // namespace sluice::protocol

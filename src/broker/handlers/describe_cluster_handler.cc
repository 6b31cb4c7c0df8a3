// DescribeCluster: this node is the whole cluster and its controller. It is a broker endpoint:
// asking it for controllers (endpoint type 2, v1+) gets MISMATCHED_ENDPOINT_TYPE and an unknown
// type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0, which cannot name those), as Kafka's
// brokers answer.
#include <string>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_cluster.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {
constexpr int8_t kBrokerEndpoint = 1;
constexpr int8_t kControllerEndpoint = 2;
}  // namespace

SLUICE_HANDLER(DescribeCluster) {
  protocol::DescribeClusterResponse resp;
  if (req.endpoint_type != kBrokerEndpoint) {
    const bool mismatched = req.endpoint_type == kControllerEndpoint;
    ErrorCode e = ctx.api_version == 0 ? ErrorCode::invalid_request
                  : mismatched         ? ErrorCode::mismatched_endpoint_type
                                       : ErrorCode::unsupported_endpoint_type;
    resp.error_code = to_wire(e);
    resp.error_message =
        mismatched ? "The request was sent to an endpoint of type BROKER, but we wanted an "
                     "endpoint of type CONTROLLER"
                   : "Unsupported endpoint type " + std::to_string(req.endpoint_type);
    return respond(std::move(resp));
  }
  const auto& self = broker.self();
  resp.cluster_id = broker.metadata().cluster_id();
  resp.controller_id = self.node_id;
  resp.brokers.push_back({self.node_id, self.host, self.port, std::nullopt, false});
  respond(std::move(resp));
}

}  // namespace sluice::broker

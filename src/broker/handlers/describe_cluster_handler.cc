// DescribeCluster: this node is the whole cluster and its controller.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_cluster.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(DescribeCluster) {
  protocol::DescribeClusterResponse resp;
  const auto& self = broker.self();
  resp.cluster_id = broker.metadata().cluster_id();
  resp.controller_id = self.node_id;
  resp.brokers.push_back({self.node_id, self.host, self.port, std::nullopt});
  respond(std::move(resp));
}

}  // namespace sluice::broker

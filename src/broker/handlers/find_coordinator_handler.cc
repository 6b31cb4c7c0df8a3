// FindCoordinator: this node coordinates every group; transaction coordinators do not exist yet.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/find_coordinator.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {
constexpr int8_t kGroupKey = 0;
}

SLUICE_HANDLER(FindCoordinator) {
  protocol::FindCoordinatorResponse resp;
  if (req.key_type != kGroupKey) {
    // Transaction coordinators arrive with transactions.
    resp.error_code = to_wire(ErrorCode::coordinator_not_available);
    resp.error_message = "no transaction coordinator on this broker yet";
    resp.node_id = -1;
    resp.port = -1;
    return respond(std::move(resp));
  }
  if (req.key.empty()) {
    resp.error_code = to_wire(ErrorCode::invalid_group_id);
    resp.node_id = -1;
    resp.port = -1;
    return respond(std::move(resp));
  }
  // One node coordinates every group.
  resp.node_id = broker.self().node_id;
  resp.host = broker.self().host;
  resp.port = broker.self().port;
  respond(std::move(resp));
}

}  // namespace sluice::broker

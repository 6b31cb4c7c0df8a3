// FindCoordinator: this node coordinates every group (key type 0) and every transactional id
// (key type 1).
#include "handlers/handlers.h"
#include "sluice/protocol/messages/find_coordinator.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {
constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;
}  // namespace

SLUICE_HANDLER(FindCoordinator) {
  protocol::FindCoordinatorResponse resp;
  auto fail = [&](ErrorCode e) {
    resp.error_code = to_wire(e);
    resp.node_id = -1;
    resp.port = -1;
    respond(std::move(resp));
  };
  if (req.key_type != kGroupKey && req.key_type != kTransactionKey)
    return fail(ErrorCode::invalid_request);
  if (req.key.empty())
    return fail(req.key_type == kGroupKey ? ErrorCode::invalid_group_id
                                          : ErrorCode::invalid_request);
  resp.node_id = broker.self().node_id;
  resp.host = broker.self().host;
  resp.port = broker.self().port;
  respond(std::move(resp));
}

}  // namespace sluice::broker

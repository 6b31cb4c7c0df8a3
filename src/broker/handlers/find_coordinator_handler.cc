// FindCoordinator: this node coordinates every group (key type 0) and every transactional id
// (key type 1). Share groups (key type 2, v6) have no coordinator here: INVALID_REQUEST, as
// Kafka answers without a share coordinator. v4+ asks for several keys, each answered alone.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/find_coordinator.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {
constexpr int8_t kGroupKey = 0;
constexpr int8_t kTransactionKey = 1;

ErrorCode check(int8_t key_type, const std::string& key) {
  if (key_type != kGroupKey && key_type != kTransactionKey) return ErrorCode::invalid_request;
  if (key.empty())
    return key_type == kGroupKey ? ErrorCode::invalid_group_id : ErrorCode::invalid_request;
  return ErrorCode::none;
}
}  // namespace

SLUICE_HANDLER(FindCoordinator) {
  protocol::FindCoordinatorResponse resp;
  const auto& self = broker.self();
  if (ctx.api_version >= 4) {
    for (const auto& key : req.coordinator_keys) {
      auto& c = resp.coordinators.emplace_back();
      c.key = key;
      ErrorCode e = check(req.key_type, key);
      c.error_code = to_wire(e);
      // Kafka's Node.noNode for a failed key.
      c.node_id = e == ErrorCode::none ? self.node_id : -1;
      c.host = e == ErrorCode::none ? self.host : "";
      c.port = e == ErrorCode::none ? self.port : -1;
    }
    return respond(std::move(resp));
  }
  if (ErrorCode e = check(req.key_type, req.key); e != ErrorCode::none) {
    resp.error_code = to_wire(e);
    resp.node_id = -1;
    resp.port = -1;
    return respond(std::move(resp));
  }
  resp.node_id = self.node_id;
  resp.host = self.host;
  resp.port = self.port;
  respond(std::move(resp));
}

}  // namespace sluice::broker

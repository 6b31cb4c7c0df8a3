// The group APIs: FindCoordinator here, the rest handed to the GroupCoordinator.
#include "handlers/handlers.h"

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

SLUICE_HANDLER(JoinGroup) {
  broker.groups().join(req, ctx.api_version, {ctx.client_id, ctx.client_host}, std::move(respond));
}

SLUICE_HANDLER(SyncGroup) { broker.groups().sync(req, ctx.api_version, std::move(respond)); }

SLUICE_HANDLER(Heartbeat) { broker.groups().heartbeat(req, std::move(respond)); }

SLUICE_HANDLER(LeaveGroup) { broker.groups().leave(req, ctx.api_version, std::move(respond)); }

SLUICE_HANDLER(OffsetCommit) { broker.groups().commit(req, std::move(respond)); }

SLUICE_HANDLER(OffsetFetch) { broker.groups().fetch(req, ctx.api_version, std::move(respond)); }

SLUICE_HANDLER(DescribeGroups) { broker.groups().describe(req, std::move(respond)); }

SLUICE_HANDLER(ListGroups) { broker.groups().list(req, std::move(respond)); }

SLUICE_HANDLER(DeleteGroups) { broker.groups().delete_groups(req, std::move(respond)); }

SLUICE_HANDLER(OffsetDelete) { broker.groups().delete_offsets(req, std::move(respond)); }

}  // namespace sluice::broker

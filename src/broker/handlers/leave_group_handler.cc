// LeaveGroup: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/leave_group.h"

namespace sluice::broker {

SLUICE_HANDLER(LeaveGroup) { broker.groups().leave(req, ctx.api_version, std::move(respond)); }

}  // namespace sluice::broker

// SyncGroup: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/sync_group.h"

namespace sluice::broker {

SLUICE_HANDLER(SyncGroup) { broker.groups().sync(req, ctx.api_version, std::move(respond)); }

}  // namespace sluice::broker

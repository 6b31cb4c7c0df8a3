// JoinGroup: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/join_group.h"

namespace sluice::broker {

SLUICE_HANDLER(JoinGroup) {
  broker.groups().join(req, ctx.api_version, {ctx.client_id, ctx.client_host}, std::move(respond));
}

}  // namespace sluice::broker

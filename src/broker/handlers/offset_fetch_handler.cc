// OffsetFetch: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/offset_fetch.h"

namespace sluice::broker {

SLUICE_HANDLER(OffsetFetch) { broker.groups().fetch(req, ctx.api_version, std::move(respond)); }

}  // namespace sluice::broker

// OffsetFetch: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"

namespace sluice::broker {

SLUICE_HANDLER(OffsetFetch) { broker.groups().fetch(req, ctx.api_version, std::move(respond)); }

}  // namespace sluice::broker

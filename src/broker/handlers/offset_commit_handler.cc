// OffsetCommit: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"

namespace sluice::broker {

SLUICE_HANDLER(OffsetCommit) { broker.groups().commit(req, std::move(respond)); }

}  // namespace sluice::broker

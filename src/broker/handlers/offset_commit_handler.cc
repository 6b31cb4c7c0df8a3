// OffsetCommit: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/offset_commit.h"

namespace sluice::broker {

SLUICE_HANDLER(OffsetCommit) { broker.groups().commit(req, std::move(respond)); }

}  // namespace sluice::broker

// DeleteGroups: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/delete_groups.h"

namespace sluice::broker {

SLUICE_HANDLER(DeleteGroups) { broker.groups().delete_groups(req, std::move(respond)); }

}  // namespace sluice::broker

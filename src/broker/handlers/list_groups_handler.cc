// ListGroups: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/list_groups.h"

namespace sluice::broker {

SLUICE_HANDLER(ListGroups) { broker.groups().list(req, std::move(respond)); }

}  // namespace sluice::broker

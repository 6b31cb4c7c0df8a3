// ListGroups: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"

namespace sluice::broker {

SLUICE_HANDLER(ListGroups) { broker.groups().list(req, std::move(respond)); }

}  // namespace sluice::broker

// DeleteGroups: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"

namespace sluice::broker {

SLUICE_HANDLER(DeleteGroups) { broker.groups().delete_groups(req, std::move(respond)); }

}  // namespace sluice::broker

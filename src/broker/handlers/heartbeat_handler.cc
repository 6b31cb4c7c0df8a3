// Heartbeat: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/heartbeat.h"

namespace sluice::broker {

SLUICE_HANDLER(Heartbeat) { broker.groups().heartbeat(req, std::move(respond)); }

}  // namespace sluice::broker

// OffsetDelete: handed to the GroupCoordinator, which owns the group state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/offset_delete.h"

namespace sluice::broker {

SLUICE_HANDLER(OffsetDelete) { broker.groups().delete_offsets(req, std::move(respond)); }

}  // namespace sluice::broker

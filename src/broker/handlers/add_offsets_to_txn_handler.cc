// AddOffsetsToTxn: handed to the TransactionCoordinator, which adds the group's
// __consumer_offsets partition to the transaction.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/add_offsets_to_txn.h"

namespace sluice::broker {

SLUICE_HANDLER(AddOffsetsToTxn) {
  broker.txns().add_offsets(req, ctx.api_version, std::move(respond));
}

}  // namespace sluice::broker

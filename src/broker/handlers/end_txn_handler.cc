// EndTxn: handed to the TransactionCoordinator, which owns the transaction state.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/end_txn.h"

namespace sluice::broker {

SLUICE_HANDLER(EndTxn) { broker.txns().end_txn(req, ctx.api_version, std::move(respond)); }

}  // namespace sluice::broker

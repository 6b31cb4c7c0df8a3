// AddPartitionsToTxn (v0-3, from clients): handed to the TransactionCoordinator. v4 and up are
// the broker-to-broker verification of KIP-890, which one node does not need.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/add_partitions_to_txn.h"

namespace sluice::broker {

SLUICE_HANDLER(AddPartitionsToTxn) {
  broker.txns().add_partitions(req, ctx.api_version, std::move(respond));
}

}  // namespace sluice::broker

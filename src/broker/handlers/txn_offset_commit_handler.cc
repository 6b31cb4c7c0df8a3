// TxnOffsetCommit: handed to the GroupCoordinator, which owns the group state. Like the other
// group APIs it runs on the control shard, where the coordinator lives; this node coordinates
// every group, and a failed write answers COORDINATOR_NOT_AVAILABLE, as OffsetCommit does.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/txn_offset_commit.h"

namespace sluice::broker {

SLUICE_HANDLER(TxnOffsetCommit) {
  broker.groups().txn_commit(req, ctx.api_version, std::move(respond));
}

}  // namespace sluice::broker

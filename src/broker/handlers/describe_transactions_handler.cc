// DescribeTransactions (KIP-664): state, producer, timeout and partitions of transactional ids.
// Runs on the control shard, which owns the TransactionCoordinator.
#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_transactions.h"

namespace sluice::broker {

SLUICE_HANDLER(DescribeTransactions) {
  protocol::DescribeTransactionsResponse resp;
  for (const auto& id : req.transactional_ids) {
    auto& out = resp.transaction_states.emplace_back();
    out.transactional_id = id;
    const txn::TxnMetadata* md = broker.txns().find(id);
    if (!md) {
      out.error_code = protocol::to_wire(protocol::ErrorCode::transactional_id_not_found);
      continue;
    }
    out.transaction_state = txn::to_string(md->state);
    out.transaction_timeout_ms = md->timeout_ms;
    out.transaction_start_time_ms = md->start_ms;
    out.producer_id = md->producer_id;
    out.producer_epoch = md->producer_epoch;
    for (const auto& tp : md->partitions) {
      if (out.topics.empty() || out.topics.back().name != tp.topic)
        out.topics.push_back({tp.topic, {}});
      out.topics.back().partition_indexes.push_back(tp.partition);
    }
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

// ListTransactions (KIP-664): the transactional ids this node coordinates, filtered as asked.
// Runs on the control shard, which owns the TransactionCoordinator.
#include <algorithm>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/list_transactions.h"

namespace sluice::broker {

namespace {

std::optional<txn::TxnState> state_named(const std::string& name) {
  for (int s = 0; s <= static_cast<int>(txn::TxnState::prepare_epoch_fence); ++s) {
    auto state = static_cast<txn::TxnState>(s);
    if (name == txn::to_string(state)) return state;
  }
  return std::nullopt;
}

}  // namespace

SLUICE_HANDLER(ListTransactions) {
  protocol::ListTransactionsResponse resp;
  std::vector<txn::TxnState> states;
  for (const auto& name : req.state_filters) {
    if (auto s = state_named(name)) {
      states.push_back(*s);
    } else {
      resp.unknown_state_filters.push_back(name);
    }
  }
  // Only unknown names: nothing can match (Kafka answers the same way).
  const bool none_can_match = !req.state_filters.empty() && states.empty();
  const int64_t now = now_ms();
  for (const auto& [id, md] : broker.txns().transactions()) {
    if (none_can_match) break;
    if (!states.empty() && std::find(states.begin(), states.end(), md.state) == states.end())
      continue;
    if (!req.producer_id_filters.empty() &&
        std::find(req.producer_id_filters.begin(), req.producer_id_filters.end(), md.producer_id) ==
            req.producer_id_filters.end())
      continue;
    // v1: only transactions open for longer than the filter.
    if (req.duration_filter >= 0 && (md.start_ms < 0 || now - md.start_ms <= req.duration_filter))
      continue;
    resp.transaction_states.push_back({id, md.producer_id, txn::to_string(md.state)});
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

// ListTransactions (KIP-664): the transactional ids this node coordinates, filtered as asked.
// Runs on the control shard, which owns the TransactionCoordinator.
#include <algorithm>
#include <regex>

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
  // v2: the whole id must match, as with Kafka's Pattern.matches(); Kafka's regular expressions
  // are RE2's, ECMAScript's here, which agree on the usual ones (prefixes, classes,
  // alternatives).
  std::optional<std::regex> pattern;
  if (req.transactional_id_pattern && !req.transactional_id_pattern->empty()) {
    try {
      pattern.emplace(*req.transactional_id_pattern);
    } catch (const std::regex_error&) {
      resp.error_code = protocol::to_wire(protocol::ErrorCode::invalid_regular_expression);
      return respond(std::move(resp));
    }
  }
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
    if (pattern && !std::regex_match(id, *pattern)) continue;
    resp.transaction_states.push_back({id, md.producer_id, txn::to_string(md.state)});
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker

// InitProducerId. Without a transactional id (idempotent producers): a new producer id at epoch
// 0 for every request, as Kafka answers (the client's epoch bump after
// OUT_OF_ORDER_SEQUENCE_NUMBER, KIP-360, gets a fresh id the same way). With one: handed to the
// TransactionCoordinator. Runs on the control shard, which owns both.
#include <spdlog/spdlog.h>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/init_producer_id.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::to_wire;

SLUICE_HANDLER(InitProducerId) {
  protocol::InitProducerIdResponse resp;
  auto fail = [&](ErrorCode e) {
    resp.error_code = to_wire(e);
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    respond(std::move(resp));
  };
  if (req.transactional_id) {
    if (req.transactional_id->empty()) return fail(ErrorCode::invalid_request);
    return broker.txns().init_producer_id(req, ctx.api_version, std::move(respond));
  }
  auto id = broker.producer_ids().next();
  if (!id) {
    spdlog::error("InitProducerId: cannot persist the producer id block: {}", std::strerror(errno));
    return fail(ErrorCode::coordinator_not_available);
  }
  resp.producer_id = *id;
  resp.producer_epoch = 0;
  respond(std::move(resp));
}

}  // namespace sluice::broker

// InitProducerId for idempotent producers: a new producer id at epoch 0 for every request, as
// Kafka answers a request without a transactional id (the client's epoch bump after
// OUT_OF_ORDER_SEQUENCE_NUMBER, KIP-360, gets a fresh id the same way). Runs on the control
// shard, which owns the ProducerIdManager.
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
    // Kafka refuses an empty id; any other one needs the transaction coordinator, which
    // FindCoordinator does not offer yet, so a client cannot have been sent here for it.
    return fail(req.transactional_id->empty() ? ErrorCode::invalid_request
                                              : ErrorCode::coordinator_not_available);
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

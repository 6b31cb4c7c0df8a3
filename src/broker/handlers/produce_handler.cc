#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/record_batch.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::ProduceResponse;
using protocol::to_wire;

namespace {

ErrorCode to_error(protocol::BatchError e) {
  switch (e) {
    case protocol::BatchError::ok:
      return ErrorCode::none;
    case protocol::BatchError::bad_magic:
      return ErrorCode::unsupported_for_message_format;
    default:
      return ErrorCode::corrupt_message;
  }
}

// Checks every batch of one partition's records before anything is written, so a request is
// applied whole or not at all.
ErrorCode validate_records(std::span<uint8_t> records, int32_t max_message_bytes) {
  if (records.empty()) return ErrorCode::corrupt_message;
  size_t pos = 0;
  while (pos < records.size()) {
    auto rest = records.subspan(pos);
    protocol::BatchHeader h;
    auto err = protocol::validate_batch(rest, rest.size(), true, &h);
    if (err != protocol::BatchError::ok) return to_error(err);
    if (h.total_size() > static_cast<size_t>(max_message_bytes))
      return ErrorCode::message_too_large;
    // Control batches are written by the broker's transaction coordinator only.
    if (h.is_control()) return ErrorCode::invalid_record;
    pos += h.total_size();
  }
  return ErrorCode::none;
}

ErrorCode to_error(storage::StorageErrc e) {
  return e == storage::StorageErrc::ok ? ErrorCode::none : ErrorCode::kafka_storage_error;
}

// Collects partition results; the response goes out when the last durable wait completes.
struct PendingProduce {
  ProduceResponse resp;
  int outstanding = 1;  // the handler itself holds one until every partition is registered
  Respond<ProduceResponse> respond;
  void done() {
    if (--outstanding == 0) respond(std::move(resp));
  }
};

}  // namespace

SLUICE_HANDLER(Produce) {
  auto& pm = broker.partitions();
  auto pending = std::make_shared<PendingProduce>();
  pending->respond = std::move(respond);
  bool acks_valid = req.acks == 0 || req.acks == 1 || req.acks == -1;
  int64_t now = now_ms();
  // Partition results are filled in place by durable-wait callbacks: no vector may reallocate.
  pending->resp.responses.reserve(req.topic_data.size());
  for (auto& td : req.topic_data) {
    auto& tr = pending->resp.responses.emplace_back();
    tr.name = td.name;
    tr.partition_responses.reserve(td.partition_data.size());
    for (auto& pd : td.partition_data) {
      auto& pr = tr.partition_responses.emplace_back();
      pr.index = pd.index;
      auto fail = [&](ErrorCode e) { pr.error_code = to_wire(e); };
      if (!acks_valid) {
        fail(ErrorCode::invalid_required_acks);
        continue;
      }
      if (is_internal_topic(td.name)) {
        fail(ErrorCode::invalid_topic_exception);  // written by the broker only
        continue;
      }
      auto partition = pm.get(td.name, pd.index);
      if (!partition && pm.partition_count(td.name) < 0 &&
          broker.config().get_bool("auto.create.topics.enable") && valid_topic_name(td.name)) {
        auto_create_topic(broker, td.name);
        partition = pm.get(td.name, pd.index);
      }
      if (!partition) {
        fail(valid_topic_name(td.name) ? ErrorCode::unknown_topic_or_partition
                                       : ErrorCode::invalid_topic_exception);
        continue;
      }
      if (pd.records.is_null) {
        fail(ErrorCode::corrupt_message);
        continue;
      }
      if (auto e = validate_records(pd.records.view, pm.max_message_bytes(td.name));
          e != ErrorCode::none) {
        fail(e);
        continue;
      }
      auto r = partition->append(pd.records.view, now, pm.log_append_time(td.name));
      if (!r.ok()) {
        fail(to_error(r.error));
        continue;
      }
      pr.base_offset = r.value.base_offset;
      pr.log_append_time_ms = r.value.log_append_time;
      pr.log_start_offset = partition->log_start_offset();
      if (!pm.flush_on_append()) continue;
      // Even unacknowledged appends must become durable: the high watermark only moves by flush.
      pm.schedule_flush(partition);
      if (req.acks == 0) continue;
      ++pending->outstanding;
      // The response vectors were reserved above, so this element stays put.
      partition->wait_durable(r.value.last_offset + 1, [pending, &pr](ErrorCode e) {
        if (e != ErrorCode::none) {
          pr.error_code = to_wire(e);
          pr.base_offset = -1;
        }
        pending->done();
      });
    }
  }
  pending->done();
}

}  // namespace sluice::broker

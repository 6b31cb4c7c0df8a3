#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/produce.h"
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
// applied whole or not at all. Runs on the connection's shard (CRC-32C is the costly part); the
// size and timestamp limits are the topic's and are checked by the owner, against `bounds`.
// Sequence numbers
// are checked by the owner's log, against the producer's state.
// What the owner checks against the topic's settings, gathered while validating.
struct BatchBounds {
  size_t largest = 0;                   // bytes of the largest batch
  int64_t first_timestamp = INT64_MAX;  // earliest batch base timestamp (-1: none given)
  int64_t max_timestamp = INT64_MIN;    // latest batch max timestamp
};

ErrorCode validate_records(std::span<uint8_t> records, BatchBounds& bounds) {
  if (records.empty()) return ErrorCode::corrupt_message;
  size_t pos = 0;
  int batches = 0;
  bool idempotent = false;
  while (pos < records.size()) {
    auto rest = records.subspan(pos);
    protocol::BatchHeader h;
    auto err = protocol::validate_batch(rest, rest.size(), true, &h);
    if (err != protocol::BatchError::ok) return to_error(err);
    // Control batches are written by the broker's transaction coordinator only.
    if (h.is_control()) return ErrorCode::invalid_record;
    // Whether the producer's transaction includes this partition is the partition's to say
    // (Partition::allow_transactional); here only that it is a producer's at all.
    if (h.is_transactional() && h.producer_id < 0) return ErrorCode::invalid_record;
    // Transactional batches are idempotent ones too: sequence-checked, one per partition.
    if (h.producer_id >= 0) {
      if (h.producer_epoch < 0 || h.base_sequence < 0) return ErrorCode::invalid_record;
      idempotent = true;
    }
    bounds.largest = std::max(bounds.largest, h.total_size());
    bounds.first_timestamp = std::min(bounds.first_timestamp, h.base_timestamp);
    bounds.max_timestamp = std::max(bounds.max_timestamp, h.max_timestamp);
    pos += h.total_size();
    ++batches;
  }
  // Kafka takes one batch per partition from any v3+ producer; for idempotent ones it matters,
  // since the producer's sequence check and a retry's answer are about exactly one batch.
  if (idempotent && batches != 1) return ErrorCode::invalid_record;
  return ErrorCode::none;
}

// One partition's records that passed validation, on their way to the owner.
struct Append {
  std::span<uint8_t> records;
  BatchBounds bounds;
  ProduceResponse::PartitionProduceResponse* response = nullptr;  // on the connection's shard
};

// What the owner reports back.
struct Appended {
  ErrorCode error = ErrorCode::none;
  int64_t base_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
};

// Everything the owners read while they append: shared, and not changed until all have replied.
struct ProduceJob {
  std::shared_ptr<const Frame> frame;  // the records point into it
  protocol::ProduceRequest req;
  std::vector<Append> appends;
  int64_t now = 0;
};

// Kafka's message.timestamp.before.max.ms / after.max.ms for CreateTime topics, on the batches'
// first and max timestamps (Kafka checks every record; a v2 batch's records lie between its
// first timestamp and its max unless a producer writes them out of order). -1 means none given.
bool timestamps_allowed(const BatchBounds& b, int64_t now, const TopicSettings& t) {
  if (b.first_timestamp >= 0 && t.timestamp_before_max_ms < now &&
      b.first_timestamp < now - t.timestamp_before_max_ms)
    return false;
  if (b.max_timestamp >= 0 && t.timestamp_after_max_ms < INT64_MAX - now &&
      b.max_timestamp > now + t.timestamp_after_max_ms)
    return false;
  return true;
}

// Runs on the partition's owner and replies once: at once, or when the append is committed.
void append_on_owner(const ProduceJob& job, const Append& a, const std::shared_ptr<Partition>& p,
                     PartitionManager::Reply<Appended> reply) {
  if (!p) return reply({ErrorCode::unknown_topic_or_partition});
  const TopicSettings& topic = p->settings();
  if (a.bounds.largest > static_cast<size_t>(topic.max_message_bytes))
    return reply({ErrorCode::message_too_large});
  if (!topic.log_append_time && !timestamps_allowed(a.bounds, job.now, topic))
    return reply({ErrorCode::invalid_timestamp});
  p->replicate(a.records, job.req.acks, job.now,
               [p, reply = std::move(reply)](const Partition::Appended& r) {
                 if (r.error != ErrorCode::none) return reply({r.error});
                 reply({ErrorCode::none, r.base_offset, r.log_append_time, p->log_start_offset()});
               });
}

}  // namespace

SLUICE_HANDLER(Produce) {
  auto& pm = broker.partitions();
  auto job = std::make_shared<ProduceJob>();
  job->frame = ctx.frame;
  job->req = std::move(req);
  job->now = now_ms();
  auto resp = std::make_shared<ProduceResponse>();
  const int16_t acks = job->req.acks;
  bool acks_valid = acks == 0 || acks == 1 || acks == -1;
  std::vector<TopicPartition> keys;
  // Partition results are filled in place when the owners reply: no vector may reallocate.
  resp->responses.reserve(job->req.topic_data.size());
  for (auto& td : job->req.topic_data) {
    auto& tr = resp->responses.emplace_back();
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
      if (!valid_topic_name(td.name)) {
        fail(ErrorCode::invalid_topic_exception);
        continue;
      }
      if (pd.records.is_null) {
        fail(ErrorCode::corrupt_message);
        continue;
      }
      Append a{pd.records.view, {}, &pr};
      if (auto e = validate_records(a.records, a.bounds); e != ErrorCode::none) {
        fail(e);
        continue;
      }
      job->appends.push_back(a);
      keys.push_back({td.name, pd.index});
    }
  }
  PartitionManager::Work<Appended> work = [job](size_t i, const std::shared_ptr<Partition>& p,
                                                PartitionManager::Reply<Appended> reply) {
    append_on_owner(*job, job->appends[i], p, std::move(reply));
  };
  pm.for_each_owner<Appended>(
      std::move(keys), std::move(work),
      [job, resp, respond = std::move(respond)](std::vector<Appended> results) {
        for (size_t i = 0; i < results.size(); ++i) {
          auto& pr = *job->appends[i].response;
          const auto& r = results[i];
          pr.error_code = to_wire(r.error);
          pr.base_offset = r.error == ErrorCode::none ? r.base_offset : -1;
          pr.log_append_time_ms = r.log_append_time;
          pr.log_start_offset = r.log_start_offset;
        }
        respond(std::move(*resp));
      });
}

}  // namespace sluice::broker

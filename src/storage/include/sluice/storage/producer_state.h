#pragma once
// Idempotent-producer state of one partition (Kafka's ProducerStateManager): for each producer
// id, its epoch and the sequence ranges and offsets of the last five batches it wrote. A retried
// batch is recognised and answered with its original offsets instead of being written twice; a
// batch that skips sequence numbers, or comes from an older epoch, is refused.
//
// The rules are Kafka 4.x's (ProducerAppendInfo.checkSequence / checkProducerEpoch), so every
// client's retry and epoch-bump logic meets what it was written against:
//  - a batch whose epoch is older than the producer's current epoch: invalid_producer_epoch;
//  - a newer epoch must start at sequence 0;
//  - the same epoch must continue at last sequence + 1 (wrapping after INT32_MAX);
//  - a producer this partition has no state for (never seen, expired, or its batches removed by
//    retention) may start at any sequence: its history is gone, so nothing can be checked;
//  - a batch whose epoch and exact sequence range match one of the last five is a duplicate.
//
// Owned by the PartitionLog it belongs to (its owner shard's thread); not thread-safe.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/protocol/record_batch.h"

namespace sluice::storage {

// One batch of a producer, as remembered for duplicate detection.
struct ProducerBatch {
  int32_t first_seq = 0;
  int32_t last_seq = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t append_time_ms = -1;  // when it was appended (its max timestamp, when replayed)
};

struct ProducerEntry {
  int16_t epoch = -1;
  std::deque<ProducerBatch> batches;  // oldest first, at most kBatchesKept
  int64_t last_append_ms() const { return batches.empty() ? -1 : batches.back().append_time_ms; }
  int64_t last_offset() const { return batches.empty() ? -1 : batches.back().last_offset; }
};

enum class SequenceCheck {
  accept,                  // write it
  duplicate,               // written before: answer with `original`
  out_of_order_sequence,   // OUT_OF_ORDER_SEQUENCE_NUMBER
  invalid_producer_epoch,  // INVALID_PRODUCER_EPOCH
};

struct SequenceVerdict {
  SequenceCheck check = SequenceCheck::accept;
  ProducerBatch original;  // with duplicate
};

// The last sequence number of a batch: sequences wrap from INT32_MAX to 0.
int32_t last_sequence(const protocol::BatchHeader& h);

class ProducerStateTable {
 public:
  static constexpr size_t kBatchesKept = 5;  // max.in.flight.requests.per.connection's limit

  // What to do with a batch that carries a producer id (h.producer_id >= 0).
  SequenceVerdict check(const protocol::BatchHeader& h) const;
  // Records a batch written from first_offset on, after check() accepted it or while replaying
  // the log (where nothing is checked: the log is the truth). Batches without a sequence
  // (control batches) change nothing.
  void record(const protocol::BatchHeader& h, int64_t first_offset, int64_t append_time_ms);

  const ProducerEntry* find(int64_t producer_id) const;
  size_t size() const { return producers_.size(); }
  const std::map<int64_t, ProducerEntry>& producers() const { return producers_; }

  // Forgets producers whose last batch was appended before now_ms - expiration_ms
  // (producer.id.expiration.ms). Returns how many. Kafka compares the batch's own timestamp,
  // which a client may set to anything; the append time cannot make a live producer expire.
  size_t expire(int64_t now_ms, int64_t expiration_ms);
  // Forgets producers whose last batch is below the log start offset (retention, DeleteRecords).
  void remove_below(int64_t log_start);
  void clear() { producers_.clear(); }

  // Snapshot contents: one checkpoint line per remembered batch,
  // "producer_id epoch first_seq last_seq first_offset last_offset append_time_ms", oldest batch
  // of each producer first.
  static constexpr size_t kSnapshotFields = 7;
  std::vector<std::vector<int64_t>> to_snapshot() const;
  // Replaces the state with a snapshot's; false (state cleared) if a line is out of range.
  bool from_snapshot(const std::vector<std::vector<int64_t>>& lines);

 private:
  std::map<int64_t, ProducerEntry> producers_;
};

}  // namespace sluice::storage

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
//  - a batch whose epoch and exact sequence range match one of the last five is a duplicate;
//  - a batch without a sequence (base_sequence -1, Kafka's NO_SEQUENCE) is one the broker wrote
//    itself (origin "coordinator": transactional offset commits): only its epoch is checked,
//    and it is not remembered for duplicate detection. Clients never get one this far: the
//    produce handler refuses negative sequences.
//
// Transactions (Kafka's ProducerStateManager ongoing transactions): a transactional batch opens
// the producer's transaction in this partition, if none is open, at its first offset; a COMMIT
// or ABORT marker closes it. A marker's epoch is checked as a batch's is, and a newer one becomes
// the producer's (how the coordinator fences a zombie). The oldest open transaction's first
// offset bounds the last stable offset.
//
// Invariant: open_txns_ holds exactly the current_txn_first_offset >= 0 of producers_.
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
  // The first offset of the producer's open transaction in this partition; -1 if none is open.
  int64_t current_txn_first_offset = -1;
  // When it last wrote here (a batch, with or without a sequence, or a marker): expiry counts
  // from it, so a producer known only by the epoch a marker gave it is not forgotten at once.
  int64_t last_write_ms = -1;
  int64_t last_append_ms() const { return last_write_ms; }
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
  // the log (where nothing is checked: the log is the truth). A transactional batch opens the
  // producer's transaction if none is open. Control batches change nothing here: markers go
  // through end_transaction().
  void record(const protocol::BatchHeader& h, int64_t first_offset, int64_t append_time_ms);

  // Whether a COMMIT/ABORT marker of (producer_id, epoch) may be written: accept, or
  // invalid_producer_epoch when the producer's epoch is newer (Kafka's appendEndTxnMarker).
  SequenceCheck check_marker(int64_t producer_id, int16_t epoch) const;
  // Applies a marker written at marker_offset: a newer epoch becomes the producer's (forgetting
  // its batches: the new epoch starts at sequence 0), and its open transaction closes. Returns
  // the closed transaction's first offset, or -1 if none was open.
  int64_t end_transaction(int64_t producer_id, int16_t epoch, int64_t marker_offset,
                          int64_t now_ms);
  // The first offset of the oldest open transaction, nullopt if none is open.
  std::optional<int64_t> first_unstable_offset() const;

  const ProducerEntry* find(int64_t producer_id) const;
  size_t size() const { return producers_.size(); }
  const std::map<int64_t, ProducerEntry>& producers() const { return producers_; }

  // Forgets producers whose last write was before now_ms - expiration_ms
  // (producer.id.expiration.ms). Returns how many. Kafka compares the batch's own timestamp,
  // which a client may set to anything; the append time cannot make a live producer expire.
  // A producer with an open transaction never expires (as in Kafka): its marker is still due.
  size_t expire(int64_t now_ms, int64_t expiration_ms);
  // Forgets producers whose last batch is below the log start offset (retention, DeleteRecords),
  // except those with an open transaction, which only its marker may close.
  void remove_below(int64_t log_start);
  void clear() {
    producers_.clear();
    open_txns_.clear();
  }

  // Snapshot contents: one checkpoint line per remembered batch,
  // "producer_id epoch first_seq last_seq first_offset last_offset append_time_ms
  // current_txn_first_offset", oldest batch of each producer first. A producer without
  // remembered batches (only NO_SEQUENCE batches or markers so far) gets one line with
  // first_seq = last_seq = first_offset = last_offset = -1, so that its epoch and open
  // transaction survive. The 8th field is new: a 7-field snapshot of the previous format does
  // not parse and is passed over for a replay of the log, which rebuilds the same state.
  static constexpr size_t kSnapshotFields = 8;
  std::vector<std::vector<int64_t>> to_snapshot() const;
  // Replaces the state with a snapshot's; false (state cleared) if a line is out of range.
  bool from_snapshot(const std::vector<std::vector<int64_t>>& lines);

 private:
  ProducerEntry& entry_for_epoch(int64_t producer_id, int16_t epoch);
  void open_txn(int64_t producer_id, ProducerEntry& e, int64_t first_offset);
  void close_txn(ProducerEntry& e);

  std::map<int64_t, ProducerEntry> producers_;
  std::map<int64_t, int64_t> open_txns_;  // first offset -> producer id, oldest first
};

}  // namespace sluice::storage

#pragma once
// Kafka's transaction coordinator on one node (transaction.version 1): transactional ids and
// their producer id and epoch (InitProducerId, which fences the previous incarnation), the
// partitions of the open transaction (AddPartitionsToTxn, AddOffsetsToTxn) and its end (EndTxn):
// PrepareCommit/PrepareAbort is written to __transaction_state, the client is answered, the
// markers go into every partition, and CompleteCommit/CompleteAbort is written. Every state
// change is durable before it takes effect, and load() replays the log at start, finishing what
// a crash interrupted. Open transactions that outlive their timeout are aborted, with an epoch
// bump that fences their producer.
//
// Runs on the control shard's event loop; not thread-safe.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "sluice/protocol/error_code.h"
#include "sluice/protocol/messages/forward.h"
#include "sluice/txn/transaction_ports.h"

namespace sluice::txn {

// Kafka's TransactionState, with its ids as stored in TransactionLogValue.transaction_status.
enum class TxnState : int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
  dead = 6,
  prepare_epoch_fence = 7,
};
const char* to_string(TxnState s);
// Kafka's TransactionState.validPreviousStates: every change of state is checked against it.
bool valid_transition(TxnState from, TxnState to);

struct TxnMetadata {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  // The epoch before the last bump: a retried InitProducerId (KIP-360) carries it.
  int16_t last_producer_epoch = -1;
  int32_t timeout_ms = 60000;
  TxnState state = TxnState::empty;
  std::set<TxnPartition> partitions;
  int64_t start_ms = -1;  // when the open transaction began (wall clock)
  int64_t last_update_ms = -1;
  // A state change or the markers of this id are being written: every other request for it
  // gets CONCURRENT_TRANSACTIONS, which clients retry.
  bool busy = false;
};

struct TxnConfig {
  int32_t max_timeout_ms = 900000;            // transaction.max.timeout.ms
  int32_t abort_check_interval_ms = 10000;    // ...abort.timed.out.transaction.cleanup.interval
  int64_t id_expiration_ms = 7LL * 86400000;  // transactional.id.expiration.ms
  int32_t marker_retry_ms = 500;              // after a marker or state write failed
};

class TransactionCoordinator {
 public:
  template <typename R>
  using Respond = std::function<void(R&&)>;
  using NextProducerId = std::function<std::optional<int64_t>()>;
  // The __consumer_offsets partition of a group (created if the topic is not there yet).
  using OffsetsPartition = std::function<std::optional<TxnPartition>(const std::string& group)>;
  using PartitionExists = std::function<bool(const TxnPartition&)>;
  using Clock = std::function<int64_t()>;  // wall-clock milliseconds

  TransactionCoordinator(asio::io_context& io, TxnStateLog& log, TxnPartitions& partitions,
                         NextProducerId next_producer_id, OffsetsPartition offsets_partition,
                         PartitionExists partition_exists, TxnConfig config, Clock clock);
  ~TransactionCoordinator();

  // Rebuilds every transactional id from __transaction_state, finishes the transactions that
  // were being committed or aborted, lets the open ones write again, and starts the timer.
  void load();
  void stop();

  // InitProducerId with a transactional id (the handler answers the others).
  void init_producer_id(const protocol::InitProducerIdRequest& req, int16_t version,
                        Respond<protocol::InitProducerIdResponse> respond);
  void add_partitions(const protocol::AddPartitionsToTxnRequest& req, int16_t version,
                      Respond<protocol::AddPartitionsToTxnResponse> respond);
  void add_offsets(const protocol::AddOffsetsToTxnRequest& req, int16_t version,
                   Respond<protocol::AddOffsetsToTxnResponse> respond);
  void end_txn(const protocol::EndTxnRequest& req, int16_t version,
               Respond<protocol::EndTxnResponse> respond);

  // Operators: abort an open transaction (as a timeout would, fencing its producer).
  protocol::ErrorCode abort(const std::string& transactional_id);

  const std::map<std::string, TxnMetadata>& transactions() const { return txns_; }
  const TxnMetadata* find(const std::string& transactional_id) const;
  // Kafka: abs(transactionalId.hashCode) % partitions of __transaction_state.
  int32_t partition_for(const std::string& transactional_id) const;

 private:
  using Done = std::function<void(protocol::ErrorCode)>;
  // Writes `next` as the id's new state; once durable it replaces the current one and done(none)
  // runs; on failure the state is unchanged and done gets the error. The id is busy meanwhile.
  void persist(TxnMetadata next, Done done);
  // Checks producer id and epoch of a request against the id's state.
  protocol::ErrorCode check_producer(const TxnMetadata* md, int64_t producer_id, int16_t epoch,
                                     int16_t version, int16_t fenced_from) const;
  // Adds partitions to the open transaction (starting one if none is open), then lets the
  // producer write to them.
  void add(TxnMetadata& md, std::vector<TxnPartition> added, Done done);
  // From Ongoing: writes Prepare*, calls prepared (with the error, if it could not be written),
  // then the markers, then Complete*. With fence the epoch is bumped first (a timeout, a new
  // incarnation). stalled is passed on to complete.
  void end(TxnMetadata& md, bool commit, bool fence, Done prepared, Done completed,
           Done stalled = {});
  // From Prepare*: markers, then Complete*, retrying on failure until both are written;
  // completed runs then. stalled(none) runs at the first failure: the decision is durable, and
  // whoever waits for the answer need not wait for the retries.
  void complete(const std::string& transactional_id, Done completed, Done stalled = {});
  void bump_and_answer(TxnMetadata& md, int32_t timeout_ms,
                       Respond<protocol::InitProducerIdResponse> respond);
  void tick();
  void arm_tick();

  asio::io_context& io_;
  TxnStateLog& log_;
  TxnPartitions& partitions_;
  NextProducerId next_producer_id_;
  OffsetsPartition offsets_partition_;
  PartitionExists partition_exists_;
  TxnConfig config_;
  Clock clock_;
  std::map<std::string, TxnMetadata> txns_;
  asio::steady_timer tick_timer_;
  // One per id whose markers or completed state failed to be written, until they are.
  std::map<std::string, std::unique_ptr<asio::steady_timer>> retry_timers_;
  bool stopped_ = false;
};

}  // namespace sluice::txn

#include "sluice/txn/transaction_coordinator.h"

#include <spdlog/spdlog.h>

#include <cassert>
#include <limits>
#include <memory>

#include "sluice/protocol/batch_builder.h"
#include "sluice/protocol/messages/add_offsets_to_txn.h"
#include "sluice/protocol/messages/add_partitions_to_txn.h"
#include "sluice/protocol/messages/end_txn.h"
#include "sluice/protocol/messages/init_producer_id.h"
#include "sluice/protocol/record_iterator.h"
#include "transaction_records.h"

namespace sluice::txn {

using protocol::ErrorCode;
using protocol::to_wire;

const char* to_string(TxnState s) {
  switch (s) {
    case TxnState::empty:
      return "Empty";
    case TxnState::ongoing:
      return "Ongoing";
    case TxnState::prepare_commit:
      return "PrepareCommit";
    case TxnState::prepare_abort:
      return "PrepareAbort";
    case TxnState::complete_commit:
      return "CompleteCommit";
    case TxnState::complete_abort:
      return "CompleteAbort";
    case TxnState::dead:
      return "Dead";
    case TxnState::prepare_epoch_fence:
      return "PrepareEpochFence";
  }
  return "Unknown";
}

bool valid_transition(TxnState from, TxnState to) {
  using S = TxnState;
  switch (to) {
    case S::empty:
      return from == S::empty || from == S::complete_commit || from == S::complete_abort;
    case S::ongoing:
      return from == S::ongoing || from == S::empty || from == S::complete_commit ||
             from == S::complete_abort;
    case S::prepare_commit:
      return from == S::ongoing;
    case S::prepare_abort:
      return from == S::ongoing || from == S::prepare_epoch_fence;
    case S::complete_commit:
      return from == S::prepare_commit;
    case S::complete_abort:
      return from == S::prepare_abort;
    case S::dead:
      return from == S::empty || from == S::complete_commit || from == S::complete_abort;
    case S::prepare_epoch_fence:
      return from == S::ongoing;
  }
  return false;
}

namespace {

bool is_complete(TxnState s) {
  return s == TxnState::complete_commit || s == TxnState::complete_abort;
}
bool is_prepare(TxnState s) {
  return s == TxnState::prepare_commit || s == TxnState::prepare_abort;
}

// Kafka 2.7 (KIP-588) replaced INVALID_PRODUCER_EPOCH by PRODUCER_FENCED from these versions on;
// older clients know only the former.
ErrorCode fenced(int16_t version, int16_t fenced_from) {
  return version >= fenced_from ? ErrorCode::producer_fenced : ErrorCode::invalid_producer_epoch;
}

TransactionLogValue to_value(const TxnMetadata& md) {
  TransactionLogValue v;
  v.producer_id = md.producer_id;
  v.producer_epoch = md.producer_epoch;
  v.transaction_timeout_ms = md.timeout_ms;
  v.transaction_status = static_cast<int8_t>(md.state);
  std::vector<TransactionLogPartitions> parts;
  for (const auto& tp : md.partitions) {
    if (parts.empty() || parts.back().topic != tp.topic) parts.push_back({tp.topic, {}});
    parts.back().partition_ids.push_back(tp.partition);
  }
  v.transaction_partitions = std::move(parts);
  v.transaction_last_update_timestamp_ms = md.last_update_ms;
  v.transaction_start_timestamp_ms = md.start_ms;
  return v;
}

void apply_value(TxnMetadata& md, const TransactionLogValue& v) {
  md.producer_id = v.producer_id;
  md.producer_epoch = v.producer_epoch;
  md.timeout_ms = v.transaction_timeout_ms;
  md.state = static_cast<TxnState>(v.transaction_status);
  md.partitions.clear();
  if (v.transaction_partitions)
    for (const auto& t : *v.transaction_partitions)
      for (int32_t p : t.partition_ids) md.partitions.insert({t.topic, p});
  md.last_update_ms = v.transaction_last_update_timestamp_ms;
  md.start_ms = v.transaction_start_timestamp_ms;
}

}  // namespace

TransactionCoordinator::TransactionCoordinator(asio::io_context& io, TxnStateLog& log,
                                               TxnPartitions& partitions,
                                               NextProducerId next_producer_id,
                                               OffsetsPartition offsets_partition,
                                               PartitionExists partition_exists, TxnConfig config,
                                               Clock clock)
    : io_(io),
      log_(log),
      partitions_(partitions),
      next_producer_id_(std::move(next_producer_id)),
      offsets_partition_(std::move(offsets_partition)),
      partition_exists_(std::move(partition_exists)),
      config_(config),
      clock_(std::move(clock)),
      tick_timer_(io) {}

TransactionCoordinator::~TransactionCoordinator() { stop(); }

void TransactionCoordinator::stop() {
  stopped_ = true;
  tick_timer_.cancel();
  for (auto& [id, timer] : retry_timers_) timer->cancel();
}

int32_t TransactionCoordinator::partition_for(const std::string& transactional_id) const {
  // Java's String.hashCode (equal for ASCII), as Kafka places the id.
  int32_t h = 0;
  for (unsigned char c : transactional_id)
    h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + c);
  int32_t abs = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return abs % log_.partitions();
}

const TxnMetadata* TransactionCoordinator::find(const std::string& transactional_id) const {
  auto it = txns_.find(transactional_id);
  return it == txns_.end() ? nullptr : &it->second;
}

void TransactionCoordinator::load() {
  size_t records = 0;
  for (int32_t p = 0; p < log_.partitions(); ++p) {
    log_.scan(p, [&](std::span<const uint8_t> batch) {
      protocol::for_each_record(batch, protocol::kDefaultMaxDecompressed,
                                [&](const protocol::Record& r) {
                                  ++records;
                                  std::optional<std::span<const uint8_t>> value;
                                  if (!r.value_null) value = r.value;
                                  auto rec = decode_record(r.key, value);
                                  if (!rec) return true;  // a layout we do not know: skipped
                                  const std::string& id = rec->key.transactional_id;
                                  if (!rec->value) {
                                    txns_.erase(id);
                                    return true;
                                  }
                                  TxnMetadata& md = txns_[id];
                                  md.transactional_id = id;
                                  apply_value(md, *rec->value);
                                  return true;
                                });
    });
  }
  size_t finishing = 0, open = 0;
  for (auto& [id, md] : txns_) {
    if (is_prepare(md.state)) {
      // Decided before the crash, markers maybe not all written: write them (again) now.
      ++finishing;
      md.busy = true;
      complete(id, [](ErrorCode) {});
    } else if (md.state == TxnState::ongoing) {
      ++open;
      partitions_.admit(md.producer_id, md.producer_epoch,
                        {md.partitions.begin(), md.partitions.end()},
                        [](std::vector<ErrorCode>) {});
    }
  }
  if (records > 0)
    spdlog::info(
        "transaction coordinator: {} transactional ids loaded ({} records), {} open, {} "
        "being completed",
        txns_.size(), records, open, finishing);
  arm_tick();
}

void TransactionCoordinator::persist(TxnMetadata next, Done done) {
  auto it = txns_.find(next.transactional_id);
  if (it != txns_.end()) {
    assert(it->second.state == next.state || valid_transition(it->second.state, next.state));
    it->second.busy = true;
  }
  next.last_update_ms = clock_();
  TransactionLogKey key{next.transactional_id};
  const std::string k = encode_record(key);
  const std::string v = encode_record(to_value(next));
  protocol::RecordData rec{k, v};
  protocol::BatchOptions opts;
  opts.timestamp = next.last_update_ms;
  const int32_t partition = partition_for(next.transactional_id);
  log_.append(partition, protocol::build_batch({&rec, 1}, opts),
              [this, next = std::move(next), done = std::move(done)](ErrorCode e) mutable {
                const std::string id = next.transactional_id;
                if (e != ErrorCode::none) {
                  spdlog::warn("transaction coordinator: cannot write the state of '{}': error {}",
                               id, to_wire(e));
                  if (auto it = txns_.find(id); it != txns_.end()) it->second.busy = false;
                  return done(ErrorCode::coordinator_not_available);
                }
                next.busy = false;
                txns_[id] = std::move(next);
                done(ErrorCode::none);
              });
}

ErrorCode TransactionCoordinator::check_producer(const TxnMetadata* md, int64_t producer_id,
                                                 int16_t epoch, int16_t version,
                                                 int16_t fenced_from) const {
  if (!md || md->producer_id != producer_id) return ErrorCode::invalid_producer_id_mapping;
  if (md->producer_epoch != epoch) return fenced(version, fenced_from);
  if (md->busy || is_prepare(md->state)) return ErrorCode::concurrent_transactions;
  return ErrorCode::none;
}

void TransactionCoordinator::init_producer_id(const protocol::InitProducerIdRequest& req,
                                              int16_t version,
                                              Respond<protocol::InitProducerIdResponse> respond) {
  auto fail = [&](ErrorCode e) {
    protocol::InitProducerIdResponse resp;
    resp.error_code = to_wire(e);
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    respond(std::move(resp));
  };
  const std::string& id = *req.transactional_id;
  if (req.transaction_timeout_ms <= 0 || req.transaction_timeout_ms > config_.max_timeout_ms)
    return fail(ErrorCode::invalid_transaction_timeout);
  auto it = txns_.find(id);
  if (it == txns_.end()) {
    auto pid = next_producer_id_();
    if (!pid) return fail(ErrorCode::coordinator_not_available);
    TxnMetadata md;
    md.transactional_id = id;
    md.producer_id = *pid;
    md.producer_epoch = 0;
    md.timeout_ms = req.transaction_timeout_ms;
    // In the map (busy) while it is written, so a second request for the id waits for it.
    txns_[id] = md;
    return persist(md, [this, md, respond = std::move(respond)](ErrorCode e) {
      if (e != ErrorCode::none) txns_.erase(md.transactional_id);
      protocol::InitProducerIdResponse resp;
      resp.error_code = to_wire(e);
      resp.producer_id = e == ErrorCode::none ? md.producer_id : -1;
      resp.producer_epoch = e == ErrorCode::none ? md.producer_epoch : -1;
      respond(std::move(resp));
    });
  }
  TxnMetadata& md = it->second;
  if (md.busy || is_prepare(md.state)) return fail(ErrorCode::concurrent_transactions);
  if (req.producer_id >= 0) {
    // KIP-360: the client names the id and epoch it has. Anything but the current ones (or,
    // for a retry of a bump already done, the ones before it) is an older incarnation.
    if (req.producer_id != md.producer_id) return fail(fenced(version, 4));
    if (req.producer_epoch == md.last_producer_epoch && md.state != TxnState::ongoing) {
      protocol::InitProducerIdResponse resp;
      resp.producer_id = md.producer_id;
      resp.producer_epoch = md.producer_epoch;
      return respond(std::move(resp));
    }
    if (req.producer_epoch != md.producer_epoch) return fail(fenced(version, 4));
  }
  if (md.state == TxnState::ongoing) {
    // A new incarnation: the old one's transaction is aborted under a bumped epoch (which
    // fences it in every partition), then the epoch is bumped once more for the new one.
    const int32_t timeout = req.transaction_timeout_ms;
    return end(
        md, false, true, [](ErrorCode) {},
        [this, id, timeout, respond = std::move(respond)](ErrorCode e) mutable {
          auto it = txns_.find(id);
          if (e != ErrorCode::none || it == txns_.end()) {
            // The abort is retried in the background; so is the client's InitProducerId.
            protocol::InitProducerIdResponse resp;
            resp.error_code = to_wire(ErrorCode::concurrent_transactions);
            resp.producer_id = -1;
            resp.producer_epoch = -1;
            return respond(std::move(resp));
          }
          bump_and_answer(it->second, timeout, std::move(respond));
        });
  }
  bump_and_answer(md, req.transaction_timeout_ms, std::move(respond));
}

void TransactionCoordinator::bump_and_answer(TxnMetadata& md, int32_t timeout_ms,
                                             Respond<protocol::InitProducerIdResponse> respond) {
  TxnMetadata next = md;
  next.busy = false;
  next.last_producer_epoch = md.producer_epoch;
  if (md.producer_epoch >= std::numeric_limits<int16_t>::max() - 1) {
    // Epochs exhausted: a new producer id starts again at 0 (Kafka does the same).
    auto pid = next_producer_id_();
    if (!pid) {
      protocol::InitProducerIdResponse resp;
      resp.error_code = to_wire(ErrorCode::coordinator_not_available);
      resp.producer_id = -1;
      resp.producer_epoch = -1;
      return respond(std::move(resp));
    }
    next.producer_id = *pid;
    next.producer_epoch = 0;
    next.last_producer_epoch = -1;
  } else {
    next.producer_epoch = static_cast<int16_t>(md.producer_epoch + 1);
  }
  next.state = TxnState::empty;
  next.partitions.clear();
  next.start_ms = -1;
  next.timeout_ms = timeout_ms;
  const int64_t pid = next.producer_id;
  const int16_t epoch = next.producer_epoch;
  persist(std::move(next), [pid, epoch, respond = std::move(respond)](ErrorCode e) {
    protocol::InitProducerIdResponse resp;
    resp.error_code = to_wire(e);
    resp.producer_id = e == ErrorCode::none ? pid : -1;
    resp.producer_epoch = e == ErrorCode::none ? epoch : -1;
    respond(std::move(resp));
  });
}

void TransactionCoordinator::add(TxnMetadata& md, std::vector<TxnPartition> added, Done done) {
  TxnMetadata next = md;
  next.busy = false;
  if (next.state != TxnState::ongoing) {
    next.state = TxnState::ongoing;
    next.start_ms = clock_();
    next.partitions.clear();
  }
  bool changed = next.state != md.state;
  for (const auto& tp : added) changed |= next.partitions.insert(tp).second;
  const int64_t pid = md.producer_id;
  const int16_t epoch = md.producer_epoch;
  auto admit = [this, pid, epoch, added, done = std::move(done)](ErrorCode e) {
    if (e != ErrorCode::none) return done(e);
    // Durable first, then admitted: a partition that takes transactional batches is always
    // one the abort or commit will write a marker to.
    partitions_.admit(pid, epoch, added, [done](std::vector<ErrorCode>) { done(ErrorCode::none); });
  };
  if (!changed) return admit(ErrorCode::none);
  persist(std::move(next), std::move(admit));
}

void TransactionCoordinator::add_partitions(const protocol::AddPartitionsToTxnRequest& req,
                                            int16_t version,
                                            Respond<protocol::AddPartitionsToTxnResponse> respond) {
  // Every partition gets the same answer unless some are unknown: then those get
  // UNKNOWN_TOPIC_OR_PARTITION, the rest OPERATION_NOT_ATTEMPTED and nothing is added.
  auto answer = [req_topics = req.v3_and_below_topics](
                    const std::function<ErrorCode(const TxnPartition&)>& error_of) {
    protocol::AddPartitionsToTxnResponse resp;
    for (const auto& t : req_topics) {
      auto& tr = resp.results_by_topic_v3_and_below.emplace_back();
      tr.name = t.name;
      for (int32_t p : t.partitions)
        tr.results_by_partition.push_back({p, to_wire(error_of({t.name, p}))});
    }
    return resp;
  };
  auto all = [&](ErrorCode e) { respond(answer([e](const TxnPartition&) { return e; })); };
  auto it = txns_.find(req.v3_and_below_transactional_id);
  TxnMetadata* md = it == txns_.end() ? nullptr : &it->second;
  if (auto e = check_producer(md, req.v3_and_below_producer_id, req.v3_and_below_producer_epoch,
                              version, 2);
      e != ErrorCode::none)
    return all(e);
  std::vector<TxnPartition> added;
  std::set<TxnPartition> unknown;
  for (const auto& t : req.v3_and_below_topics)
    for (int32_t p : t.partitions) {
      TxnPartition tp{t.name, p};
      if (!partition_exists_(tp)) unknown.insert(tp);
      added.push_back(std::move(tp));
    }
  if (!unknown.empty()) {
    return respond(answer([&unknown](const TxnPartition& tp) {
      return unknown.contains(tp) ? ErrorCode::unknown_topic_or_partition
                                  : ErrorCode::operation_not_attempted;
    }));
  }
  add(*md, std::move(added), [answer, respond = std::move(respond)](ErrorCode e) {
    respond(answer([e](const TxnPartition&) { return e; }));
  });
}

void TransactionCoordinator::add_offsets(const protocol::AddOffsetsToTxnRequest& req,
                                         int16_t version,
                                         Respond<protocol::AddOffsetsToTxnResponse> respond) {
  auto answer = [&respond](ErrorCode e) {
    protocol::AddOffsetsToTxnResponse resp;
    resp.error_code = to_wire(e);
    respond(std::move(resp));
  };
  auto it = txns_.find(req.transactional_id);
  TxnMetadata* md = it == txns_.end() ? nullptr : &it->second;
  if (auto e = check_producer(md, req.producer_id, req.producer_epoch, version, 2);
      e != ErrorCode::none)
    return answer(e);
  if (req.group_id.empty()) return answer(ErrorCode::invalid_group_id);
  auto tp = offsets_partition_(req.group_id);
  if (!tp) return answer(ErrorCode::coordinator_not_available);
  add(*md, {*tp}, [respond = std::move(respond)](ErrorCode e) {
    protocol::AddOffsetsToTxnResponse resp;
    resp.error_code = to_wire(e);
    respond(std::move(resp));
  });
}

void TransactionCoordinator::end_txn(const protocol::EndTxnRequest& req, int16_t version,
                                     Respond<protocol::EndTxnResponse> respond) {
  auto answer = [&respond](ErrorCode e) {
    protocol::EndTxnResponse resp;
    resp.error_code = to_wire(e);
    respond(std::move(resp));
  };
  auto it = txns_.find(req.transactional_id);
  TxnMetadata* md = it == txns_.end() ? nullptr : &it->second;
  if (!md || md->producer_id != req.producer_id)
    return answer(ErrorCode::invalid_producer_id_mapping);
  if (md->producer_epoch != req.producer_epoch) return answer(fenced(version, 2));
  if (md->busy || is_prepare(md->state)) return answer(ErrorCode::concurrent_transactions);
  const bool commit = req.committed;
  switch (md->state) {
    case TxnState::ongoing: {
      // Answered once the transaction is complete (markers written, Complete* durable), so
      // that the producer's next transaction is not refused with CONCURRENT_TRANSACTIONS and
      // backed off; answered at once if Prepare* cannot be written, or without waiting for the
      // retries if the markers fail (the decision is durable then, as Kafka answers).
      auto pending = std::make_shared<Respond<protocol::EndTxnResponse>>(std::move(respond));
      auto reply = [pending](ErrorCode e) {
        if (!*pending) return;
        auto respond_once = std::move(*pending);
        *pending = nullptr;
        protocol::EndTxnResponse resp;
        resp.error_code = to_wire(e);
        respond_once(std::move(resp));
      };
      return end(
          *md, commit, false,
          [reply](ErrorCode e) {
            if (e != ErrorCode::none) reply(e);
          },
          reply, [reply](ErrorCode) { reply(ErrorCode::none); });
    }
    case TxnState::complete_commit:
      // A retry of the EndTxn that completed this transaction: same answer. With
      // transaction.version 1 the epoch cannot tell this transaction from a later one, so a
      // retry that arrives after the producer began its next transaction (Ongoing) ends that
      // one instead. Kafka's TV1 has the same hole; KIP-890's epoch bump per transaction
      // (transaction.version 2, not served yet) closes it.
      return answer(commit ? ErrorCode::none : ErrorCode::invalid_txn_state);
    case TxnState::complete_abort:
      return answer(commit ? ErrorCode::invalid_txn_state : ErrorCode::none);
    default:
      return answer(ErrorCode::invalid_txn_state);
  }
}

void TransactionCoordinator::end(TxnMetadata& md, bool commit, bool fence, Done prepared,
                                 Done completed, Done stalled) {
  TxnMetadata next = md;
  next.busy = false;
  if (fence) {
    // The producer's later requests (old epoch) are refused, and the markers carry the new
    // epoch into every partition, where its batches are refused too.
    next.last_producer_epoch = md.producer_epoch;
    if (md.producer_epoch < std::numeric_limits<int16_t>::max() - 1)
      next.producer_epoch = static_cast<int16_t>(md.producer_epoch + 1);
  }
  next.state = commit ? TxnState::prepare_commit : TxnState::prepare_abort;
  const std::string id = md.transactional_id;
  persist(std::move(next),
          [this, id, prepared = std::move(prepared), completed = std::move(completed),
           stalled = std::move(stalled)](ErrorCode e) mutable {
            prepared(e);
            if (e != ErrorCode::none) return completed(e);
            txns_[id].busy = true;
            complete(id, std::move(completed), std::move(stalled));
          });
}

void TransactionCoordinator::complete(const std::string& id, Done completed, Done stalled) {
  if (stopped_) return;
  auto it = txns_.find(id);
  if (it == txns_.end()) return completed(ErrorCode::invalid_producer_id_mapping);
  const TxnMetadata& md = it->second;
  const bool commit = md.state == TxnState::prepare_commit;
  auto retry = [this, id, completed, stalled](const char* what, ErrorCode e) {
    spdlog::warn("transaction coordinator: {} for '{}' failed (error {}); retrying", what, id,
                 to_wire(e));
    if (stalled) stalled(ErrorCode::none);
    auto& timer = retry_timers_[id];
    timer = std::make_unique<asio::steady_timer>(
        io_, std::chrono::milliseconds(config_.marker_retry_ms));
    timer->async_wait([this, id, completed](const std::error_code& ec) {
      if (!ec) complete(id, completed);
    });
  };
  partitions_.write_markers(
      md.producer_id, md.producer_epoch, commit, {md.partitions.begin(), md.partitions.end()},
      [this, id, commit, completed, retry](ErrorCode e) {
        if (e != ErrorCode::none) return retry("writing the markers", e);
        auto it = txns_.find(id);
        if (it == txns_.end()) return completed(ErrorCode::invalid_producer_id_mapping);
        TxnMetadata next = it->second;
        next.state = commit ? TxnState::complete_commit : TxnState::complete_abort;
        next.partitions.clear();
        persist(std::move(next), [this, id, completed, retry](ErrorCode e) {
          if (e != ErrorCode::none) {
            txns_[id].busy = true;
            return retry("writing the completed state", e);
          }
          retry_timers_.erase(id);
          completed(ErrorCode::none);
        });
      });
}

ErrorCode TransactionCoordinator::abort(const std::string& transactional_id) {
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) return ErrorCode::invalid_producer_id_mapping;
  TxnMetadata& md = it->second;
  if (md.busy || is_prepare(md.state)) return ErrorCode::concurrent_transactions;
  if (md.state != TxnState::ongoing) return ErrorCode::invalid_txn_state;
  end(
      md, false, true, [](ErrorCode) {}, [](ErrorCode) {});
  return ErrorCode::none;
}

void TransactionCoordinator::tick() {
  if (stopped_) return;
  const int64_t now = clock_();
  std::vector<std::string> timed_out, expired;
  for (const auto& [id, md] : txns_) {
    if (md.busy) continue;
    if (md.state == TxnState::ongoing && md.start_ms >= 0 && now > md.start_ms + md.timeout_ms)
      timed_out.push_back(id);
    else if ((md.state == TxnState::empty || is_complete(md.state)) &&
             now > md.last_update_ms + config_.id_expiration_ms)
      expired.push_back(id);
  }
  for (const auto& id : timed_out) {
    spdlog::info(
        "transaction coordinator: aborting the transaction of '{}': open longer than "
        "its timeout of {} ms",
        id, txns_[id].timeout_ms);
    (void)abort(id);
  }
  for (const auto& id : expired) {
    // A tombstone: the id is forgotten, and its next InitProducerId gets a new producer id.
    txns_[id].busy = true;
    TransactionLogKey key{id};
    const std::string k = encode_record(key);
    protocol::RecordData rec{k, std::nullopt};
    protocol::BatchOptions opts;
    opts.timestamp = now;
    log_.append(partition_for(id), protocol::build_batch({&rec, 1}, opts), [this, id](ErrorCode e) {
      if (e == ErrorCode::none) {
        txns_.erase(id);
      } else if (auto it = txns_.find(id); it != txns_.end()) {
        it->second.busy = false;
      }
    });
  }
  arm_tick();
}

void TransactionCoordinator::arm_tick() {
  if (stopped_) return;
  tick_timer_.expires_after(std::chrono::milliseconds(config_.abort_check_interval_ms));
  tick_timer_.async_wait([this](const std::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace sluice::txn

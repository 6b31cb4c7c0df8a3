// Transactional offset commits (KIP-98, KIP-447): TxnOffsetCommit writes offsets that stay
// pending for their producer until the transaction coordinator ends the transaction, following
// Kafka's OffsetMetadataManager (commitTransactionalOffset, replayEndTransactionMarker).
#include "group.h"
#include "offset_commit_checks.h"
#include "offsets_batch.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/messages/txn_offset_commit.h"

namespace sluice::group {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

// Kafka's classic-group checks for a transactional commit (ClassicGroup.validateOffsetCommit
// with isTransactional): unlike a plain commit, a request without member id and generation is
// accepted whatever the group's state, since TxnOffsetCommit before v3 carries neither, and a
// rebalance in progress does not refuse it.
ErrorCode validate_member(const Group& g, const std::string& member_id,
                          const std::optional<std::string>& instance_id, int32_t generation_id) {
  if (g.state == GroupState::dead) return ErrorCode::coordinator_not_available;
  if (generation_id < 0 && g.state == GroupState::empty) return ErrorCode::none;
  if (generation_id < 0 && member_id.empty() && !instance_id) return ErrorCode::none;
  if (auto e = g.validate_member(member_id, instance_id); e != ErrorCode::none) return e;
  if (generation_id != g.generation) return ErrorCode::illegal_generation;
  return ErrorCode::none;
}

// What the client gets when the batch could not be written: the transaction errors the
// partition reports (producer not added to the transaction, fenced epoch) tell the producer
// what to do and pass through; anything else is the plain commit's retriable answer.
ErrorCode txn_write_error(ErrorCode e) {
  switch (e) {
    case ErrorCode::invalid_txn_state:
    case ErrorCode::invalid_producer_epoch:
    case ErrorCode::producer_fenced:
    case ErrorCode::invalid_producer_id_mapping:
      return e;
    default:
      return ErrorCode::coordinator_not_available;
  }
}

}  // namespace

void GroupCoordinator::txn_commit(const protocol::TxnOffsetCommitRequest& req, int16_t version,
                                  Respond<protocol::TxnOffsetCommitResponse> respond) {
  protocol::TxnOffsetCommitResponse resp;
  auto answer_all = [&](ErrorCode e) {
    answer_all_partitions(req.topics, resp.topics, e);
    respond(std::move(resp));
  };
  if (req.group_id.empty()) return answer_all(ErrorCode::invalid_group_id);
  // Membership fields exist from v3 on (KIP-447); older requests carry their defaults.
  const int32_t generation_id = version >= 3 ? req.generation_id : -1;
  const std::string no_member;
  const std::string& member_id = version >= 3 ? req.member_id : no_member;
  const std::optional<std::string> instance_id =
      version >= 3 ? req.group_instance_id : std::nullopt;
  if (Group* g = find(req.group_id)) {
    if (auto e = validate_member(*g, member_id, instance_id, generation_id); e != ErrorCode::none)
      return answer_all(e);
  } else if (generation_id >= 0) {
    // A generation names a group; without one this is a simple group, created on success.
    return answer_all(ErrorCode::illegal_generation);
  }

  OffsetItems accepted = accept_offsets(req.topics, resp.topics, partition_exists_,
                                        config_.offset_metadata_max_bytes, wall_clock_ms());
  if (accepted.empty()) return respond(std::move(resp));

  protocol::BatchOptions opts;
  opts.producer_id = req.producer_id;
  opts.producer_epoch = req.producer_epoch;
  opts.base_sequence = -1;  // Kafka's coordinators write their transactional records unsequenced
  opts.transactional = true;
  std::string group_id = req.group_id;
  const int64_t producer_id = req.producer_id;
  // Built before the callback takes `accepted`: argument evaluation order is unspecified.
  std::string batch = offsets_batch(group_id, accepted, opts);
  log_.append(partition_for(group_id), std::move(batch),
              [this, group_id, producer_id, accepted = std::move(accepted), resp = std::move(resp),
               respond = std::move(respond)](ErrorCode e, int64_t base_offset) mutable {
                if (e == ErrorCode::none) {
                  Group& g = get_or_create(group_id);
                  for (size_t i = 0; i < accepted.size(); ++i) {
                    accepted[i].second->record_offset = base_offset + static_cast<int64_t>(i);
                    hold_pending_txn_offset(g, producer_id, accepted[i].first, *accepted[i].second);
                  }
                } else {
                  const int16_t wire = to_wire(txn_write_error(e));
                  for (auto& t : resp.topics)
                    for (auto& p : t.partitions)
                      if (p.error_code == 0) p.error_code = wire;
                }
                respond(std::move(resp));
              });
}

void GroupCoordinator::hold_pending_txn_offset(Group& g, int64_t producer_id,
                                               const TopicPartitionKey& tp,
                                               const CommittedOffset& offset) {
  g.pending_txn_offsets[producer_id][tp] = offset;
  txn_groups_[producer_id].insert(g.id());
}

void GroupCoordinator::complete_transaction(int32_t offsets_partition, int64_t producer_id,
                                            bool commit) {
  auto it = txn_groups_.find(producer_id);
  if (it == txn_groups_.end()) return;
  std::set<std::string>& ids = it->second;
  for (auto id = ids.begin(); id != ids.end();) {
    // The marker ends the transaction only in the partition it was written to.
    if (partition_for(*id) != offsets_partition) {
      ++id;
      continue;
    }
    if (Group* g = find(*id)) {
      auto pending = g->pending_txn_offsets.find(producer_id);
      if (pending != g->pending_txn_offsets.end()) {
        if (commit) {
          for (const auto& [tp, offset] : pending->second) {
            // Kafka keeps whichever commit is later in the log: a plain commit written after the
            // transactional one stays, also after compaction and reload.
            auto current = g->offsets.find(tp);
            if (current == g->offsets.end() || offset.record_offset > current->second.record_offset)
              g->offsets[tp] = offset;
          }
        }
        g->pending_txn_offsets.erase(pending);
      }
    }
    id = ids.erase(id);
  }
  if (ids.empty()) txn_groups_.erase(it);
}

}  // namespace sluice::group

// Committed offsets and the admin side of groups: OffsetCommit, OffsetFetch, OffsetDelete,
// DescribeGroups, ListGroups, DeleteGroups, loading from __consumer_offsets and retention.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "group.h"
#include "group_records.h"
#include "offset_commit_checks.h"
#include "offsets_batch.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/batch_builder.h"
#include "sluice/protocol/record_iterator.h"

namespace sluice::group {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

// Kafka's Group.GroupType name of the classic protocol's groups (ListGroups v5).
constexpr const char* kClassicGroupType = "classic";

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

using FetchTopics =
    std::optional<std::vector<protocol::OffsetFetchRequest::OffsetFetchRequestTopic>>;
using FetchedTopics = std::vector<protocol::OffsetFetchResponse::OffsetFetchResponseTopic>;

// One group's part of OffsetFetch (all of it before v8); g is null for an unknown group, whose
// partitions all read -1.
void fetch_group(const Group* g, const FetchTopics& topics, bool require_stable,
                 FetchedTopics& out) {
  auto fill = [&](protocol::OffsetFetchResponse::OffsetFetchResponsePartition& p,
                  const std::string& topic) {
    p.committed_offset = -1;
    p.metadata = "";
    if (!g) return;
    if (require_stable && g->has_pending_txn_offset({topic, p.partition_index})) {
      p.error_code = to_wire(ErrorCode::unstable_offset_commit);
      return;
    }
    auto it = g->offsets.find({topic, p.partition_index});
    if (it == g->offsets.end()) return;
    p.committed_offset = it->second.offset;
    p.committed_leader_epoch = it->second.leader_epoch;
    p.metadata = it->second.metadata;
  };
  if (!topics) {
    if (!g) return;
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& [tp, _] : g->offsets) by_topic[tp.first].push_back(tp.second);
    for (const auto& [topic, parts] : by_topic) {
      auto& tr = out.emplace_back();
      tr.name = topic;
      for (int32_t p : parts) {
        auto& pr = tr.partitions.emplace_back();
        pr.partition_index = p;
        fill(pr, topic);
      }
    }
    return;
  }
  for (const auto& t : *topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    for (int32_t p : t.partition_indexes) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p;
      fill(pr, t.name);
    }
  }
}

}  // namespace

void GroupCoordinator::commit(const protocol::OffsetCommitRequest& req,
                              Respond<protocol::OffsetCommitResponse> respond) {
  protocol::OffsetCommitResponse resp;
  auto answer_all = [&](ErrorCode e) {
    answer_all_partitions(req.topics, resp.topics, e);
    respond(std::move(resp));
  };
  if (req.group_id.empty()) return answer_all(ErrorCode::invalid_group_id);
  Group* g = find(req.group_id);
  bool standalone = req.generation_id_or_member_epoch < 0 && req.member_id.empty();
  if (!g) {
    if (!standalone) return answer_all(ErrorCode::illegal_generation);
  } else if (standalone && g->members.empty()) {
    // Offsets of consumers that assign partitions themselves (no membership).
  } else if (g->state == GroupState::completing_rebalance) {
    return answer_all(ErrorCode::rebalance_in_progress);
  } else if (auto e = g->validate_member(req.member_id, req.group_instance_id);
             e != ErrorCode::none) {
    return answer_all(e);
  } else if (req.generation_id_or_member_epoch != g->generation) {
    return answer_all(ErrorCode::illegal_generation);
  } else {
    Member& m = g->members.at(req.member_id);
    m.deadline_ms = steady_ms() + m.session_timeout_ms;  // a commit counts as a heartbeat
  }

  OffsetItems accepted = accept_offsets(req.topics, resp.topics, partition_exists_,
                                        config_.offset_metadata_max_bytes, wall_clock_ms());
  if (accepted.empty()) return respond(std::move(resp));
  std::string group_id = req.group_id;
  auto batch = offsets_batch(group_id, accepted);
  log_.append(partition_for(group_id), std::move(batch),
              [this, group_id, accepted = std::move(accepted), resp = std::move(resp),
               respond = std::move(respond)](ErrorCode e, int64_t base_offset) mutable {
                if (e == ErrorCode::none) {
                  // Applied only once durable: a fetch never sees an offset a crash could lose.
                  Group& g = get_or_create(group_id);
                  for (size_t i = 0; i < accepted.size(); ++i) {
                    accepted[i].second->record_offset = base_offset + static_cast<int64_t>(i);
                    g.offsets[accepted[i].first] = *accepted[i].second;
                  }
                } else {
                  for (auto& t : resp.topics)
                    for (auto& p : t.partitions)
                      if (p.error_code == 0)
                        p.error_code = to_wire(ErrorCode::coordinator_not_available);
                }
                respond(std::move(resp));
              });
}

void GroupCoordinator::fetch(const protocol::OffsetFetchRequest& req, int16_t version,
                             Respond<protocol::OffsetFetchResponse> respond) {
  protocol::OffsetFetchResponse resp;
  // KIP-447: a consumer asking for stable offsets waits out partitions whose offsets an open
  // transaction may still change.
  const bool require_stable = version >= 7 && req.require_stable;
  if (version < 8) {
    if (req.group_id.empty())
      resp.error_code = to_wire(ErrorCode::invalid_group_id);
    else
      fetch_group(find(req.group_id), req.topics, require_stable, resp.topics);
    return respond(std::move(resp));
  }
  // v8 batches groups, each answered as one v7 request would be. v9's member id and epoch are
  // for consumer-protocol groups; Kafka ignores them for classic groups, and every group here is
  // classic.
  for (const auto& rg : req.groups) {
    auto& out = resp.groups.emplace_back();
    out.group_id = rg.group_id;
    if (rg.group_id.empty())
      out.error_code = to_wire(ErrorCode::invalid_group_id);
    else
      fetch_group(find(rg.group_id), rg.topics, require_stable, out.topics);
  }
  respond(std::move(resp));
}

void GroupCoordinator::describe(const protocol::DescribeGroupsRequest& req, int16_t version,
                                Respond<protocol::DescribeGroupsResponse> respond) {
  protocol::DescribeGroupsResponse resp;
  for (const auto& id : req.groups) {
    auto& out = resp.groups.emplace_back();
    out.group_id = id;
    if (id.empty()) {
      out.error_code = to_wire(ErrorCode::invalid_group_id);
      continue;
    }
    Group* g = find(id);
    if (!g) {
      // Kafka answers an unknown group as a Dead one, and from v6 (KIP-1043) also with
      // GROUP_ID_NOT_FOUND and its coordinator's message.
      out.group_state = to_string(GroupState::dead);
      if (version >= 6) {
        out.error_code = to_wire(ErrorCode::group_id_not_found);
        out.error_message = "Group " + id + " not found.";
      }
      continue;
    }
    out.group_state = to_string(g->state);
    out.protocol_type = g->protocol_type;
    out.protocol_data = g->state == GroupState::stable ? g->protocol.value_or("") : "";
    for (const auto& [mid, m] : g->members) {
      auto& dm = out.members.emplace_back();
      dm.member_id = mid;
      dm.group_instance_id = m.instance_id;
      dm.client_id = m.client_id;
      dm.client_host = m.client_host;
      if (g->state == GroupState::stable && g->protocol) {
        if (const std::string* meta = m.metadata_for(*g->protocol)) dm.member_metadata.data = *meta;
        dm.member_assignment.data = m.assignment;
      }
    }
  }
  respond(std::move(resp));
}

void GroupCoordinator::list(const protocol::ListGroupsRequest& req,
                            Respond<protocol::ListGroupsResponse> respond) {
  protocol::ListGroupsResponse resp;
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  // Every group here is a classic one (KIP-848 consumer groups are not served), so a types
  // filter (v5) either lets all through or none, as Kafka's does for a type no group has.
  const bool classic_wanted =
      req.types_filter.empty() ||
      std::any_of(req.types_filter.begin(), req.types_filter.end(),
                  [&](const std::string& f) { return lower(f) == kClassicGroupType; });
  if (!classic_wanted) return respond(std::move(resp));
  for (const auto& [id, g] : groups_) {
    std::string state = to_string(g->state);
    if (!req.states_filter.empty() &&
        std::none_of(req.states_filter.begin(), req.states_filter.end(),
                     [&](const std::string& f) { return lower(f) == lower(state); }))
      continue;
    resp.groups.push_back({id, g->protocol_type, state, kClassicGroupType});
  }
  respond(std::move(resp));
}

void GroupCoordinator::delete_groups(const protocol::DeleteGroupsRequest& req,
                                     Respond<protocol::DeleteGroupsResponse> respond) {
  struct Pending {
    protocol::DeleteGroupsResponse resp;
    int outstanding = 1;
    Respond<protocol::DeleteGroupsResponse> respond;
    void done() {
      if (--outstanding == 0) respond(std::move(resp));
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->respond = std::move(respond);
  pending->resp.results.reserve(req.groups_names.size());
  for (const auto& id : req.groups_names) {
    auto& r = pending->resp.results.emplace_back();
    r.group_id = id;
    Group* g = id.empty() ? nullptr : find(id);
    if (id.empty()) {
      r.error_code = to_wire(ErrorCode::invalid_group_id);
    } else if (!g) {
      r.error_code = to_wire(ErrorCode::group_id_not_found);
    } else if (!g->members.empty() || g->state != GroupState::empty) {
      r.error_code = to_wire(ErrorCode::non_empty_group);
    } else {
      // Tombstones for every offset and for the group itself, then forget it.
      OffsetItems items;
      for (const auto& [tp, _] : g->offsets) items.push_back({tp, std::nullopt});
      // Kafka also tombstones partitions that only an open transaction wrote: its coordinator
      // keeps pending offsets apart from the group, and only a tombstone drops them on replay.
      // Here they go with the group, but the log stays one a Kafka coordinator reads the same.
      std::set<TopicPartitionKey> pending_only;
      for (const auto& [_, pending] : g->pending_txn_offsets)
        for (const auto& [tp, _] : pending)
          if (!g->offsets.count(tp)) pending_only.insert(tp);
      for (const auto& tp : pending_only) items.push_back({tp, std::nullopt});
      std::string key = encode_record(GroupMetadataKey{id});
      std::vector<protocol::RecordData> recs{{key, std::nullopt}};
      std::string batch = offsets_batch(id, items) + protocol::build_batch(recs, {wall_clock_ms()});
      g->state = GroupState::dead;
      ++pending->outstanding;
      log_.append(partition_for(id), std::move(batch),
                  [this, id, pending, &r](ErrorCode e, int64_t) {
                    if (e == ErrorCode::none) {
                      groups_.erase(id);
                    } else {
                      if (Group* g = find(id)) g->state = GroupState::empty;
                      r.error_code = to_wire(ErrorCode::coordinator_not_available);
                    }
                    pending->done();
                  });
    }
  }
  pending->done();
}

void GroupCoordinator::delete_offsets(const protocol::OffsetDeleteRequest& req,
                                      Respond<protocol::OffsetDeleteResponse> respond) {
  protocol::OffsetDeleteResponse resp;
  Group* g = req.group_id.empty() ? nullptr : find(req.group_id);
  if (!g) {
    resp.error_code =
        to_wire(req.group_id.empty() ? ErrorCode::invalid_group_id : ErrorCode::group_id_not_found);
    return respond(std::move(resp));
  }
  auto subscribed = g->subscribed_topics();
  std::vector<TopicPartitionKey> deleted;
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      ErrorCode e = ErrorCode::none;
      if (subscribed.count(t.name))
        e = ErrorCode::group_subscribed_to_topic;
      else if (g->offsets.count({t.name, p.partition_index}) ||
               g->has_pending_txn_offset({t.name, p.partition_index}))
        deleted.push_back({t.name, p.partition_index});
      tr.partitions.push_back({p.partition_index, to_wire(e)});
    }
  }
  if (deleted.empty()) return respond(std::move(resp));
  write_tombstones(req.group_id, std::move(deleted),
                   [resp = std::move(resp), respond = std::move(respond)](ErrorCode e) mutable {
                     if (e != ErrorCode::none)
                       resp.error_code = to_wire(ErrorCode::coordinator_not_available);
                     respond(std::move(resp));
                   });
}

void GroupCoordinator::write_tombstones(const std::string& group_id,
                                        std::vector<TopicPartitionKey> partitions,
                                        std::function<void(ErrorCode)> done) {
  OffsetItems items;
  for (auto& tp : partitions) items.push_back({std::move(tp), std::nullopt});
  log_.append(partition_for(group_id), offsets_batch(group_id, items),
              [this, group_id, items, done = std::move(done)](ErrorCode e, int64_t base) {
                if (e == ErrorCode::none)
                  if (Group* g = find(group_id))
                    for (size_t i = 0; i < items.size(); ++i)
                      g->erase_offset(items[i].first, base + static_cast<int64_t>(i));
                if (done) done(e);
              });
}

void GroupCoordinator::forget_deleted_partitions() {
  size_t forgotten = 0;
  for (auto& [id, gp] : groups_) {
    std::set<TopicPartitionKey> gone;
    for (const auto& [tp, _] : gp->offsets)
      if (!partition_exists_(tp.first, tp.second)) gone.insert(tp);
    for (const auto& [_, pending] : gp->pending_txn_offsets)
      for (const auto& [tp, _] : pending)
        if (!partition_exists_(tp.first, tp.second)) gone.insert(tp);
    if (gone.empty()) continue;
    forgotten += gone.size();
    // Gone at once, so that OffsetFetch right after DeleteTopics finds nothing; the tombstones
    // make it last.
    for (const auto& tp : gone) gp->erase_offset(tp);
    write_tombstones(id, {gone.begin(), gone.end()});
  }
  if (forgotten) spdlog::info("deleting {} committed offsets of deleted partitions", forgotten);
}

void GroupCoordinator::load() {
  size_t offsets = 0, pending = 0, records = 0;
  for (int32_t p = 0; p < log_.partitions(); ++p) {
    log_.scan(p, [&](std::span<const uint8_t> batch) {
      auto header = protocol::read_batch_header(batch);
      if (!header) return;
      if (header->is_control()) {
        // A transaction marker: the same step the transaction coordinator takes live.
        std::optional<TxnResult> result;
        protocol::for_each_record(batch, 64 << 20, [&](const protocol::Record& r) {
          result = decode_end_txn_marker(r.key);
          return false;
        });
        if (result) complete_transaction(p, header->producer_id, *result == TxnResult::commit);
        return;
      }
      // Offsets in a transactional batch wait for their producer's marker; other batches may
      // carry a producer id too (idempotence) and are plain commits.
      const int64_t txn_producer = header->is_transactional() ? header->producer_id : -1;
      protocol::for_each_record(batch, 64 << 20, [&](const protocol::Record& r) {
        ++records;
        std::optional<std::span<const uint8_t>> value;
        if (!r.value_null) value = r.value;
        auto rec = decode_record(r.key, value);
        if (auto* o = std::get_if<OffsetRecord>(&rec)) {
          Group& g = get_or_create(o->key.group);
          TopicPartitionKey tp{o->key.topic, o->key.partition};
          if (!o->value) {
            g.erase_offset(tp);
            return true;
          }
          CommittedOffset off{o->value->offset, o->value->leader_epoch, o->value->metadata,
                              o->value->commit_timestamp, r.offset};
          if (txn_producer >= 0)
            hold_pending_txn_offset(g, txn_producer, tp, off);
          else
            g.offsets[tp] = off;
        } else if (auto* gr = std::get_if<GroupRecord>(&rec)) {
          if (!gr->value) {
            groups_.erase(gr->key.group);
            return true;
          }
          Group& g = get_or_create(gr->key.group);
          const auto& v = *gr->value;
          g.protocol_type = v.protocol_type;
          g.generation = v.generation;
          g.protocol = v.protocol;
          g.leader = v.leader;
          g.members.clear();
          g.static_members.clear();
          int64_t now = steady_ms();
          for (const auto& mr : v.members) {
            Member& m = g.members[mr.member_id];
            m.id = mr.member_id;
            m.instance_id = mr.group_instance_id;
            m.client_id = mr.client_id;
            m.client_host = mr.client_host;
            m.rebalance_timeout_ms = mr.rebalance_timeout;
            m.session_timeout_ms = mr.session_timeout;
            if (v.protocol) m.protocols = {{*v.protocol, mr.subscription.data}};
            m.assignment = mr.assignment.data;
            // Members get a full session to find the coordinator again after a restart.
            m.deadline_ms = now + mr.session_timeout;
            m.join_order = g.next_join_order++;
            if (m.instance_id) g.static_members[*m.instance_id] = m.id;
          }
          g.state = g.members.empty() ? GroupState::empty : GroupState::stable;
          if (g.members.empty()) g.empty_since_ms = v.current_state_timestamp;
        }
        return true;
      });
    });
  }
  for (const auto& [_, g] : groups_) {
    offsets += g->offsets.size();
    for (const auto& [_, p] : g->pending_txn_offsets) pending += p.size();
  }
  // Offsets still pending belong to transactions the transaction coordinator has yet to end; it
  // calls complete_transaction for each once their markers are written.
  spdlog::info(
      "group coordinator loaded {} groups, {} committed and {} pending transactional offsets "
      "from {} records",
      groups_.size(), offsets, pending, records);
  // Offsets of a topic deleted while the tombstones were being written (or by a Sluice that did
  // not write them) must not reach a topic re-created under the same name.
  forget_deleted_partitions();
  arm_tick();
}

void GroupCoordinator::expire_offsets(int64_t now) {
  // Kafka 2.1+: offsets of a group expire once it has been empty for the retention period;
  // offsets of standalone consumers (never any members) expire by commit time.
  for (auto& [id, gp] : groups_) {
    Group& g = *gp;
    if (g.state != GroupState::empty || g.offsets.empty()) continue;
    std::vector<TopicPartitionKey> expired;
    for (const auto& [tp, off] : g.offsets) {
      int64_t since = std::max(g.empty_since_ms, off.commit_timestamp);
      // Like Kafka, an offset an open transaction is about to replace does not expire yet.
      if (now - since > config_.offsets_retention_ms && !g.has_pending_txn_offset(tp))
        expired.push_back(tp);
    }
    if (!expired.empty()) write_tombstones(id, std::move(expired));
  }
}

}  // namespace sluice::group

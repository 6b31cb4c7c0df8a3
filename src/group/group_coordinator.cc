// Membership: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the rebalance state machine,
// following Kafka's classic GroupCoordinator:
//
//   Empty --join--> PreparingRebalance --all joined / timeout--> CompletingRebalance
//   CompletingRebalance --leader's SyncGroup stored--> Stable
//   Stable / CompletingRebalance --join, leave, expiry--> PreparingRebalance
//   PreparingRebalance --nobody left--> Empty
#include "sluice/group/group_coordinator.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>

#include "group.h"
#include "group_records.h"
#include "sluice/protocol/batch_builder.h"

namespace sluice::group {

using protocol::ErrorCode;
using protocol::to_wire;

namespace {

constexpr int kTickMs = 100;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string random_suffix() {
  static std::mt19937_64 gen(std::random_device{}());
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    s.push_back(hex[gen() & 15]);
    if (i == 7 || i == 11 || i == 15 || i == 19) s.push_back('-');
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> protocols_of(
    const protocol::JoinGroupRequest& req) {
  std::vector<std::pair<std::string, std::string>> v;
  for (const auto& p : req.protocols) v.emplace_back(p.name, p.metadata.data);
  return v;
}

}  // namespace

GroupCoordinator::GroupCoordinator(asio::io_context& io, OffsetsLog& log, GroupConfig config,
                                   PartitionExists partition_exists)
    : io_(io),
      log_(log),
      config_(config),
      partition_exists_(std::move(partition_exists)),
      tick_timer_(io) {}

GroupCoordinator::~GroupCoordinator() { stop(); }

void GroupCoordinator::stop() {
  if (stopped_) return;
  stopped_ = true;
  tick_timer_.cancel();
}

int32_t GroupCoordinator::partition_for(const std::string& group_id) const {
  // Kafka: abs(groupId.hashCode) % partitions, with Java's String.hashCode (equal for ASCII).
  int32_t h = 0;
  for (unsigned char c : group_id) h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + c);
  int32_t abs = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return abs % log_.partitions();
}

Group* GroupCoordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::get_or_create(const std::string& id) {
  auto& g = groups_[id];
  if (!g) {
    g = std::make_unique<Group>(id);
    g->empty_since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  }
  return *g;
}

void GroupCoordinator::arm_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(kTickMs));
  tick_timer_.async_wait([this](std::error_code ec) {
    if (ec || stopped_) return;
    tick();
    arm_tick();
  });
}

void GroupCoordinator::join(protocol::JoinGroupRequest& req, int16_t version,
                            const ClientInfo& client,
                            Respond<protocol::JoinGroupResponse> respond) {
  auto fail = [&](ErrorCode e, std::string member_id = {}) {
    protocol::JoinGroupResponse r;
    r.error_code = to_wire(e);
    r.member_id = std::move(member_id);
    if (version < 7) r.protocol_name = "";
    respond(std::move(r));
  };
  if (req.group_id.empty()) return fail(ErrorCode::invalid_group_id, req.member_id);
  if (req.session_timeout_ms < config_.min_session_timeout_ms ||
      req.session_timeout_ms > config_.max_session_timeout_ms)
    return fail(ErrorCode::invalid_session_timeout, req.member_id);
  auto protocols = protocols_of(req);
  for (const auto& [_, meta] : protocols)
    if (meta.size() > static_cast<size_t>(config_.max_member_metadata_bytes))
      return fail(ErrorCode::invalid_request, req.member_id);
  int32_t rebalance_timeout = version >= 1 ? req.rebalance_timeout_ms : req.session_timeout_ms;

  Group* found = find(req.group_id);
  if (!found && !req.member_id.empty()) return fail(ErrorCode::unknown_member_id, req.member_id);
  Group& g = found ? *found : get_or_create(req.group_id);
  if (g.state == GroupState::dead) return fail(ErrorCode::coordinator_not_available, req.member_id);
  if (!g.accepts(req.protocol_type, protocols))
    return fail(ErrorCode::inconsistent_group_protocol, req.member_id);

  int64_t now = steady_ms();
  auto fill_member = [&](Member& m) {
    m.client_id = client.client_id;
    m.client_host = client.client_host;
    m.session_timeout_ms = req.session_timeout_ms;
    m.rebalance_timeout_ms = rebalance_timeout;
    m.protocols = protocols;
    m.deadline_ms = now + req.session_timeout_ms;
  };
  auto add_member = [&](const std::string& id) {
    if (static_cast<int32_t>(g.members.size()) >= config_.max_size)
      return fail(ErrorCode::group_max_size_reached, id);
    Member& m = g.members[id];
    m.id = id;
    m.instance_id = req.group_instance_id;
    m.join_order = g.next_join_order++;
    if (m.instance_id) g.static_members[*m.instance_id] = id;
    fill_member(m);
    if (g.members.size() == 1) g.protocol_type = req.protocol_type;
    m.awaiting_join = std::move(respond);
    if (g.state == GroupState::preparing_rebalance)
      maybe_complete_join(g);
    else
      prepare_rebalance(g);
  };
  // The answer a member gets when it rejoins without changing anything.
  auto current_answer = [&](const Member& m) {
    protocol::JoinGroupResponse r;
    r.generation_id = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = g.protocol.value_or("");
    r.leader = g.leader.value_or("");
    r.member_id = m.id;
    if (g.leader == m.id)
      for (const auto& [id, other] : g.members)
        if (const std::string* meta = g.protocol ? other.metadata_for(*g.protocol) : nullptr)
          r.members.push_back({id, other.instance_id, {*meta}});
    return r;
  };

  if (req.member_id.empty()) {
    if (req.group_instance_id) {
      auto it = g.static_members.find(*req.group_instance_id);
      if (it != g.static_members.end() && g.members.count(it->second)) {
        // A static member is back under a new member id: the old id is fenced from now on.
        std::string old_id = it->second;
        std::string new_id = *req.group_instance_id + "-" + random_suffix();
        Member m = std::move(g.members.at(old_id));
        g.members.erase(old_id);
        if (m.awaiting_join) {
          protocol::JoinGroupResponse r;
          r.error_code = to_wire(ErrorCode::fenced_instance_id);
          if (version < 7) r.protocol_name = "";
          m.awaiting_join(std::move(r));
          m.awaiting_join = nullptr;
        }
        if (m.awaiting_sync) {
          protocol::SyncGroupResponse r;
          r.error_code = to_wire(ErrorCode::fenced_instance_id);
          m.awaiting_sync(std::move(r));
          m.awaiting_sync = nullptr;
        }
        bool was_leader = g.leader == old_id;
        bool unchanged = m.same_protocols(protocols);
        m.id = new_id;
        fill_member(m);
        g.members[new_id] = std::move(m);
        it->second = new_id;
        if (was_leader) g.leader = new_id;
        Member& mm = g.members.at(new_id);
        if (g.state == GroupState::stable && unchanged) {
          // Static membership: a known member rejoining unchanged keeps its assignment and the
          // group does not rebalance. Like Kafka, the answer names the old id as leader and
          // lists no members, so even a returning leader acts as a follower and just syncs.
          auto r = current_answer(mm);
          r.members.clear();
          if (was_leader) r.leader = old_id;
          return respond(std::move(r));
        }
        mm.awaiting_join = std::move(respond);
        if (g.state == GroupState::preparing_rebalance)
          maybe_complete_join(g);
        else
          prepare_rebalance(g);
        return;
      }
      return add_member(*req.group_instance_id + "-" + random_suffix());
    }
    std::string new_id =
        (client.client_id.empty() ? "member" : client.client_id) + "-" + random_suffix();
    if (version >= 4) {
      // KIP-394: the member must come back with this id, so that a retried join after a lost
      // response does not leave a ghost member behind.
      g.pending_members[new_id] = now + req.session_timeout_ms;
      return fail(ErrorCode::member_id_required, new_id);
    }
    return add_member(new_id);
  }

  if (req.group_instance_id) {
    auto it = g.static_members.find(*req.group_instance_id);
    if (it != g.static_members.end() && it->second != req.member_id)
      return fail(ErrorCode::fenced_instance_id, req.member_id);
  }
  if (auto p = g.pending_members.find(req.member_id); p != g.pending_members.end()) {
    g.pending_members.erase(p);
    return add_member(req.member_id);
  }
  auto mit = g.members.find(req.member_id);
  if (mit == g.members.end()) return fail(ErrorCode::unknown_member_id, req.member_id);
  Member& m = mit->second;
  bool unchanged = m.same_protocols(protocols);
  switch (g.state) {
    case GroupState::preparing_rebalance:
      if (m.awaiting_join) {
        protocol::JoinGroupResponse r;
        r.error_code = to_wire(ErrorCode::rebalance_in_progress);
        if (version < 7) r.protocol_name = "";
        m.awaiting_join(std::move(r));
      }
      fill_member(m);
      m.awaiting_join = std::move(respond);
      maybe_complete_join(g);
      return;
    case GroupState::completing_rebalance:
    case GroupState::stable:
      if (unchanged && (g.state == GroupState::completing_rebalance || g.leader != m.id)) {
        m.deadline_ms = now + m.session_timeout_ms;
        return respond(current_answer(m));
      }
      fill_member(m);
      m.awaiting_join = std::move(respond);
      prepare_rebalance(g);
      return;
    case GroupState::empty:
    case GroupState::dead:
      return fail(ErrorCode::unknown_member_id, req.member_id);
  }
}

void GroupCoordinator::prepare_rebalance(Group& g) {
  if (g.state == GroupState::completing_rebalance) {
    for (auto& [_, m] : g.members)
      if (m.awaiting_sync) {
        protocol::SyncGroupResponse r;
        r.error_code = to_wire(ErrorCode::rebalance_in_progress);
        auto cb = std::move(m.awaiting_sync);
        m.awaiting_sync = nullptr;
        cb(std::move(r));
      }
  }
  bool was_empty = g.state == GroupState::empty;
  int64_t now = steady_ms();
  g.state = GroupState::preparing_rebalance;
  g.rebalance_deadline_ms = now + g.max_rebalance_timeout_ms();
  // A new group waits a little for more members, so that a fleet starting together does not
  // cause one rebalance per member (group.initial.rebalance.delay.ms).
  g.initial_delay_until_ms =
      was_empty ? now + std::min(config_.initial_rebalance_delay_ms, g.max_rebalance_timeout_ms())
                : 0;
  maybe_complete_join(g);
}

void GroupCoordinator::maybe_complete_join(Group& g) {
  if (g.state == GroupState::preparing_rebalance && g.all_joined() &&
      steady_ms() >= g.initial_delay_until_ms)
    complete_join(g);
}

void GroupCoordinator::complete_join(Group& g) {
  // Members that did not rejoin within the rebalance timeout are out.
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members)
    if (!m.awaiting_join) gone.push_back(id);
  for (const auto& id : gone) remove_member(g, id);
  g.pending_members.clear();
  ++g.generation;
  if (g.members.empty()) {
    g.state = GroupState::empty;
    g.protocol.reset();
    g.leader.reset();
    g.empty_since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    persist_group(g, [](ErrorCode) {});
    return;
  }
  g.protocol = g.select_protocol();
  if (!g.leader || !g.members.count(*g.leader)) {
    const Member* first = nullptr;
    for (const auto& [_, m] : g.members)
      if (!first || m.join_order < first->join_order) first = &m;
    g.leader = first->id;
  }
  g.state = GroupState::completing_rebalance;
  int64_t now = steady_ms();
  std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> all;
  for (const auto& [id, m] : g.members) {
    const std::string* meta = m.metadata_for(*g.protocol);
    all.push_back({id, m.instance_id, {meta ? *meta : std::string()}});
  }
  for (auto& [id, m] : g.members) {
    protocol::JoinGroupResponse r;
    r.generation_id = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = *g.protocol;
    r.leader = *g.leader;
    r.member_id = id;
    if (id == *g.leader) r.members = all;
    m.deadline_ms = now + m.session_timeout_ms;
    auto cb = std::move(m.awaiting_join);
    m.awaiting_join = nullptr;
    cb(std::move(r));
  }
}

void GroupCoordinator::remove_member(Group& g, const std::string& member_id) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  Member m = std::move(it->second);
  g.members.erase(it);
  if (m.instance_id) g.static_members.erase(*m.instance_id);
  if (g.leader == member_id) g.leader.reset();
  if (m.awaiting_join) {
    protocol::JoinGroupResponse r;
    r.error_code = to_wire(ErrorCode::unknown_member_id);
    r.protocol_name = "";
    m.awaiting_join(std::move(r));
  }
  if (m.awaiting_sync) {
    protocol::SyncGroupResponse r;
    r.error_code = to_wire(ErrorCode::unknown_member_id);
    m.awaiting_sync(std::move(r));
  }
}

void GroupCoordinator::sync(protocol::SyncGroupRequest& req, int16_t version,
                            Respond<protocol::SyncGroupResponse> respond) {
  (void)version;
  auto fail = [&](ErrorCode e) {
    protocol::SyncGroupResponse r;
    r.error_code = to_wire(e);
    respond(std::move(r));
  };
  if (req.group_id.empty()) return fail(ErrorCode::invalid_group_id);
  Group* g = find(req.group_id);
  if (!g) return fail(ErrorCode::unknown_member_id);
  if (auto e = g->validate_member(req.member_id, req.group_instance_id); e != ErrorCode::none)
    return fail(e);
  if (req.generation_id != g->generation) return fail(ErrorCode::illegal_generation);
  if ((req.protocol_type && *req.protocol_type != g->protocol_type) ||
      (req.protocol_name && g->protocol && *req.protocol_name != *g->protocol))
    return fail(ErrorCode::inconsistent_group_protocol);
  Member& m = g->members.at(req.member_id);
  m.deadline_ms = steady_ms() + m.session_timeout_ms;
  switch (g->state) {
    case GroupState::preparing_rebalance:
      return fail(ErrorCode::rebalance_in_progress);
    case GroupState::stable: {
      protocol::SyncGroupResponse r;
      r.protocol_type = g->protocol_type;
      r.protocol_name = g->protocol;
      r.assignment.data = m.assignment;
      return respond(std::move(r));
    }
    case GroupState::completing_rebalance:
      break;
    default:
      return fail(ErrorCode::unknown_member_id);
  }
  if (m.awaiting_sync) {
    protocol::SyncGroupResponse r;
    r.error_code = to_wire(ErrorCode::rebalance_in_progress);
    m.awaiting_sync(std::move(r));
  }
  m.awaiting_sync = std::move(respond);
  if (g->leader != req.member_id) return;
  // The leader's assignment: stored durably, then handed to every member.
  for (auto& [id, member] : g->members) member.assignment.clear();
  for (const auto& a : req.assignments)
    if (auto it = g->members.find(a.member_id); it != g->members.end())
      it->second.assignment = a.assignment.data;
  std::string group_id = g->id();
  int32_t generation = g->generation;
  persist_group(*g, [this, group_id, generation](ErrorCode e) {
    Group* g = find(group_id);
    if (!g || g->generation != generation || g->state != GroupState::completing_rebalance) return;
    if (e != ErrorCode::none) {
      for (auto& [_, member] : g->members) member.assignment.clear();
      // Members retry after a rebalance; nothing was stored.
      prepare_rebalance(*g);
      return;
    }
    g->state = GroupState::stable;
    for (auto& [_, member] : g->members) {
      if (!member.awaiting_sync) continue;
      protocol::SyncGroupResponse r;
      r.protocol_type = g->protocol_type;
      r.protocol_name = g->protocol;
      r.assignment.data = member.assignment;
      auto cb = std::move(member.awaiting_sync);
      member.awaiting_sync = nullptr;
      cb(std::move(r));
    }
  });
}

void GroupCoordinator::heartbeat(const protocol::HeartbeatRequest& req,
                                 Respond<protocol::HeartbeatResponse> respond) {
  protocol::HeartbeatResponse r;
  auto answer = [&](ErrorCode e) {
    r.error_code = to_wire(e);
    respond(std::move(r));
  };
  if (req.group_id.empty()) return answer(ErrorCode::invalid_group_id);
  Group* g = find(req.group_id);
  if (!g) return answer(ErrorCode::unknown_member_id);
  if (auto e = g->validate_member(req.member_id, req.group_instance_id); e != ErrorCode::none)
    return answer(e);
  if (req.generation_id != g->generation) return answer(ErrorCode::illegal_generation);
  Member& m = g->members.at(req.member_id);
  m.deadline_ms = steady_ms() + m.session_timeout_ms;
  switch (g->state) {
    case GroupState::preparing_rebalance:
      return answer(ErrorCode::rebalance_in_progress);
    case GroupState::completing_rebalance:
    case GroupState::stable:
      return answer(ErrorCode::none);
    default:
      return answer(ErrorCode::unknown_member_id);
  }
}

void GroupCoordinator::leave(const protocol::LeaveGroupRequest& req, int16_t version,
                             Respond<protocol::LeaveGroupResponse> respond) {
  protocol::LeaveGroupResponse resp;
  std::vector<protocol::LeaveGroupRequest::MemberIdentity> leaving = req.members;
  if (version < 3) leaving = {{req.member_id, std::nullopt, std::nullopt}};
  Group* g = req.group_id.empty() ? nullptr : find(req.group_id);
  bool removed = false;
  for (const auto& who : leaving) {
    auto& out = resp.members.emplace_back();
    out.member_id = who.member_id;
    out.group_instance_id = who.group_instance_id;
    ErrorCode e = ErrorCode::none;
    if (req.group_id.empty()) {
      e = ErrorCode::invalid_group_id;
    } else if (!g) {
      e = ErrorCode::unknown_member_id;
    } else if (who.group_instance_id) {
      auto it = g->static_members.find(*who.group_instance_id);
      if (it == g->static_members.end())
        e = ErrorCode::unknown_member_id;
      else if (!who.member_id.empty() && it->second != who.member_id)
        e = ErrorCode::fenced_instance_id;
      else {
        remove_member(*g, it->second);
        removed = true;
      }
    } else if (g->pending_members.erase(who.member_id)) {
      removed = true;
    } else if (!g->members.count(who.member_id)) {
      e = ErrorCode::unknown_member_id;
    } else {
      remove_member(*g, who.member_id);
      removed = true;
    }
    out.error_code = to_wire(e);
  }
  if (g && removed) {
    if (g->state == GroupState::stable || g->state == GroupState::completing_rebalance)
      prepare_rebalance(*g);
    else
      maybe_complete_join(*g);
  }
  if (version < 3) {
    resp.error_code = resp.members.front().error_code;
    resp.members.clear();
  }
  respond(std::move(resp));
}

void GroupCoordinator::persist_group(Group& g, std::function<void(ErrorCode)> done) {
  GroupMetadataValue v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  v.protocol = g.protocol;
  v.leader = g.leader;
  v.current_state_timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  for (const auto& [id, m] : g.members) {
    MemberMetadataRecord r;
    r.member_id = id;
    r.group_instance_id = m.instance_id;
    r.client_id = m.client_id;
    r.client_host = m.client_host;
    r.rebalance_timeout = m.rebalance_timeout_ms;
    r.session_timeout = m.session_timeout_ms;
    if (g.protocol)
      if (const std::string* meta = m.metadata_for(*g.protocol)) r.subscription.data = *meta;
    r.assignment.data = m.assignment;
    v.members.push_back(std::move(r));
  }
  std::string key = encode_record(GroupMetadataKey{g.id()});
  std::string value = encode_record(v);
  protocol::RecordData rec{key, value};
  protocol::BatchOptions opts;
  opts.timestamp = v.current_state_timestamp;
  log_.append(partition_for(g.id()), protocol::build_batch({&rec, 1}, opts),
              [done = std::move(done)](ErrorCode e, int64_t) { done(e); });
}

void GroupCoordinator::tick() {
  int64_t now = steady_ms();
  for (auto& [_, gp] : groups_) {
    Group& g = *gp;
    for (auto it = g.pending_members.begin(); it != g.pending_members.end();)
      it = it->second < now ? g.pending_members.erase(it) : std::next(it);
    // Session expiry: a member waiting in JoinGroup or SyncGroup is alive by definition.
    std::vector<std::string> expired;
    for (const auto& [id, m] : g.members)
      if (!m.awaiting_join && !m.awaiting_sync && m.deadline_ms < now) expired.push_back(id);
    for (const auto& id : expired) {
      spdlog::info("group {}: member {} missed its session timeout", g.id(), id);
      remove_member(g, id);
    }
    if (!expired.empty() &&
        (g.state == GroupState::stable || g.state == GroupState::completing_rebalance))
      prepare_rebalance(g);
    if (g.state == GroupState::preparing_rebalance) {
      if (now >= g.rebalance_deadline_ms)
        complete_join(g);
      else
        maybe_complete_join(g);
    }
  }
  if (++ticks_ % (60000 / kTickMs) == 0)
    expire_offsets(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
}

}  // namespace sluice::group

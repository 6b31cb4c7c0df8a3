#include "group.h"

#include "sluice/protocol/codec.h"

namespace sluice::group {

const char* to_string(GroupState s) {
  switch (s) {
    case GroupState::empty:
      return "Empty";
    case GroupState::preparing_rebalance:
      return "PreparingRebalance";
    case GroupState::completing_rebalance:
      return "CompletingRebalance";
    case GroupState::stable:
      return "Stable";
    case GroupState::dead:
      return "Dead";
  }
  return "Unknown";
}

const std::string* Member::metadata_for(const std::string& protocol) const {
  for (const auto& [name, meta] : protocols)
    if (name == protocol) return &meta;
  return nullptr;
}

bool Group::all_joined() const {
  for (const auto& [_, m] : members)
    if (!m.awaiting_join) return false;
  return pending_members.empty();
}

std::optional<std::string> Group::select_protocol() const {
  if (members.empty()) return std::nullopt;
  // Candidates: protocols every member supports.
  std::vector<std::string> candidates;
  for (const auto& [name, _] : members.begin()->second.protocols) {
    bool everyone = true;
    for (const auto& [__, m] : members)
      if (!m.metadata_for(name)) everyone = false;
    if (everyone) candidates.push_back(name);
  }
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& [_, m] : members)
    for (const auto& [name, __] : m.protocols)
      if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
        ++votes[name];
        break;
      }
  std::string best = candidates.front();
  for (const auto& c : candidates)
    if (votes[c] > votes[best]) best = c;
  return best;
}

bool Group::accepts(const std::string& type,
                    const std::vector<std::pair<std::string, std::string>>& protocols) const {
  if (type.empty() || protocols.empty()) return false;
  if (members.empty()) return true;
  if (type != protocol_type) return false;
  // The newcomer must share at least one protocol with every current member.
  for (const auto& [name, _] : protocols) {
    bool everyone = true;
    for (const auto& [__, m] : members)
      if (!m.metadata_for(name)) everyone = false;
    if (everyone) return true;
  }
  return false;
}

int32_t Group::max_rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& [_, m] : members) t = std::max(t, m.rebalance_timeout_ms);
  return t;
}

protocol::ErrorCode Group::validate_member(const std::string& member_id,
                                           const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto it = static_members.find(*instance_id);
    if (it == static_members.end()) return protocol::ErrorCode::unknown_member_id;
    if (it->second != member_id) return protocol::ErrorCode::fenced_instance_id;
  }
  if (!members.count(member_id)) return protocol::ErrorCode::unknown_member_id;
  return protocol::ErrorCode::none;
}

bool Group::has_pending_txn_offset(const TopicPartitionKey& tp) const {
  for (const auto& [_, pending] : pending_txn_offsets)
    if (pending.count(tp)) return true;
  return false;
}

void Group::erase_offset(const TopicPartitionKey& tp, int64_t written_before) {
  auto older = [&](auto& map) {
    auto it = map.find(tp);
    if (it != map.end() && it->second.record_offset < written_before) map.erase(it);
  };
  older(offsets);
  for (auto it = pending_txn_offsets.begin(); it != pending_txn_offsets.end();) {
    older(it->second);
    it = it->second.empty() ? pending_txn_offsets.erase(it) : std::next(it);
  }
}

std::set<std::string> Group::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type != "consumer" || !protocol) return topics;
  for (const auto& [_, m] : members) {
    const std::string* meta = m.metadata_for(*protocol);
    if (!meta) continue;
    // ConsumerProtocolSubscription: int16 version, then [topic] as int32 count + int16 strings.
    std::string copy = *meta;
    protocol::Reader r(std::span(reinterpret_cast<uint8_t*>(copy.data()), copy.size()));
    r.fixed<int16_t>();
    int32_t n = r.fixed<int32_t>();
    for (int32_t i = 0; i < n && r.ok(); ++i) {
      int16_t len = r.fixed<int16_t>();
      if (len < 0) break;
      auto s = r.take(static_cast<size_t>(len));
      if (r.ok()) topics.emplace(reinterpret_cast<const char*>(s.data()), s.size());
    }
  }
  return topics;
}

}  // namespace sluice::group

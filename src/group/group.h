#pragma once
// One consumer group's state: members, generation, chosen protocol and committed offsets.
// The transitions live in GroupCoordinator; this class holds the state and answers questions
// about it. Owned by the GroupCoordinator and used only on its event loop thread.
//
// Invariants: every static member's instance id maps to exactly one member id; a member with
// awaiting_join/awaiting_sync set has a request in flight that must get exactly one answer.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sluice/protocol/error_code.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::group {

enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };
const char* to_string(GroupState s);

struct Member {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::vector<std::pair<std::string, std::string>> protocols;  // name -> metadata, by preference
  std::string assignment;
  int64_t deadline_ms = 0;  // session expiry on the steady clock
  uint64_t join_order = 0;  // the first member to join leads when the leader leaves
  std::function<void(protocol::JoinGroupResponse&&)> awaiting_join;
  std::function<void(protocol::SyncGroupResponse&&)> awaiting_sync;

  const std::string* metadata_for(const std::string& protocol) const;
  bool same_protocols(const std::vector<std::pair<std::string, std::string>>& other) const {
    return protocols == other;
  }
};

struct CommittedOffset {
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = 0;
  // Where the record that wrote this offset sits in __consumer_offsets: when a transaction
  // commits, its offsets win only over offsets written before them (Kafka keeps the latest).
  int64_t record_offset = -1;
};

using TopicPartitionKey = std::pair<std::string, int32_t>;

class Group {
 public:
  explicit Group(std::string id) : id_(std::move(id)) {}
  const std::string& id() const { return id_; }

  GroupState state = GroupState::empty;
  int32_t generation = 0;
  std::string protocol_type;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  std::map<std::string, Member> members;
  std::map<std::string, std::string> static_members;  // instance id -> member id
  std::map<std::string, int64_t> pending_members;     // MEMBER_ID_REQUIRED issued -> expiry
  std::map<TopicPartitionKey, CommittedOffset> offsets;
  // Offsets written by TxnOffsetCommit whose transaction has not ended, by producer id: durable
  // in the log but invisible to OffsetFetch until the COMMIT marker (dropped on ABORT).
  std::map<int64_t, std::map<TopicPartitionKey, CommittedOffset>> pending_txn_offsets;
  int64_t rebalance_deadline_ms = 0;
  int64_t initial_delay_until_ms = 0;
  int64_t empty_since_ms = 0;  // wall clock, for offset retention
  uint64_t next_join_order = 0;

  bool all_joined() const;
  // A protocol every member supports, chosen by the members' first preferences (Kafka's vote).
  std::optional<std::string> select_protocol() const;
  // Whether a member with this protocol type and these protocols may join.
  bool accepts(const std::string& type,
               const std::vector<std::pair<std::string, std::string>>& protocols) const;
  int32_t max_rebalance_timeout_ms() const;
  // Kafka's ClassicGroup.validateMember: a static member's instance id must map to this member
  // id (FENCED_INSTANCE_ID when another member has taken it over), checked before the member id
  // itself so that a replaced static member learns it was fenced instead of rejoining forever.
  protocol::ErrorCode validate_member(const std::string& member_id,
                                      const std::optional<std::string>& instance_id) const;
  // Whether an open transaction holds an offset for this partition (Kafka's open transactions).
  bool has_pending_txn_offset(const TopicPartitionKey& tp) const;
  // Forgets the committed and every pending offset of the partition, as Kafka's tombstone does;
  // with written_before (the tombstone's offset in __consumer_offsets) only those written before
  // it, since a commit that came after the tombstone was asked for must survive it.
  void erase_offset(const TopicPartitionKey& tp, int64_t written_before = INT64_MAX);
  // Topics the members subscribe to, read from the consumer protocol's subscription metadata.
  std::set<std::string> subscribed_topics() const;

 private:
  std::string id_;
};

}  // namespace sluice::group

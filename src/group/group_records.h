#pragma once
// The records the group coordinator keeps in __consumer_offsets, in Kafka's own key/value
// layouts (int16 version, then the fields), so the internal topic reads like Kafka's:
//   OffsetCommitKey v1   {group, topic, partition}  -> OffsetCommitValue v3 (null = deleted)
//   GroupMetadataKey v2  {group}                    -> GroupMetadataValue v3 (null = deleted)
// The layouts are declared with the protocol schema vocabulary and go through the same codec.
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "sluice/protocol/schema.h"

namespace sluice::group {

using protocol::Bytes;
using protocol::field;
using protocol::since;

struct OffsetCommitKey {
  static constexpr int16_t kVersion = 1;
  static constexpr int16_t flexible_from = protocol::kNever;
  std::string group;
  std::string topic;
  int32_t partition = 0;
  static constexpr auto fields() {
    using S = OffsetCommitKey;
    return std::tuple{field("group", &S::group), field("topic", &S::topic),
                      field("partition", &S::partition)};
  }
};

struct OffsetCommitValue {
  static constexpr int16_t kVersion = 3;
  static constexpr int16_t flexible_from = protocol::kNever;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = 0;
  static constexpr auto fields() {
    using S = OffsetCommitValue;
    return std::tuple{field("offset", &S::offset), field("leader_epoch", &S::leader_epoch),
                      field("metadata", &S::metadata),
                      field("commit_timestamp", &S::commit_timestamp)};
  }
};

struct GroupMetadataKey {
  static constexpr int16_t kVersion = 2;
  static constexpr int16_t flexible_from = protocol::kNever;
  std::string group;
  static constexpr auto fields() { return std::tuple{field("group", &GroupMetadataKey::group)}; }
};

struct MemberMetadataRecord {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout = 0;
  int32_t session_timeout = 0;
  Bytes subscription;
  Bytes assignment;
  static constexpr auto fields() {
    using S = MemberMetadataRecord;
    return std::tuple{field("member_id", &S::member_id),
                      field("group_instance_id", &S::group_instance_id),
                      field("client_id", &S::client_id),
                      field("client_host", &S::client_host),
                      field("rebalance_timeout", &S::rebalance_timeout),
                      field("session_timeout", &S::session_timeout),
                      field("subscription", &S::subscription),
                      field("assignment", &S::assignment)};
  }
};

struct GroupMetadataValue {
  static constexpr int16_t kVersion = 3;
  static constexpr int16_t flexible_from = protocol::kNever;
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp = -1;
  std::vector<MemberMetadataRecord> members;
  static constexpr auto fields() {
    using S = GroupMetadataValue;
    return std::tuple{field("protocol_type", &S::protocol_type),
                      field("generation", &S::generation),
                      field("protocol", &S::protocol),
                      field("leader", &S::leader),
                      field("current_state_timestamp", &S::current_state_timestamp),
                      field("members", &S::members)};
  }
};

// Version-prefixed encodings of the records above.
std::string encode_record(const OffsetCommitKey& v);
std::string encode_record(const OffsetCommitValue& v);
std::string encode_record(const GroupMetadataKey& v);
std::string encode_record(const GroupMetadataValue& v);

// A record read back from __consumer_offsets. A null value is a tombstone.
struct OffsetRecord {
  OffsetCommitKey key;
  std::optional<OffsetCommitValue> value;
};
struct GroupRecord {
  GroupMetadataKey key;
  std::optional<GroupMetadataValue> value;
};
using CoordinatorRecord = std::variant<std::monostate, OffsetRecord, GroupRecord>;

// monostate when the key is of an unknown version or the bytes do not decode.
CoordinatorRecord decode_record(std::span<const uint8_t> key,
                                std::optional<std::span<const uint8_t>> value);

// The key of a transaction marker's one record (Kafka's EndTransactionMarker): int16 version,
// int16 type, 0 = ABORT and 1 = COMMIT. nullopt for other control records or bad bytes.
enum class TxnResult { abort, commit };
std::optional<TxnResult> decode_end_txn_marker(std::span<const uint8_t> key);

}  // namespace sluice::group

#pragma once
// The records the transaction coordinator keeps in __transaction_state, in Kafka's own key/value
// layouts (int16 version, then the fields), so the internal topic reads like Kafka's:
//   TransactionLogKey v0 {transactional_id} -> TransactionLogValue v0 (null = id expired)
// The layouts are declared with the protocol schema vocabulary and go through the same codec.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/protocol/schema.h"

namespace sluice::txn {

using protocol::field;

struct TransactionLogKey {
  static constexpr int16_t kVersion = 0;
  static constexpr int16_t flexible_from = protocol::kNever;
  std::string transactional_id;
  static constexpr auto fields() {
    return std::tuple{field("transactional_id", &TransactionLogKey::transactional_id)};
  }
};

struct TransactionLogPartitions {
  std::string topic;
  std::vector<int32_t> partition_ids;
  static constexpr auto fields() {
    using S = TransactionLogPartitions;
    return std::tuple{field("topic", &S::topic), field("partition_ids", &S::partition_ids)};
  }
};

// Version 0: what Kafka writes while transaction.version is 1 (no epoch bump per transaction).
struct TransactionLogValue {
  static constexpr int16_t kVersion = 0;
  static constexpr int16_t flexible_from = protocol::kNever;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t transaction_timeout_ms = 0;
  int8_t transaction_status = 0;  // TxnState
  std::optional<std::vector<TransactionLogPartitions>> transaction_partitions;
  int64_t transaction_last_update_timestamp_ms = -1;
  int64_t transaction_start_timestamp_ms = -1;
  static constexpr auto fields() {
    using S = TransactionLogValue;
    return std::tuple{
        field("producer_id", &S::producer_id),
        field("producer_epoch", &S::producer_epoch),
        field("transaction_timeout_ms", &S::transaction_timeout_ms),
        field("transaction_status", &S::transaction_status),
        field("transaction_partitions", &S::transaction_partitions),
        field("transaction_last_update_timestamp_ms", &S::transaction_last_update_timestamp_ms),
        field("transaction_start_timestamp_ms", &S::transaction_start_timestamp_ms)};
  }
};

std::string encode_record(const TransactionLogKey& v);
std::string encode_record(const TransactionLogValue& v);

// A record read back from __transaction_state; nullopt when the key or value is of an unknown
// version or does not decode. A null value is a tombstone.
struct TransactionLogRecord {
  TransactionLogKey key;
  std::optional<TransactionLogValue> value;
};
std::optional<TransactionLogRecord> decode_record(std::span<const uint8_t> key,
                                                  std::optional<std::span<const uint8_t>> value);

}  // namespace sluice::txn

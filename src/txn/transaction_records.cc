#include "transaction_records.h"

#include "sluice/protocol/versioned_record.h"

namespace sluice::txn {

std::string encode_record(const TransactionLogKey& v) { return protocol::encode_versioned(v); }
std::string encode_record(const TransactionLogValue& v) { return protocol::encode_versioned(v); }

std::optional<TransactionLogRecord> decode_record(std::span<const uint8_t> key,
                                                  std::optional<std::span<const uint8_t>> value) {
  if (protocol::record_version(key) != TransactionLogKey::kVersion) return std::nullopt;
  auto k = protocol::decode_versioned<TransactionLogKey>(key, 0);
  if (!k) return std::nullopt;
  TransactionLogRecord rec{*k, std::nullopt};
  if (value) {
    rec.value = protocol::decode_versioned<TransactionLogValue>(*value, 0);
    if (!rec.value) return std::nullopt;
  }
  return rec;
}

}  // namespace sluice::txn

#include "group_records.h"

#include "sluice/protocol/versioned_record.h"

namespace sluice::group {

using protocol::decode_versioned;
using protocol::encode_versioned;

std::string encode_record(const OffsetCommitKey& v) { return encode_versioned(v); }
std::string encode_record(const OffsetCommitValue& v) { return encode_versioned(v); }
std::string encode_record(const GroupMetadataKey& v) { return encode_versioned(v); }
std::string encode_record(const GroupMetadataValue& v) { return encode_versioned(v); }

CoordinatorRecord decode_record(std::span<const uint8_t> key,
                                std::optional<std::span<const uint8_t>> value) {
  if (key.size() < 2) return {};
  int16_t version = static_cast<int16_t>((key[0] << 8) | key[1]);
  if (version == OffsetCommitKey::kVersion) {
    auto k = decode_versioned<OffsetCommitKey>(key, 1);
    if (!k) return {};
    OffsetRecord rec{*k, std::nullopt};
    if (value) {
      rec.value = decode_versioned<OffsetCommitValue>(*value, 3);
      if (!rec.value) return {};
    }
    return rec;
  }
  if (version == GroupMetadataKey::kVersion) {
    auto k = decode_versioned<GroupMetadataKey>(key, 2);
    if (!k) return {};
    GroupRecord rec{*k, std::nullopt};
    if (value) {
      rec.value = decode_versioned<GroupMetadataValue>(*value, 3);
      if (!rec.value) return {};
    }
    return rec;
  }
  return {};
}

std::optional<TxnResult> decode_end_txn_marker(std::span<const uint8_t> key) {
  if (key.size() < 4) return std::nullopt;
  int16_t type = static_cast<int16_t>((key[2] << 8) | key[3]);
  if (type == 0) return TxnResult::abort;
  if (type == 1) return TxnResult::commit;
  return std::nullopt;
}

}  // namespace sluice::group

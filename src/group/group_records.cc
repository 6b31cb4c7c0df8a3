#include "group_records.h"

#include "sluice/protocol/codec.h"

namespace sluice::group {
namespace {

template <typename T>
std::string encode_versioned(const T& v) {
  std::string out;
  protocol::Writer w(out);
  w.fixed<int16_t>(T::kVersion);
  protocol::encode(w, v, T::kVersion, false);
  return out;
}

// Reads "int16 version + body" where the body must decode completely at that version.
template <typename T>
std::optional<T> decode_versioned(std::span<const uint8_t> bytes, int16_t min_version) {
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  protocol::Reader r(std::span(copy.data(), copy.size()));
  int16_t version = r.fixed<int16_t>();
  if (!r.ok() || version < min_version || version > T::kVersion) return std::nullopt;
  T v;
  if (!protocol::decode(r, v, version, false)) return std::nullopt;
  return v;
}

}  // namespace

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

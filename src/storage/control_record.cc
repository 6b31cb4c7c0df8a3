#include "control_record.h"

#include "sluice/protocol/batch_builder.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_iterator.h"

namespace sluice::storage {

namespace {
constexpr int16_t kControlVersion = 0;
// A control record is a few bytes; anything that decompresses to more is not one.
constexpr size_t kMaxControlBatchBytes = 4096;
}  // namespace

std::string txn_marker_batch(int64_t producer_id, int16_t producer_epoch, bool commit,
                             int32_t coordinator_epoch, int64_t now_ms) {
  uint8_t key[4];
  protocol::store_be<int16_t>(key, kControlVersion);
  protocol::store_be<int16_t>(
      key + 2, static_cast<int16_t>(commit ? ControlType::commit : ControlType::abort));
  uint8_t value[6];
  protocol::store_be<int16_t>(value, kControlVersion);
  protocol::store_be<int32_t>(value + 2, coordinator_epoch);
  const protocol::RecordData record{
      std::string_view(reinterpret_cast<const char*>(key), sizeof key),
      std::string_view(reinterpret_cast<const char*>(value), sizeof value)};
  protocol::BatchOptions o;
  o.timestamp = now_ms;
  o.producer_id = producer_id;
  o.producer_epoch = producer_epoch;
  o.base_sequence = -1;
  o.transactional = true;
  o.control = true;
  return protocol::build_batch(std::span(&record, 1), o);
}

std::optional<int16_t> control_record_type(std::span<const uint8_t> batch) {
  std::optional<int16_t> type;
  auto e = protocol::for_each_record(batch, kMaxControlBatchBytes, [&](const protocol::Record& r) {
    if (!r.key_null && r.key.size() >= 4 && protocol::load_be<int16_t>(r.key.data()) == 0)
      type = protocol::load_be<int16_t>(r.key.data() + 2);
    return false;  // the first record decides: a control batch has one
  });
  if (e != protocol::BatchError::ok) return std::nullopt;
  return type;
}

}  // namespace sluice::storage

#include "sluice/protocol/batch_builder.h"

#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/protocol/varint.h"

namespace sluice::protocol {
namespace {

void append_nullable(std::string& out, const std::optional<std::string_view>& s) {
  if (!s) return append_varint(out, -1);
  append_varint(out, static_cast<int64_t>(s->size()));
  out.append(s->data(), s->size());
}

}  // namespace

std::string build_batch(std::span<const RecordData> records, const BatchOptions& o) {
  std::string out(kBatchHeaderSize, '\0');
  std::string rec;
  for (size_t i = 0; i < records.size(); ++i) {
    rec.clear();
    rec.push_back('\0');                          // attributes
    append_varint(rec, 0);                        // timestamp delta
    append_varint(rec, static_cast<int64_t>(i));  // offset delta
    append_nullable(rec, records[i].key);
    append_nullable(rec, records[i].value);
    append_varint(rec, 0);  // headers
    append_varint(out, static_cast<int64_t>(rec.size()));
    out += rec;
  }
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  int16_t attributes = static_cast<int16_t>((o.transactional ? 0x10 : 0) | (o.control ? 0x20 : 0));
  int32_t count = static_cast<int32_t>(records.size());
  store_be<int64_t>(p + 0, 0);
  store_be<int32_t>(p + 8, static_cast<int32_t>(out.size() - kBatchLogOverhead));
  store_be<int32_t>(p + 12, -1);
  p[16] = 2;
  store_be<int16_t>(p + 21, attributes);
  store_be<int32_t>(p + 23, count > 0 ? count - 1 : 0);
  store_be<int64_t>(p + 27, o.timestamp);
  store_be<int64_t>(p + 35, o.timestamp);
  store_be<int64_t>(p + 43, o.producer_id);
  store_be<int16_t>(p + 51, o.producer_epoch);
  store_be<int32_t>(p + 53, o.base_sequence);
  store_be<int32_t>(p + 57, count);
  store_be<uint32_t>(p + 17, crc32c(std::span<const uint8_t>(p + 21, out.size() - 21)));
  return out;
}

}  // namespace sluice::protocol

#include "sluice/protocol/varint.h"

namespace sluice::protocol {

std::optional<uint64_t> VarintReader::read_uvarlong() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= buf_.size()) return std::nullopt;
    uint8_t b = buf_[pos_++];
    if (shift == 63 && (b & 0x7e)) return std::nullopt;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  return std::nullopt;
}

std::optional<uint32_t> VarintReader::read_uvarint() {
  size_t start = pos_;
  auto v = read_uvarlong();
  if (!v || *v > UINT32_MAX || pos_ - start > 5) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<int32_t> VarintReader::read_varint() {
  auto u = read_uvarint();
  if (!u) return std::nullopt;
  return static_cast<int32_t>((*u >> 1) ^ (~(*u & 1) + 1));
}

std::optional<int64_t> VarintReader::read_varlong() {
  auto u = read_uvarlong();
  if (!u) return std::nullopt;
  return static_cast<int64_t>((*u >> 1) ^ (~(*u & 1) + 1));
}

void append_uvarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_varint(std::string& out, int64_t v) {
  append_uvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

size_t uvarint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace sluice::protocol

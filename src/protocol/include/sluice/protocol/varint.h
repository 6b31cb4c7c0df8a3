#pragma once
// Kafka's two varint families: zig-zag (records: sint32/sint64 in protobuf terms) and unsigned
// (flexible protocol versions: compact lengths, tagged field counts, tags and sizes).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sluice::protocol {

// Bounded reader over a byte span; every read fails (nullopt) rather than overrun.
class VarintReader {
 public:
  explicit VarintReader(std::span<const uint8_t> b) : buf_(b) {}
  bool at_end() const { return pos_ == buf_.size(); }
  size_t remaining() const { return buf_.size() - pos_; }
  size_t position() const { return pos_; }
  std::optional<uint64_t> read_uvarlong();  // at most 10 bytes
  std::optional<uint32_t> read_uvarint();   // at most 5 bytes
  std::optional<int32_t> read_varint();     // zig-zag
  std::optional<int64_t> read_varlong();    // zig-zag
  // Caller checks remaining() first.
  std::span<const uint8_t> take(size_t n) {
    auto s = buf_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::span<const uint8_t> buf_;
  size_t pos_ = 0;
};

void append_uvarint(std::string& out, uint64_t v);
void append_varint(std::string& out, int64_t v);  // zig-zag
size_t uvarint_size(uint64_t v);

}  // namespace sluice::protocol

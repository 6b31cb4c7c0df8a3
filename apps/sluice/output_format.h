// The --format template of `sluice consume`: %k key, %v value, %p partition, %o offset,
// %t timestamp (ms, -1 when unknown), %h headers (k=v, comma separated), %T topic, %% a percent
// sign; \n, \t, \r and \\ escapes. Null keys and values print as empty.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::cli {

struct MessageView {
  std::string_view topic;
  std::string_view key;
  std::string_view value;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
};

class MessageFormat {
 public:
  // Throws UsageError for an unknown %-directive or a dangling '%' or '\'.
  static MessageFormat parse(std::string_view spec);

  // True when the template prints headers, so callers can skip extracting them otherwise.
  bool uses_headers() const { return uses_headers_; }

  // Appends the formatted message to `out`.
  void append(const MessageView& msg, std::string& out) const;

 private:
  struct Piece {
    char field = 0;  // 0 for literal text, else the directive letter.
    std::string text;
  };
  std::vector<Piece> pieces_;
  bool uses_headers_ = false;
};

}  // namespace sluice::cli

// How the sluice CLI prints: the tables and stderr lines the commands share, and the --format
// template of `sluice consume`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::cli {

// Prints rows as columns separated by two spaces, each column as wide as its widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows);

// `n`, or "-" when it is negative (an offset or a time that is not known).
std::string number_or_dash(int64_t n);

// "sluice: warning: <message>" and "sluice: error: <message>" on stderr.
void print_warning(const std::string& message);
void print_error(const std::string& message);

// The --format template of `sluice consume`: %k key, %v value, %p partition, %o offset,
// %t timestamp (ms, -1 when unknown), %h headers (k=v, comma separated), %T topic, %% a percent
// sign; \n, \t, \r and \\ escapes. Null keys and values print as empty.
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

#include "output_format.h"

#include <algorithm>
#include <cstdio>

#include "errors.h"

namespace sluice::cli {

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string number_or_dash(int64_t n) { return n < 0 ? "-" : std::to_string(n); }

void print_warning(const std::string& message) {
  std::fprintf(stderr, "sluice: warning: %s\n", message.c_str());
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "sluice: error: %s\n", message.c_str());
}

MessageFormat MessageFormat::parse(std::string_view spec) {
  MessageFormat fmt;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) fmt.pieces_.push_back({0, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    if (c != '%' && c != '\\') {
      literal += c;
      continue;
    }
    if (i + 1 == spec.size()) {
      throw UsageError(std::string("--format ends with a dangling '") + c + "'");
    }
    const char next = spec[++i];
    if (c == '\\') {
      switch (next) {
        case 'n':
          literal += '\n';
          break;
        case 't':
          literal += '\t';
          break;
        case 'r':
          literal += '\r';
          break;
        case '\\':
          literal += '\\';
          break;
        default:
          throw UsageError(std::string("--format has unknown escape '\\") + next + "'");
      }
      continue;
    }
    switch (next) {
      case '%':
        literal += '%';
        break;
      case 'k':
      case 'v':
      case 'p':
      case 'o':
      case 't':
      case 'h':
      case 'T':
        flush_literal();
        fmt.pieces_.push_back({next, {}});
        if (next == 'h') fmt.uses_headers_ = true;
        break;
      default:
        throw UsageError(std::string("--format has unknown directive '%") + next +
                         "' (use %k %v %p %o %t %h %T or %%)");
    }
  }
  flush_literal();
  return fmt;
}

void MessageFormat::append(const MessageView& msg, std::string& out) const {
  for (const Piece& piece : pieces_) {
    switch (piece.field) {
      case 0:
        out += piece.text;
        break;
      case 'k':
        out += msg.key;
        break;
      case 'v':
        out += msg.value;
        break;
      case 'p':
        out += std::to_string(msg.partition);
        break;
      case 'o':
        out += std::to_string(msg.offset);
        break;
      case 't':
        out += std::to_string(msg.timestamp);
        break;
      case 'T':
        out += msg.topic;
        break;
      case 'h':
        for (size_t i = 0; i < msg.headers.size(); ++i) {
          if (i > 0) out += ',';
          out += msg.headers[i].first;
          out += '=';
          out += msg.headers[i].second;
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace sluice::cli

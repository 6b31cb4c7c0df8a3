#include "output_format.h"

#include "errors.h"

namespace sluice::cli {

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

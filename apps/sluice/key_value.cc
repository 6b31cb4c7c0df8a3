#include "key_value.h"

#include "errors.h"

namespace sluice::cli {

KeyValue parse_key_value(const std::string& arg, const std::string& what) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError(what + " expects key=value, got '" + arg + "'");
  }
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

std::vector<KeyValue> parse_key_values(const std::vector<std::string>& args,
                                       const std::string& what) {
  std::vector<KeyValue> out;
  out.reserve(args.size());
  for (const auto& arg : args) out.push_back(parse_key_value(arg, what));
  return out;
}

}  // namespace sluice::cli

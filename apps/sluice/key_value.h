// Parsing of "key=value" command-line arguments.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sluice::cli {

using KeyValue = std::pair<std::string, std::string>;

// Splits "key=value" at the first '='. Throws UsageError when there is no '=' or the key is empty;
// `what` names the option in the message (e.g. "--config").
KeyValue parse_key_value(const std::string& arg, const std::string& what);

std::vector<KeyValue> parse_key_values(const std::vector<std::string>& args,
                                       const std::string& what);

}  // namespace sluice::cli

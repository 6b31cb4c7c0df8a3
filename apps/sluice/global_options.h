// Options shared by every sluice command.
#pragma once

#include <string>

namespace sluice::cli {

struct GlobalOptions {
  std::string bootstrap = "localhost:9092";
  int timeout_ms = 10000;
  bool verbose = false;
};

}  // namespace sluice::cli

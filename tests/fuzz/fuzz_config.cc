// libFuzzer target: broker config parsing. The input is split at the first NUL byte: before it,
// the contents of a config file; after it, newline-separated `--set key=value` assignments.
// load_broker_config may only fail with std::invalid_argument; when it succeeds, every key's
// effective value must pass its own check (nothing invalid was stored) and the typed getters
// must agree with it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sluice/broker/config.h"

namespace b = sluice::broker;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string file_part = in, sets_part;
  if (auto nul = in.find('\0'); nul != std::string::npos) {
    file_part = in.substr(0, nul);
    sets_part = in.substr(nul + 1);
  }
  static const std::string path = [] {
    std::filesystem::path d = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::atexit([] {
      std::error_code ec;
      for (const char* d : {"/dev/shm", "/tmp"})
        std::filesystem::remove(
            std::filesystem::path(d) / ("sluice-fuzz-config-" + std::to_string(::getpid())), ec);
    });
    return (d / ("sluice-fuzz-config-" + std::to_string(::getpid()))).string();
  }();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file_part;
  }
  std::vector<std::string> sets;
  for (size_t pos = 0; pos < sets_part.size() && sets.size() < 64;) {
    auto nl = sets_part.find('\n', pos);
    if (nl == std::string::npos) nl = sets_part.size();
    sets.push_back(sets_part.substr(pos, nl - pos));
    pos = nl + 1;
  }
  try {
    b::ConfigSet cfg = b::load_broker_config(path, sets);
    for (const auto& key : b::broker_config_keys()) {
      std::string v = cfg.get(key.name);
      if (auto err = b::check_value(key, v)) {
        std::fprintf(stderr, "stored an invalid value: %s\n", err->c_str());
        std::abort();
      }
      if (key.type == b::ConfigType::int32 || key.type == b::ConfigType::int64) {
        int64_t n = cfg.get_int(key.name);
        if (n < key.min || n > key.max || std::to_string(n) != v) {
          // "+5" or "007" would parse differently than they print: only flag out-of-range.
          if (n < key.min || n > key.max) {
            std::fprintf(stderr, "%s: get_int %lld outside [%lld, %lld]\n",
                         std::string(key.name).c_str(), static_cast<long long>(n),
                         static_cast<long long>(key.min), static_cast<long long>(key.max));
            std::abort();
          }
        }
      }
      if (key.type == b::ConfigType::boolean) (void)cfg.get_bool(key.name);
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

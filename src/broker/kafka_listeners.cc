#include "sluice/broker/kafka_listeners.h"

#include <stdexcept>
#include <vector>

namespace sluice::broker {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = end + 1;
  }
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& name) {
  for (const auto& i : items)
    if (i == name) return true;
  return false;
}

// The security protocol of a listener: from listener.security.protocol.map (NAME:PROTOCOL,...),
// else the name itself, as Kafka reads it.
std::string security_protocol(const ConfigSet& cfg, const std::string& name) {
  for (const auto& entry : split(cfg.get("listener.security.protocol.map"), ','))
    if (auto colon = entry.find(':'); colon != std::string::npos && entry.substr(0, colon) == name)
      return entry.substr(colon + 1);
  return name;
}

}  // namespace

std::string kafka_client_listener(const ConfigSet& cfg, std::string_view key) {
  const std::string where(key);
  const auto controllers = split(cfg.get("controller.listener.names"), ',');
  std::optional<std::string> found;
  for (const auto& entry : split(cfg.get(key), ',')) {
    auto scheme = entry.find("://");
    if (scheme == std::string::npos || scheme == 0)
      throw std::invalid_argument(where + ": expected NAME://HOST:PORT, got '" + entry + "'");
    const std::string name = entry.substr(0, scheme);
    if (contains(controllers, name)) continue;
    if (found)
      throw std::invalid_argument(where + ": Sluice serves one client listener, got '" +
                                  cfg.get(key) + "'");
    if (auto protocol = security_protocol(cfg, name); protocol != "PLAINTEXT")
      throw std::invalid_argument(where + ": listener " + name + " is " + protocol +
                                  "; Sluice serves PLAINTEXT only");
    std::string address = entry.substr(scheme + 3);
    if (!address.empty() && address.front() == ':') address = "0.0.0.0" + address;
    found = address;
  }
  if (!found) throw std::invalid_argument(where + ": no client (non-controller) listener");
  return *found;
}

std::optional<std::string> kafka_log_dir(const ConfigSet& cfg) {
  for (const char* key : {"log.dirs", "log.dir"}) {
    if (!cfg.is_set(key)) continue;
    auto dirs = split(cfg.get(key), ',');
    if (dirs.size() != 1)
      throw std::invalid_argument(std::string(key) + ": Sluice keeps one data dir per node, got '" +
                                  cfg.get(key) + "'");
    return dirs.front();
  }
  return std::nullopt;
}

}  // namespace sluice::broker

#include "refusal_log.h"

namespace sluice::broker {

bool RefusalLog::first(const std::string& client_host, const std::string& client_id,
                       const std::string& cause) {
  std::lock_guard lock(mu_);
  if (seen_.size() >= capacity) return false;
  return seen_.emplace(client_host, client_id, cause).second;
}

}  // namespace sluice::broker

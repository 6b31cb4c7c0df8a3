#pragma once
// Requests the broker refuses without an answer a client could read (an unknown API, a version
// outside the served range, a body that does not decode) are logged at info once per client
// and cause: enough to diagnose a client that will not work, without a line per retry. Shared
// by every shard, so guarded by a mutex (refusals are rare, never on the hot path).
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

namespace sluice::broker {

class RefusalLog {
 public:
  // True the first time this client (address and client id) is refused for this cause; false
  // for repeats, and for everything once `capacity` causes are remembered (a flood of made-up
  // client ids can neither grow the set nor the log).
  bool first(const std::string& client_host, const std::string& client_id,
             const std::string& cause);

 private:
  static constexpr size_t capacity = 10000;
  std::mutex mu_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
};

}  // namespace sluice::broker

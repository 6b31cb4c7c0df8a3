#pragma once
// Group commit: one thread fsyncs every file with pending appends, once per round, however many
// batches and partitions are waiting; all their waiters complete together.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "sluice/storage/partition_log.h"

namespace sluice::storage {

class Flusher {
 public:
  using Done = std::function<void(bool ok)>;  // called on the flusher thread
  Flusher();
  ~Flusher();  // drains pending work, then joins
  void submit(FlushTicket ticket, Done done);

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<FlushTicket, Done>> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::storage
